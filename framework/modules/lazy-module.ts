import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A loader for a package only some commands use (the PostgreSQL driver, the AWS SDK, pino,
 * prom-client): the first call requires it, every later call returns the same module. Commands
 * that never call it never load it.
 *
 * NOTE: the module is kept once loaded rather than asked of `require` again: in the built CLI,
 * Node resolved `pg` anew on every call (four file-system lookups each), and the warehouse's type
 * parser asks for the driver per column of every result, about 5,000 times in a run of the whole
 * graph.
 *
 * @example
 * export const pgDriver = lazyModule<typeof import('pg')>('pg');
 * const pool = new (pgDriver().Pool)({ connectionString });
 */
export function lazyModule<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(specifier) as T;
    return loaded;
  };
}
