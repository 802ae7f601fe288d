import { type Kysely, sql } from 'kysely';
import { ShopflowError } from '../../errors/error-catalog.js';
import { migrateInstanceDatabase } from '../migrations/migrate-instance-database.js';
import type { Database } from '../schema.js';
import { SQLITE_BUSY_TIMEOUT_MS } from './open-sqlite-database.js';

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
