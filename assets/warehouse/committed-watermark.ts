import type pg from 'pg';

/**
 * The watermark an incremental load of `table` reads from: the committed one, unless the table is
 * empty. The watermark lives in the instance store and the rows in the warehouse, so a warehouse
 * lost and created again (a new server, a dropped schema; see the runbook) would otherwise be
 * loaded with only the changes since the watermark. An empty table is loaded from the start.
 *
 * @example
 * const { watermark, reloaded } = await committedWatermark(pool, 'shopflow.customers', saved);
 */
export async function committedWatermark(
  pool: pg.Pool,
  table: string,
  saved: string | undefined,
): Promise<{ watermark: string | undefined; reloaded: boolean }> {
  if (saved === undefined) return { watermark: undefined, reloaded: false };
  const { rows } = await pool.query<{ stored: boolean }>(`select exists (select 1 from ${table}) as stored`);
  return rows[0].stored ? { watermark: saved, reloaded: false } : { watermark: undefined, reloaded: true };
}
