import { createRequire } from 'node:module';

// NOTE: `pg` is required when a pool is first opened, so processes on the SQLite instance store
// (and commands that never open one, like help) do not load it.
const require = createRequire(import.meta.url);

/** The `pg` driver, loaded on first use. */
export function pgDriver(): typeof import('pg') {
  return require('pg') as typeof import('pg');
}
