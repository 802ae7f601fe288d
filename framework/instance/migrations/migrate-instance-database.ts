import { type Kysely, Migrator } from 'kysely';
import { ShopflowError } from '../../errors/error-catalog.js';
import type { InstanceStore } from '../instance-store.js';
import { InstanceMigrationProvider } from './instance-migration-provider.js';

/**
 * Applies every pending instance store migration. The caller holds the backend's cross-process
 * migration lock; this only runs Kysely's `Migrator` and turns a failure into a readable error.
 *
 * @example
 * await db.connection().execute((connection) => migrateInstanceDatabase(connection, { backend: 'sqlite' }));
 */
export async function migrateInstanceDatabase(
  db: Kysely<any>,
  options: { backend: InstanceStore['backend']; schema?: string; where: string },
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new InstanceMigrationProvider(options.backend),
    migrationTableSchema: options.schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((result) => result.status === 'Error')?.migrationName;
  const reason = error instanceof Error ? error.message : String(error);
  const newer = /previously executed migration .* is missing/.test(reason);
  throw new ShopflowError(
    'SF_INSTANCE_STORE',
    `migrating the instance store ${options.where}${failed ? ` failed at \`${failed}\`` : ' failed'}: ${reason}`,
    {
      hint: newer
        ? 'it was migrated by a newer ShopFlow; upgrade ShopFlow or point the instance store at another database'
        : 'check that the database is writable and that no other application owns these tables',
      cause: error,
    },
  );
}
