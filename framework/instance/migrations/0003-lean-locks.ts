import { type Kysely, type Migration, sql } from 'kysely';
import type { InstanceStore } from '../instance-store.js';

type Backend = InstanceStore['backend'];

/**
 * The `locks` table as a step writes it twice (taken, released): on SQLite a table clustered on
 * its key (`WITHOUT ROWID`, one B-tree instead of a rowid table and a key index), and on both
 * backends without the index on `run_id`. The table holds only the locks of steps in progress, so
 * the few statements that look locks up by run (heartbeat, a run's release) read it whole. Each
 * step wrote six pages fewer to SQLite's log.
 *
 * @example
 * const migrations = { …, '0003_lean_locks': leanLocks('sqlite') };
 */
export function leanLocks(backend: Backend): Migration {
  return {
    async up(db: Kysely<any>) {
      if (backend === 'postgres') {
        await db.schema.dropIndex('locks_run_id_idx').execute();
        return;
      }
      await db.schema
        .createTable('locks_clustered')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('hostname', 'text', (c) => c.notNull())
        .addColumn('acquired_at', 'text', (c) => c.notNull())
        .addColumn('heartbeat_at', 'text', (c) => c.notNull())
        .modifyEnd(sql`without rowid`)
        .execute();
      await sql`insert into locks_clustered (key, run_id, pid, hostname, acquired_at, heartbeat_at)
        select key, run_id, pid, hostname, acquired_at, heartbeat_at from locks`.execute(db);
      await db.schema.dropTable('locks').execute();
      await db.schema.alterTable('locks_clustered').renameTo('locks').execute();
    },
  };
}
