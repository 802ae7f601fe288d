import { ShopflowError } from '../../../framework/errors/error-catalog.js';
import { quoteIdentifier } from '../sql-identifier.js';

/**
 * Columns every SCD2 table has besides its surrogate key, natural key and tracked attributes:
 * `valid_from` / `valid_to` (the version is valid in `[valid_from, valid_to)`, `valid_to` is
 * `infinity` for the current version), `is_current` and `version` (1..n in time order).
 */
export const SCD2_HOUSEKEEPING_COLUMNS = ['valid_from', 'valid_to', 'is_current', 'version'] as const;

/**
 * A fact table whose foreign key points at versions of the dimension: when a merge splits, replaces
 * or re-numbers a version, the facts referencing it are re-pointed to the version valid at `at`.
 */
export interface Scd2FactReference {
  /** Schema-qualified fact table, e.g. `shopflow_dw.fact_sales`. */
  table: string;
  /** The fact column holding the dimension's surrogate key, e.g. `customer_sk`. */
  foreignKey: string;
  /** The fact column holding the time the fact happened, e.g. `transaction_ts`. */
  at: string;
}

/**
 * How a dimension table is kept as SCD Type 2 by {@link mergeScd2}.
 *
 * @example
 * const customers: Scd2Spec = {
 *   table: 'shopflow_dw.dim_customer',
 *   surrogateKey: 'customer_sk',
 *   naturalKey: 'customer_id',
 *   tracked: ['name', 'email', 'country', 'registration_date'],
 *   changedAt: 'updated_at',
 *   facts: [{ table: 'shopflow_dw.fact_sales', foreignKey: 'customer_sk', at: 'transaction_ts' }],
 * };
 */
export interface Scd2Spec {
  /** Schema-qualified dimension table with the {@link SCD2_HOUSEKEEPING_COLUMNS}. */
  table: string;
  /** Identity (or defaulted) column numbering versions; never written by the merge. */
  surrogateKey: string;
  /** The business key shared by all versions of one entity. */
  naturalKey: string;
  /** Attributes whose change makes a new version; incoming rows carry them under the same names. */
  tracked: string[];
  /** The incoming column holding when a change became valid (it becomes `valid_from`). */
  changedAt: string;
  /** Fact tables to re-point when versions split or are replaced. */
  facts?: Scd2FactReference[];
  /**
   * Where changes that repeated the version valid at their time are kept (see the merge's
   * algorithm). Default: `scd2_absorbed_changes` in the dimension's schema.
   */
  absorbedTable?: string;
}

/** The absorbed-changes table of a spec. */
export function absorbedTableOf(spec: Scd2Spec): string {
  return spec.absorbedTable ?? `${spec.table.split('.')[0]}.scd2_absorbed_changes`;
}

/**
 * Throws `SF_INPUT_INVALID` when a spec has an invalid or reserved name, no tracked attribute, or a
 * column listed twice. Whether the columns exist is checked against the database by the merge.
 *
 * @example
 * validateScd2Spec({ table: 'dw.dim_x', surrogateKey: 'x_sk', naturalKey: 'x_id', tracked: ['a'], changedAt: 'at' });
 */
export function validateScd2Spec(spec: Scd2Spec): void {
  const fail = (message: string, hint: string): never => {
    throw new ShopflowError('SF_INPUT_INVALID', `SCD2 spec of \`${spec.table}\`: ${message}`, { hint });
  };
  quoteIdentifier(spec.table);
  if (!spec.table.includes('.'))
    fail('the table must be schema-qualified', 'write e.g. `shopflow_dw.dim_customer`');
  if (spec.tracked.length === 0)
    fail('no tracked attributes', 'list the columns whose change makes a new version');
  const names = [spec.surrogateKey, spec.naturalKey, ...spec.tracked, spec.changedAt];
  const seen = new Set<string>();
  for (const name of names) {
    quoteIdentifier(name);
    if (name.includes('.')) fail(`column \`${name}\` must not be qualified`, 'name the column alone');
    if (name.startsWith('_')) fail(`column \`${name}\` starts with "_", reserved for the merge`, 'rename it');
    if ((SCD2_HOUSEKEEPING_COLUMNS as readonly string[]).includes(name)) {
      fail(
        `\`${name}\` is maintained by the merge`,
        `remove it from the spec; ${SCD2_HOUSEKEEPING_COLUMNS.join(', ')} are written by the merge`,
      );
    }
    if (seen.has(name)) fail(`column \`${name}\` is named twice`, 'name each column once');
    seen.add(name);
  }
  quoteIdentifier(absorbedTableOf(spec));
  for (const fact of spec.facts ?? []) {
    quoteIdentifier(fact.table);
    quoteIdentifier(fact.foreignKey);
    quoteIdentifier(fact.at);
    if (!fact.table.includes('.')) {
      fail(`fact table \`${fact.table}\` must be schema-qualified`, 'write e.g. `shopflow_dw.fact_sales`');
    }
  }
}
