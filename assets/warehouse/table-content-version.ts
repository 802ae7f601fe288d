import { createHash } from 'node:crypto';

/** Anything that runs a query: a pool, a client inside a transaction, the PostgreSQL resource. */
interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/** How many rows a table (or a slice of it) holds, and a hash of exactly those rows. */
export interface TableContentVersion {
  rowCount: number;
  dataVersion: string;
}

/**
 * The data version of a warehouse table, or of the rows matching `where`: an order-independent sum
 * of row hashes computed by the server (nothing is transferred), so identical rows give an
 * identical version however they were written, and a no-op load keeps downstream assets fresh.
 * `table` and `where` are SQL written by the caller, never input; `values` bind `$1, $2, …`.
 *
 * @example
 * await tableContentVersion(pool, 'shopflow_dw.fact_sales', 'delivery_date = $1', ['2024-01-15']);
 * // { rowCount: 58, dataVersion: '3f0c…' }
 */
export async function tableContentVersion(
  db: Queryable,
  table: string,
  where = 'true',
  values: unknown[] = [],
): Promise<TableContentVersion> {
  return contentVersionOf(table, await db.query(contentVersionQuery(table, where), values));
}

/**
 * The query behind {@link tableContentVersion}, to send with other statements (`where` then binds
 * no values); {@link contentVersionOf} reads its result.
 */
export function contentVersionQuery(table: string, where = 'true'): string {
  return `select count(*)::bigint as n, coalesce(sum(hashtextextended(t::text, 0)), 0)::text as h
     from ${table} t where ${where}`;
}

/** The version of `table` from the result of {@link contentVersionQuery}. */
export function contentVersionOf(
  table: string,
  result: { rows: Array<Record<string, unknown>> },
): TableContentVersion {
  const [row] = result.rows;
  const rowCount = Number(row.n);
  const digest = createHash('sha256').update(`${table}|${rowCount}|${row.h}`).digest('hex');
  return { rowCount, dataVersion: digest.slice(0, 20) };
}
