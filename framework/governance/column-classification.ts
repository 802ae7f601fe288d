import type { z } from 'zod';
import { type ColumnInfo, type MaskPolicy, type PiiKind, schemaColumns } from '../io/schema-columns.js';

/**
 * How sensitive a column's values are:
 * - `pii`: personal data (declared with `.meta({ pii: true })`, or its kind: `.meta({ pii: 'email' })`);
 *   shown masked wherever data leaves the store for people (web preview, `shopflow show`, quality
 *   report), by its kind's policy (see `framework/governance/mask-rows.ts`);
 * - `none`: nothing to hide.
 */
export type ColumnClass = 'pii' | 'none';

/**
 * The class of every column of one asset, by column name (columns it does not name are `none`),
 * and how each personal one is masked.
 */
export type ColumnClassification = ReadonlyMap<string, ColumnClass> & {
  /** The masking policy of a personal column (`redact` when the classification does not say). */
  policyOf?(name: string): MaskPolicy;
};

/** How each kind of personal data is masked unless its column says otherwise. */
export const DEFAULT_MASK_POLICY: Record<PiiKind, MaskPolicy> = {
  // NOTE: a pseudonym keeps joins and counts of distinct people working on masked data.
  name: 'pseudonym',
  // NOTE: the domain stays (support needs it; it rarely identifies a person on its own).
  email: 'partial',
  phone: 'partial',
  address: 'redact',
  payment: 'redact',
  other: 'redact',
};

/**
 * The classification of an asset's columns, read from its zod schema's metadata. This is the one
 * place that decides which columns are sensitive and how they are masked; every masking caller
 * goes through it.
 *
 * @example
 * const classes = classifyColumns(silverCustomers.schema);
 * classes.get('email'); // 'pii'
 * classes.policyOf?.('email'); // 'partial'
 */
export function classifyColumns(schema: z.ZodObject): ColumnClassification {
  return classifyColumnInfos(schemaColumns(schema));
}

/**
 * The classification of columns already read from a schema (`schemaColumns`, or a check's
 * `context.columns`); see {@link classifyColumns}.
 *
 * @example
 * maskRows(sample, classifyColumnInfos(context.columns));
 */
export function classifyColumnInfos(columns: readonly ColumnInfo[]): ColumnClassification {
  const classes = new Map(columns.map((c): [string, ColumnClass] => [c.name, c.pii ? 'pii' : 'none']));
  const policies = new Map(
    columns.filter((c) => c.pii).map((c) => [c.name, c.mask ?? DEFAULT_MASK_POLICY[c.piiKind ?? 'other']]),
  );
  return Object.assign(classes, { policyOf: (name: string) => policies.get(name) ?? ('redact' as const) });
}

/**
 * The names of the columns whose values must be masked, in schema order.
 *
 * @example
 * sensitiveColumns(classifyColumns(silverCustomers.schema)); // ['name', 'email']
 */
export function sensitiveColumns(classification: ColumnClassification): string[] {
  return [...classification].filter(([, cls]) => cls !== 'none').map(([name]) => name);
}
