import { join } from 'node:path';
import { defineResource } from '../../framework/index.js';
import { applyDdl } from '../../resources/postgres/apply-ddl.js';
import { PostgresConfigSchema } from '../../resources/postgres/postgres-config.js';
import { createPostgresResource, type PostgresResource } from '../../resources/postgres/postgres-resource.js';

/**
 * The PostgreSQL warehouse (`resources.postgres`): an embedded server in `<home>/postgres` by
 * default, or `DATABASE_URL` in production. The DDL in `sql/ddl/` is applied (idempotently) when
 * the resource is first used in a process.
 */
export const postgresWarehouse = defineResource<PostgresResource, unknown>({
  name: 'postgres',
  configSchema: PostgresConfigSchema,
  async create({ config, home }) {
    const parsed = PostgresConfigSchema.parse(config ?? { mode: 'embedded' });
    const resource = await createPostgresResource(
      parsed.mode === 'embedded' ? { mode: 'embedded', dir: parsed.dir ?? join(home, 'postgres') } : parsed,
      { home, maxConnections: 6 },
    );
    await applyDdl(resource.pool);
    return resource;
  },
  dispose: (resource) => resource.close(),
});
