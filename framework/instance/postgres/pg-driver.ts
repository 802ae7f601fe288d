import { lazyModule } from '../../modules/lazy-module.js';

// NOTE: `pg` is required when a pool is first opened, so processes on the SQLite instance store
// (and commands that never open one, like help) do not load it.

/** The `pg` driver, loaded on first use. */
export const pgDriver = lazyModule<typeof import('pg')>('pg');
