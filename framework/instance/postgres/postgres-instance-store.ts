import { Kysely, PostgresDialect, sql } from 'kysely';
import { ShopflowError } from '../../errors/error-catalog.js';
import type { InstanceStore } from '../instance-store.js';
import { KyselyInstanceStore } from '../kysely-instance-store.js';
import type { Database } from '../schema.js';
import { createPostgresPool } from './create-postgres-pool.js';
import { migratePostgresDatabase } from './migrate-postgres-database.js';

/** The schema the PostgreSQL instance store lives in unless told otherwise. */
export const DEFAULT_INSTANCE_SCHEMA = 'shopflow_instance';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * An instance store in PostgreSQL, in its own schema (default `shopflow_instance`, created by
 * `migrate()` if missing) so it can share a database with the warehouse. Many processes and machines
 * can use one store at once. Connects once to fail fast: an unreachable server, wrong password or
 * missing database is an `SF_UNREACHABLE` error naming `host:port` (and `urlVariables`, the
 * environment variables the URL came from, in the fix).
 *
 * @example
 * const store = await createPostgresInstanceStore(process.env.DATABASE_URL!, { schema: 'shopflow_instance' });
 * await store.migrate();
 */
export async function createPostgresInstanceStore(
  url: string,
  options: { schema?: string; urlVariables?: readonly string[] } = {},
): Promise<InstanceStore> {
  const schema = options.schema ?? DEFAULT_INSTANCE_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) {
    throw new ShopflowError(
      'SF_CONFIG_INVALID',
      `the instance store schema \`${schema}\` is not a plain identifier`,
      {
        hint: 'use lowercase letters, digits and underscores, starting with a letter, e.g. `shopflow_instance`',
      },
    );
  }
  const { pool, endpoint } = createPostgresPool(url, { variables: options.urlVariables });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const where = `at ${endpoint} (schema \`${schema}\`)`;
  const eventSequenceKey = `shopflow_instance.events.${schema}`;
  return new KyselyInstanceStore({
    backend: 'postgres',
    db: db.withSchema(schema),
    schema,
    migrate: () => migratePostgresDatabase(db, schema, where),
    async lockEventSequence(trx) {
      // NOTE: ids come from a sequence, and parallel transactions could commit them out of order, so a
      // reader following `afterId` would skip one. Holding this lock until commit keeps them in order.
      await sql`select pg_advisory_xact_lock(hashtext(${eventSequenceKey}))`.execute(trx);
    },
  });
}
