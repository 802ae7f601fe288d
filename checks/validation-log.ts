import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type AssetCheck,
  type CheckContext,
  classifyColumnInfos,
  formatAssetPartition,
  maskRows,
} from '../framework/index.js';

/** A few failing rows, personal data masked as everywhere data reaches a person. */
function examples(metadata: Record<string, unknown>, context: CheckContext): string {
  const sample = (metadata.quarantineSample ?? metadata.sample) as unknown[] | undefined;
  if (!Array.isArray(sample) || sample.length === 0) return '';
  const rows = sample
    .slice(0, 3)
    .map((row) =>
      row !== null && typeof row === 'object' && !Array.isArray(row)
        ? (row as Record<string, unknown>)
        : { value: row },
    );
  return ` examples=${JSON.stringify(maskRows(rows, classifyColumnInfos(context.columns)))}`;
}

/** Folders known to exist: a run appends thousands of lines, and checking the folder each time was two system calls. */
const folders = new Set<string>();

function appendLine(file: string, line: string): void {
  const folder = dirname(file);
  if (!folders.has(folder)) {
    mkdirSync(folder, { recursive: true });
    folders.add(folder);
  }
  try {
    appendFileSync(file, line);
  } catch (error) {
    // NOTE: the folder was removed since (a user cleaning up logs while the daemon runs).
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(folder, { recursive: true });
    appendFileSync(file, line);
  }
}

/**
 * Wraps checks so that every evaluation also appends one line to a validation log:
 * time, asset partition, check, outcome, failing and quarantined row counts and a few failing rows
 * (personal data masked by its columns' policies, see `framework/governance/`).
 *
 * @example
 * checks: withValidationLog([notNull(['email'])], async (ctx) => join(logsDir, 'validation.log'))
 */
export function withValidationLog(
  checks: AssetCheck[],
  logFile: (context: CheckContext) => Promise<string>,
): AssetCheck[] {
  return checks.map((check) => ({
    ...check,
    async evaluate(context: CheckContext) {
      const result = await check.evaluate(context);
      const metadata = result.metadata ?? {};
      const outcome = result.passed ? 'PASS' : check.severity === 'error' ? 'FAIL' : 'WARN';
      const counts = [
        typeof metadata.failingRows === 'number' ? `failing=${metadata.failingRows}` : '',
        typeof metadata.quarantinedRows === 'number' ? `quarantined=${metadata.quarantinedRows}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      const line = `${new Date().toISOString()} ${formatAssetPartition(context.assetKey, context.partitionKey)} ${check.name} ${outcome}${counts ? ` ${counts}` : ''}${result.message ? ` — ${result.message}` : ''}${examples(metadata, context)}\n`;
      appendLine(await logFile(context), line);
      return result;
    },
  }));
}
