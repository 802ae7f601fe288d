import { createHmac } from 'node:crypto';
import type { MaskPolicy } from '../io/schema-columns.js';
import type { ColumnClass, ColumnClassification } from './column-classification.js';

/** What a redacted value is replaced with. */
export const PII_MASK = '[PII]';

/** The environment variable holding the key of pseudonyms (at least 16 characters). */
export const MASKING_KEY_VARIABLE = 'SHOPFLOW_MASKING_KEY';

/**
 * The key pseudonyms are computed with, from `SHOPFLOW_MASKING_KEY` (in AWS a task secret from
 * Secrets Manager); undefined when absent or shorter than 16 characters — then pseudonyms fall back
 * to redaction, since an unkeyed hash of a name or an email is reversed by guessing.
 */
export function maskingKey(environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const key = environment[MASKING_KEY_VARIABLE];
  return key && key.length >= 16 ? key : undefined;
}

function partial(text: string): string {
  const at = text.lastIndexOf('@');
  if (at > 0) return `${text[0]}***${text.slice(at)}`;
  return text.length > 4 ? `***${text.slice(-2)}` : PII_MASK;
}

/**
 * One value as it may be shown for a column of class `cls`: `null` stays `null` (whether a value
 * is missing is not itself sensitive); a personal value is masked by `policy` — `redact` (the mask),
 * `partial` (an email keeps its first letter and domain, anything else its last two characters),
 * `pseudonym` (`pii_` and 16 hex digits of an HMAC-SHA256 under `key`: the same value always gets
 * the same pseudonym, so masked data still joins; without a key, redacted).
 *
 * @example
 * maskValue('ada@example.com', 'pii'); // '[PII]'
 * maskValue('ada@example.com', 'pii', 'partial'); // 'a***@example.com'
 */
export function maskValue(
  value: unknown,
  cls: ColumnClass | undefined,
  policy: MaskPolicy = 'redact',
  key: string | undefined = maskingKey(),
): unknown {
  if (cls !== 'pii' || value === null || value === undefined) return value;
  const text = String(value);
  if (policy === 'partial') return partial(text);
  if (policy === 'pseudonym' && key)
    return `pii_${createHmac('sha256', key).update(text).digest('hex').slice(0, 16)}`;
  return PII_MASK;
}

/**
 * Rows with the values of every sensitive column masked by its policy (new objects; the input is not
 * changed). Columns the classification does not know are left as they are.
 *
 * @example
 * maskRows([{ id: 7, email: 'ada@example.com' }], classifyColumns(schema)); // [{ id: 7, email: 'a***@example.com' }]
 */
export function maskRows<R extends Record<string, unknown>>(
  rows: readonly R[],
  classification: ColumnClassification,
): R[] {
  const sensitive = [...classification].some(([, cls]) => cls !== 'none');
  if (!sensitive) return [...rows];
  const key = maskingKey();
  return rows.map(
    (row) =>
      Object.fromEntries(
        Object.entries(row).map(([name, value]) => [
          name,
          maskValue(value, classification.get(name), classification.policyOf?.(name) ?? 'redact', key),
        ]),
      ) as R,
  );
}

/**
 * A materialization's metadata with the rows it samples masked like every other row the product
 * shows: the quarantined rows a lake write keeps per rule (`quarantined.<rule>.sample`) and the
 * rows a warehouse load rejected (`rejectedSample[].values`).
 *
 * @example
 * maskMaterializationMetadata(record.metadata, assetMasking(asset, classification));
 */
export function maskMaterializationMetadata(
  metadata: Record<string, unknown>,
  classification: ColumnClassification,
): Record<string, unknown> {
  const masked = { ...metadata };
  const quarantined = metadata.quarantined;
  if (quarantined !== null && typeof quarantined === 'object' && !Array.isArray(quarantined)) {
    const rules: Record<string, unknown> = {};
    for (const [rule, entry] of Object.entries(quarantined as Record<string, unknown>)) {
      const sample = (entry as { sample?: unknown } | null)?.sample;
      rules[rule] = Array.isArray(sample)
        ? { ...(entry as object), sample: maskRows(sample.map(asRow), classification) }
        : entry;
    }
    masked.quarantined = rules;
  }
  if (Array.isArray(metadata.rejectedSample)) {
    masked.rejectedSample = metadata.rejectedSample.map((entry) => {
      const values = (entry as { values?: unknown } | null)?.values;
      return values !== null && typeof values === 'object' && !Array.isArray(values)
        ? { ...(entry as object), values: maskRows([values as Record<string, unknown>], classification)[0] }
        : entry;
    });
  }
  return masked;
}

/** A sampled row as an object of columns (a bare value becomes `{ value }`). */
export function asRow(row: unknown): Record<string, unknown> {
  return row !== null && typeof row === 'object' && !Array.isArray(row)
    ? (row as Record<string, unknown>)
    : { value: row };
}
