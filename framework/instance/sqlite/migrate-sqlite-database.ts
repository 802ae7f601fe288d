import { type Kysely, sql } from 'kysely';
import { ShopflowError } from '../../errors/error-catalog.js';
import { storageFault } from '../../errors/storage-fault.js';
import { migrateInstanceDatabase } from '../migrations/migrate-instance-database.js';
import type { Database } from '../schema.js';
import { SQLITE_BUSY_TIMEOUT_MS } from './open-sqlite-database.js';

/**
 * Who may hold the write lock: the runs in progress (readers are not blocked in WAL mode), e.g.
 * `runs in progress: 5f0c2a9e (pid 4242 on vm-1)`; undefined when none is recorded or the store
 * cannot be read yet.
 */
async function runsInProgress(connection: Kysely<Database>): Promise<string | undefined> {
  try {
    const { rows } = await sql<{ id: string; pid: number | null; hostname: string | null }>`
      select id, pid, hostname from runs where status = 'running' order by started_at desc limit 3`.execute(
      connection,
    );
    if (rows.length === 0) return undefined;
    return `runs in progress: ${rows.map((r) => `${r.id.slice(0, 8)} (pid ${r.pid ?? '?'} on ${r.hostname ?? '?'})`).join(', ')}`;
  } catch {
    return undefined;
  }
}

/**
 * Migrates a SQLite instance store inside one `BEGIN IMMEDIATE` transaction: the write lock it
 * takes makes concurrent callers in other processes wait (up to the busy timeout) and then find
 * nothing left to do; a failed migration rolls back completely.
 *
 * @example
 * await migrateSqliteDatabase(db, 'instance.db');
 */
export async function migrateSqliteDatabase(db: Kysely<Database>, path: string): Promise<void> {
  const where = `\`${path}\``;
  await db.connection().execute(async (connection) => {
    try {
      await sql`begin immediate`.execute(connection);
    } catch (error) {
      const busy = storageFault(error, { busyDetail: await runsInProgress(connection) });
      if (busy) throw busy;
      throw new ShopflowError(
        'SF_INSTANCE_STORE',
        `cannot lock the SQLite instance store ${where} to migrate it`,
        {
          hint: `another process has held its write lock for over ${SQLITE_BUSY_TIMEOUT_MS / 1000} s; stop it or retry`,
          cause: error,
        },
      );
    }
    try {
      await migrateInstanceDatabase(connection, { backend: 'sqlite', where });
      await sql`commit`.execute(connection);
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => {});
      throw error;
    }
  });
}
