import { type Kysely, sql } from 'kysely';
import { ShopflowError } from '../../errors/error-catalog.js';
import { migrateInstanceDatabase } from '../migrations/migrate-instance-database.js';
import type { Database } from '../schema.js';

/**
 * Creates the store's schema if missing and migrates it, holding a session advisory lock (one per
 * schema) so that concurrent callers in any process wait and then find nothing left to do. The
 * migrations themselves run in one transaction.
 *
 * @example
 * await migratePostgresDatabase(db, 'shopflow_instance', 'at db:5432');
 */
export async function migratePostgresDatabase(
  db: Kysely<Database>,
  schema: string,
  where: string,
): Promise<void> {
  const lockKey = `shopflow_instance.migrate.${schema}`;
  await db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(hashtext(${lockKey}))`.execute(connection);
    try {
      const existing = await sql<{
        found: number;
      }>`select 1 as found from pg_namespace where nspname = ${schema}`.execute(connection);
      if (existing.rows.length === 0) {
        try {
          await sql`create schema ${sql.id(schema)}`.execute(connection);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new ShopflowError(
            'SF_INSTANCE_STORE',
            `cannot create the schema \`${schema}\` ${where}: ${reason}`,
            {
              hint: `grant the user CREATE on the database, or create the schema \`${schema}\` beforehand`,
              cause: error,
            },
          );
        }
      }
      await migrateInstanceDatabase(connection.withSchema(schema), { backend: 'postgres', schema, where });
    } finally {
      // NOTE: if the connection broke, the server already dropped the session lock with it.
      await sql`select pg_advisory_unlock(hashtext(${lockKey}))`.execute(connection).catch(() => {});
    }
  });
}
