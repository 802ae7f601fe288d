import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureEmbeddedPostgres,
  stopEmbeddedPostgres,
} from '../../resources/postgres/embedded-postgres-server.js';

/** A real PostgreSQL server for one test file, in a fresh temporary folder. */
export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL from the `embedded-postgres` binaries.
 *
 * @example
 * let pg: TestPostgres;
 * beforeAll(async () => { pg = await startTestPostgres(); });
 * afterAll(async () => { await pg.stop(); });
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const parent = mkdtempSync(join(tmpdir(), 'shopflow-pg-'));
  // NOTE: when tests run as root the server runs as `postgres`, which must reach this folder.
  chmodSync(parent, 0o777);
  const dir = join(parent, 'pg');
  const server = await ensureEmbeddedPostgres(dir);
  return {
    url: server.url,
    async stop() {
      await stopEmbeddedPostgres(dir);
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
