import { createRequire } from 'node:module';

// NOTE: `pg` and `pg-copy-streams` are required on first use, so commands that never reach
// PostgreSQL (help, listing assets, generating data) do not load them.
const require = createRequire(import.meta.url);

/** The `pg` driver, loaded on first use. */
export function pgDriver(): typeof import('pg') {
  return require('pg') as typeof import('pg');
}

/** `pg-copy-streams` (COPY FROM STDIN as a writable stream), loaded on first use. */
export function pgCopyStreams(): typeof import('pg-copy-streams') {
  return require('pg-copy-streams') as typeof import('pg-copy-streams');
}
