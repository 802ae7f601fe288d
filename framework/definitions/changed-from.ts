import { quoteIdentifier, type SqlFragment, SqlQuery } from '../duckdb/sql-template.js';

/**
 * `changedFrom` for data whose rows are dated by one column (versions by `updated_at`, events by
 * time): the earliest date among the rows that were added, removed or altered; any such row without
 * a date means "changed at any time". Readers must read rows by that column (`updated_at < end`).
 *
 * @example
 * defineAsset({ key: 'silver_customers', changedFrom: changedFromColumn('updated_at'), … })
 */
export function changedFromColumn(
  column: string,
): (data: { previous: SqlFragment; current: SqlFragment }) => SqlQuery {
  const c = quoteIdentifier(column);
  return ({ previous, current }) =>
    new SqlQuery(`SELECT CASE WHEN count(*) FILTER (WHERE ${c} IS NULL) > 0 THEN '-infinity'::TIMESTAMPTZ
        ELSE min(${c})::TIMESTAMPTZ END FROM (
      (SELECT * FROM ${previous.toSql()} EXCEPT ALL SELECT * FROM ${current.toSql()})
      UNION ALL
      (SELECT * FROM ${current.toSql()} EXCEPT ALL SELECT * FROM ${previous.toSql()}))`);
}
