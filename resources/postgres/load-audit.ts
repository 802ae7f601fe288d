/** What one load attempt wrote (or tried to), as recorded in `shopflow.load_audit`. */
export interface LoadAuditEntry {
  runId: string;
  assetKey: string;
  partitionKey?: string | null;
  targetTable: string;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Stored rows of a replaced slice that the input no longer held (default 0). */
  deleted?: number;
  startedAt: Date;
  status: 'success' | 'failed';
  error?: string;
}

/** Anything that runs a query: a pool or a client inside a transaction. */
interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

const MAX_ERROR_LENGTH = 4000;

/**
 * Appends one row to `shopflow.load_audit` and returns its id. `finished_at` is the server's
 * clock at the time of writing.
 *
 * @example
 * await writeLoadAudit(client, { runId, assetKey: 'pg_customers', targetTable: 'shopflow.customers',
 *   inserted: 3, updated: 0, unchanged: 0, rejected: 0, startedAt, status: 'success' });
 */
export async function writeLoadAudit(db: Queryable, entry: LoadAuditEntry): Promise<number> {
  const { rows } = await db.query(
    `insert into shopflow.load_audit
       (run_id, asset_key, partition_key, target_table, inserted, updated, unchanged, rejected,
        deleted, started_at, finished_at, status, error)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, clock_timestamp(), $11, $12)
     returning id`,
    [
      entry.runId,
      entry.assetKey,
      entry.partitionKey ?? null,
      entry.targetTable,
      entry.inserted,
      entry.updated,
      entry.unchanged,
      entry.rejected,
      entry.deleted ?? 0,
      entry.startedAt,
      entry.status,
      entry.error === undefined ? null : entry.error.slice(0, MAX_ERROR_LENGTH),
    ],
  );
  return Number(rows[0].id);
}
