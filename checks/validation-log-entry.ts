import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatAssetPartition } from '../framework/index.js';

/**
 * Appends one line to a validation log, in the shape `withValidationLog` writes for checks: time,
 * asset partition, what was validated (a check, or the read of a file), the outcome, counts
 * (`name=value` pairs) and a message on the same line.
 *
 * @example
 * appendValidationLog(file, { assetKey: 'bronze_customers', partitionKey: '2024-01-15', name: 'read',
 *   outcome: 'PASS', counts: 'records=7 rows=7 rejected=0', message: 'raw/…/customers.csv' });
 */
export function appendValidationLog(
  file: string,
  entry: {
    assetKey: string;
    partitionKey: string | null;
    name: string;
    outcome: 'PASS' | 'FAIL' | 'WARN';
    counts?: string;
    message?: string;
  },
): void {
  const { counts, message } = entry;
  const where = formatAssetPartition(entry.assetKey, entry.partitionKey);
  const line = `${new Date().toISOString()} ${where} ${entry.name} ${entry.outcome}${counts ? ` ${counts}` : ''}${message ? ` — ${message.replaceAll('\n', ' ')}` : ''}\n`;
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, line);
}
