import type { InstanceStore } from '../instance-store.js';
import { KyselyInstanceStore } from '../kysely-instance-store.js';
import { migrateSqliteDatabase } from './migrate-sqlite-database.js';
import { acquireSqliteKysely } from './shared-sqlite-kysely.js';

/**
 * An instance store in one SQLite file (WAL mode, 10 s busy timeout, `synchronous=NORMAL`); parent
 * folders are created, `:memory:` gives a private in-memory store. Stores of one file in one process
 * share a connection; other processes may use the file at the same time. Call `migrate()` before use,
 * or use `openInstanceStore`, which does.
 *
 * @example
 * const store = await createSqliteInstanceStore(join(home, 'instance.db'));
 * await store.migrate();
 */
export async function createSqliteInstanceStore(path: string): Promise<InstanceStore> {
  const { db, release } = acquireSqliteKysely(path);
  return new KyselyInstanceStore({
    backend: 'sqlite',
    db,
    migrate: () => migrateSqliteDatabase(db, path),
    close: release,
  });
}
