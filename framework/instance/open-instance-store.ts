import type { InstanceStore } from './instance-store.js';

/** Where the instance store lives: a SQLite file (default) or a PostgreSQL database. */
export type InstanceStoreConfig =
  | { type: 'sqlite'; path: string }
  | {
      type: 'postgres';
      url: string;
      schema?: string;
      /** The environment variables the URL came from (e.g. `SHOPFLOW_INSTANCE_URL`), named in errors. */
      urlVariables?: readonly string[];
    };

/**
 * Opens the configured instance store and applies pending migrations, ready to use.
 *
 * @example
 * const store = await openInstanceStore({ type: 'sqlite', path: join(home, 'instance.db') });
 * try {
 *   await store.listRuns({ limit: 10 });
 * } finally {
 *   await store.close();
 * }
 */
export async function openInstanceStore(config: InstanceStoreConfig): Promise<InstanceStore> {
  // NOTE: each backend (with Kysely and its driver) is imported when it is opened, so commands that
  // never open the store (help) do not load it, and a SQLite instance never loads `pg`.
  const store =
    config.type === 'sqlite'
      ? await (await import('./sqlite/sqlite-instance-store.js')).createSqliteInstanceStore(config.path)
      : await (await import('./postgres/postgres-instance-store.js')).createPostgresInstanceStore(
          config.url,
          {
            schema: config.schema,
            urlVariables: config.urlVariables,
          },
        );
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
