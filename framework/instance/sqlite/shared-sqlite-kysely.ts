import { resolve } from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDialectConfig } from 'kysely';
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

/** Prepared statements one connection keeps (the store issues a few dozen distinct ones). */
const STATEMENT_CACHE = 256;

/**
 * The database as Kysely uses it, preparing each distinct SQL text once: Kysely prepares every query
 * it runs, and compiling the same statement again is a large part of a small write's cost. Kysely
 * runs one query at a time on the shared connection, so a cached statement is never in use twice.
 */
function withStatementCache(database: SqliteDatabase.Database): SqliteDialectConfig['database'] {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement) {
        // NOTE: least recently used last, so the oldest is the one evicted.
        cache.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  } as SqliteDialectConfig['database'];
}

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
    entry = {
      db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }),
      holders: 0,
    };
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
