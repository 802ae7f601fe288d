import type { ColumnClass, ColumnClassification } from './column-classification.js';

/** What a masked value is replaced with. */
export const PII_MASK = '[PII]';

const MASK_BY_CLASS: Record<ColumnClass, string | null> = { pii: PII_MASK, none: null };

/**
 * One value as it may be shown for a column of class `cls`: `null` stays `null` (whether a value
 * is missing is not itself sensitive), anything else of a sensitive class becomes its mask.
 *
 * @example
 * maskValue('ada@example.com', 'pii'); // '[PII]'
 */
export function maskValue(value: unknown, cls: ColumnClass | undefined): unknown {
  const mask = cls ? MASK_BY_CLASS[cls] : null;
  return mask === null || value === null || value === undefined ? value : mask;
}

/**
 * Rows with the values of every sensitive column masked (new objects; the input is not changed).
 * Columns the classification does not know are left as they are.
 *
 * @example
 * maskRows([{ id: 7, email: 'ada@example.com' }], classifyColumns(schema)); // [{ id: 7, email: '[PII]' }]
 */
export function maskRows<R extends Record<string, unknown>>(
  rows: readonly R[],
  classification: ColumnClassification,
): R[] {
  const sensitive = [...classification].some(([, cls]) => MASK_BY_CLASS[cls] !== null);
  if (!sensitive) return [...rows];
  return rows.map(
    (row) =>
      Object.fromEntries(
        Object.entries(row).map(([name, value]) => [name, maskValue(value, classification.get(name))]),
      ) as R,
  );
}
