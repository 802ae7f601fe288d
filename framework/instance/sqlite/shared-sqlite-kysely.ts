import { resolve } from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../schema.js';
import { openSqliteDatabase } from './open-sqlite-database.js';

/** A Kysely over one SQLite file, shared by every store of that file in this process. */
export interface SharedSqliteKysely {
  db: Kysely<Database>;
  /** Gives the handle back; the file is closed when the last holder releases it. */
  release(): Promise<void>;
}

interface Entry {
  db: Kysely<Database>;
  holders: number;
}

// NOTE: better-sqlite3 blocks the thread while it waits for another connection's lock, so two
// connections to one file in one process could each wait for the other until the busy timeout.
// Sharing one connection (Kysely queues its users) avoids that; other processes are unaffected.
const open = new Map<string, Entry>();

/**
 * Opens the SQLite file at `path`, or joins the connection this process already has to it.
 * `:memory:` always opens a private database.
 *
 * @example
 * const { db, release } = acquireSqliteKysely(join(home, 'instance.db'));
 * try { await db.selectFrom('runs').selectAll().execute(); } finally { await release(); }
 */
export function acquireSqliteKysely(path: string): SharedSqliteKysely {
  const key = path === ':memory:' ? undefined : resolve(path);
  let entry = key === undefined ? undefined : open.get(key);
  if (!entry) {
    const database = openSqliteDatabase(path);
    entry = { db: new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), holders: 0 };
    if (key !== undefined) open.set(key, entry);
  }
  const shared = entry;
  shared.holders += 1;
  let released = false;
  return {
    db: shared.db,
    async release() {
      if (released) return;
      released = true;
      shared.holders -= 1;
      if (shared.holders > 0) return;
      if (key !== undefined && open.get(key) === shared) open.delete(key);
      await shared.db.destroy();
    },
  };
}
