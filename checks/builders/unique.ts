import { type AssetCheck, type CheckSeverity, quoteIdentifier, rowCheck } from '../../framework/index.js';

/**
 * The columns together identify a row. The first row of each key (by `orderBy`) is valid; later
 * rows with the same key fail (and are quarantined with `quarantine: true`).
 *
 * @example
 * unique(['transaction_id'], { orderBy: 'source_line', quarantine: true })
 */
export function unique(
  columns: string[],
  options: { name?: string; orderBy?: string; severity?: CheckSeverity; quarantine?: boolean } = {},
): AssetCheck {
  const key = columns.map(quoteIdentifier).join(', ');
  const order = options.orderBy ? ` ORDER BY ${quoteIdentifier(options.orderBy)}` : '';
  return rowCheck({
    name: options.name ?? `unique_${columns.join('_')}`,
    description: `no two rows share ${columns.join(', ')}`,
    validWhen: `row_number() OVER (PARTITION BY ${key}${order}) = 1`,
    // NOTE: a key held by one row of a set is held by at most one row of any subset.
    holdsOnSubsets: true,
    // NOTE: every row after the first of its key fails, so the failing rows are the rows less the
    // distinct keys; `row(…)` makes a NULL key a value like any other, as PARTITION BY does.
    failingCount: `count(*) - count(DISTINCT row(${key}))`,
    severity: options.severity,
    quarantine: options.quarantine,
  });
}
