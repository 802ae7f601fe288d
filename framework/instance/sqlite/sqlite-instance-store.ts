import { Kysely, SqliteDialect } from 'kysely';
import type { InstanceStore } from '../instance-store.js';
import { KyselyInstanceStore } from '../kysely-instance-store.js';
import type { Database } from '../schema.js';
import { migrateSqliteDatabase } from './migrate-sqlite-database.js';
import { openSqliteDatabase } from './open-sqlite-database.js';

/**
 * An instance store in one SQLite file (WAL mode, 10 s busy timeout, `synchronous=NORMAL`); parent
 * folders are created, `:memory:` gives a private in-memory store. Call `migrate()` before use, or
 * use `openInstanceStore`, which does.
 *
 * @example
 * const store = await createSqliteInstanceStore(join(home, 'instance.db'));
 * await store.migrate();
 */
export async function createSqliteInstanceStore(path: string): Promise<InstanceStore> {
  const database = openSqliteDatabase(path);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return new KyselyInstanceStore({ backend: 'sqlite', db, migrate: () => migrateSqliteDatabase(db, path) });
}
