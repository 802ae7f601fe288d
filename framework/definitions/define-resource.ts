import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ShopflowConfig } from '../config/config-schema.js';

/** What a resource factory receives. */
export interface ResourceInitContext {
  /** The resource's own config section (`resources.<name>` in the config file), validated. */
  config: unknown;
  /** The home folder (`.shopflow` by default). */
  home: string;
  /** The whole validated configuration (for shared settings such as `data.rawDir`). */
  settings: ShopflowConfig;
  log: Logger;
}

/**
 * A typed client handed to assets (DuckDB is built in; PostgreSQL, object store, notifier … are
 * resources). Created lazily, once per process, the first time a step asks for it; disposed when
 * the run ends.
 *
 * @example
 * export const postgres = defineResource({
 *   name: 'postgres',
 *   configSchema: PostgresConfigSchema,
 *   create: ({ config, home }) => createPostgresResource(config, home),
 *   dispose: (pg) => pg.close(),
 * });
 */
export interface ResourceDefinition<T, C = unknown> {
  readonly name: string;
  readonly configSchema?: z.ZodType<C>;
  create(context: ResourceInitContext & { config: C }): Promise<T> | T;
  dispose?(value: T): Promise<void> | void;
}

export function defineResource<T, C = unknown>(
  definition: ResourceDefinition<T, C>,
): ResourceDefinition<T, C> {
  return Object.freeze({ ...definition });
}
