import { didYouMean } from '../../framework/errors/did-you-mean.js';
import { ShopflowError } from '../../framework/errors/error-catalog.js';
import { quoteIdentifier } from './sql-identifier.js';

/** One column of the incoming rows, with the PostgreSQL type it is staged as. */
export interface ColumnSpec {
  name: string;
  /** A PostgreSQL type: `bigint`, `text`, `numeric(12,2)`, `timestamptz`, … */
  type: string;
}

/**
 * A lookup dimension filled from the incoming rows: every distinct non-null value of the staged
 * column `from` is inserted into `table`'s `naturalKey` column (if absent), and the target column
 * named `id` receives that row's `id`.
 */
export interface LookupSpec {
  table: string;
  naturalKey: string;
  id: string;
  from: string;
}

/**
 * A reason to set an incoming row aside instead of loading it. `when` is an SQL condition over the
 * staged row `s` (e.g. `s.price <= 0`); `orphan` rejects a non-null value with no matching row in
 * the referenced table. Rules are tried in order; the first that matches names the reason.
 */
export type RejectRule =
  | { reason: string; when: string }
  | { reason: string; orphan: { column: string; table: string; references: string } };

/**
 * How incoming rows map onto a warehouse table. The target table must have the audit columns
 * `created_at`, `updated_at`, `loaded_at` and `version`.
 *
 * @example
 * const spec: TableSpec = {
 *   table: 'shopflow.things',
 *   key: ['thing_id'],
 *   columns: [{ name: 'thing_id', type: 'bigint' }, { name: 'label', type: 'text' }],
 *   compare: ['label'],
 * };
 */
export interface TableSpec {
  /** Schema-qualified target table, e.g. `shopflow.customers`. */
  table: string;
  /** Target columns of the primary key (the `on conflict` target). */
  key: string[];
  /** The incoming columns in record/CSV order, with their staging types. */
  columns: ColumnSpec[];
  /** Target columns whose change makes a row "updated" (a new version). */
  compare: string[];
  /**
   * Target column → SQL expression over the staged row `s`. Default: every incoming column that is
   * not a lookup's `from`, under its own name. Lookup `id` columns are always added.
   */
  target?: Record<string, string>;
  lookups?: LookupSpec[];
  reject?: RejectRule[];
  /**
   * A target column holding the source version time (e.g. `source_updated_at`): within one load
   * the row with the newest value per key wins, and an older version never overwrites a newer
   * stored one. Without it, the last row per key in input order wins.
   */
  versionedBy?: string;
}

/** The target columns a spec writes, each with the SQL expression that computes it. */
export function targetColumns(spec: TableSpec): Array<{ name: string; expression: string }> {
  const lookups = spec.lookups ?? [];
  const consumed = new Set(lookups.map((lookup) => lookup.from));
  const mapped = spec.target
    ? Object.entries(spec.target).map(([name, expression]) => ({ name, expression }))
    : spec.columns
        .filter((column) => !consumed.has(column.name))
        .map((column) => ({ name: column.name, expression: `s.${quoteIdentifier(column.name)}` }));
  const fromLookups = lookups.map((lookup, index) => ({
    name: lookup.id,
    expression: `l${index}.${quoteIdentifier(lookup.id)}`,
  }));
  return [...mapped, ...fromLookups];
}

const TYPE = /^[a-z][a-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])?$/;

/** Throws `SF_INPUT_INVALID` when a spec names unknown columns or invalid identifiers or types. */
export function validateTableSpec(spec: TableSpec): void {
  const fail = (message: string, hint?: string): never => {
    throw new ShopflowError('SF_INPUT_INVALID', `table spec of \`${spec.table}\`: ${message}`, { hint });
  };
  quoteIdentifier(spec.table);
  if (!spec.table.includes('.'))
    fail('the table must be schema-qualified', 'write e.g. `shopflow.customers`');
  if (spec.columns.length === 0) fail('no columns');
  const incoming = new Set<string>();
  for (const column of spec.columns) {
    quoteIdentifier(column.name);
    if (column.name.startsWith('_'))
      fail(`column \`${column.name}\` starts with "_", reserved for the loader`);
    if (!TYPE.test(column.type)) fail(`column \`${column.name}\` has an invalid type \`${column.type}\``);
    if (incoming.has(column.name)) fail(`column \`${column.name}\` is listed twice`);
    incoming.add(column.name);
  }
  for (const lookup of spec.lookups ?? []) {
    quoteIdentifier(lookup.table);
    quoteIdentifier(lookup.naturalKey);
    quoteIdentifier(lookup.id);
    if (!incoming.has(lookup.from)) {
      fail(
        `lookup ${lookup.table} reads \`${lookup.from}\`, which is not an incoming column`,
        didYouMean(lookup.from, incoming),
      );
    }
  }
  for (const rule of spec.reject ?? []) {
    if ('orphan' in rule) {
      quoteIdentifier(rule.orphan.table);
      quoteIdentifier(rule.orphan.references);
      if (!incoming.has(rule.orphan.column)) {
        fail(
          `reject rule "${rule.reason}" checks \`${rule.orphan.column}\`, which is not an incoming column`,
        );
      }
    }
  }
  const targets = targetColumns(spec).map((column) => column.name);
  for (const name of targets) quoteIdentifier(name);
  const targetSet = new Set(targets);
  for (const name of [...spec.key, ...spec.compare, ...(spec.versionedBy ? [spec.versionedBy] : [])]) {
    if (!targetSet.has(name)) {
      fail(
        `\`${name}\` is not a target column`,
        didYouMean(name, targetSet) ?? `target columns: ${targets.join(', ')}`,
      );
    }
  }
  if (spec.key.length === 0) fail('no key columns');
  for (const reserved of ['created_at', 'updated_at', 'loaded_at', 'version']) {
    if (targetSet.has(reserved))
      fail(`\`${reserved}\` is maintained by the loader and cannot be a target column`);
  }
}
