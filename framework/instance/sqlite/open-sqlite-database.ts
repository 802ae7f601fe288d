import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { ShopflowError } from '../../errors/error-catalog.js';

/** How long a writer waits for another process's write lock before giving up. */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/**
 * Opens (creating it and its parent folders if needed) the SQLite file of an instance store in WAL
 * mode, so readers never block the one writer and several processes can share the file; temporary
 * tables, sorts and statement journals are kept in memory.
 *
 * @example
 * const database = openSqliteDatabase(join(home, 'instance.db'));
 */
export function openSqliteDatabase(path: string): SqliteDatabase.Database {
  try {
    if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
    const database = new SqliteDatabase(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    try {
      database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = NORMAL');
      // NOTE: statement journals and sorts stay in memory: on disk each is a file created and
      // removed, hundreds per run, which costs the file system far more than the bytes.
      database.pragma('temp_store = MEMORY');
    } catch (error) {
      database.close();
      throw error;
    }
    return database;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ShopflowError(
      'SF_INSTANCE_STORE',
      `cannot open the SQLite instance store \`${path}\`: ${reason}`,
      {
        hint: 'check that the folder is writable and the file is a SQLite database, or set another home with --home or SHOPFLOW_HOME',
        cause: error,
      },
    );
  }
}
