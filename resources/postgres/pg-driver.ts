import { lazyModule } from '../../framework/modules/lazy-module.js';

// NOTE: `pg` and `pg-copy-streams` are required on first use, so commands that never reach
// PostgreSQL (help, listing assets, generating data) do not load them.

/** The `pg` driver, loaded on first use. */
export const pgDriver = lazyModule<typeof import('pg')>('pg');

/** `pg-copy-streams` (COPY FROM STDIN as a writable stream), loaded on first use. */
export const pgCopyStreams = lazyModule<typeof import('pg-copy-streams')>('pg-copy-streams');
