import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
import { stopEmbeddedPostgres } from '../../../resources/postgres/embedded-postgres-server.js';
import {
  createPostgresResource,
  type PostgresResource,
} from '../../../resources/postgres/postgres-resource.js';
import { startTestPostgres, type TestPostgres } from '../../support/test-postgres.js';

let server: TestPostgres;

beforeAll(async () => {
  server = await startTestPostgres();
});

afterAll(async () => {
  await server?.stop();
});

async function closedPort(): Promise<number> {
  return await new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function terminate(applicationName: string): Promise<number> {
  const admin = new pg.Client(server.url);
  await admin.connect();
  try {
    const { rows } = await admin.query(
      'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = $1',
      [applicationName],
    );
    return rows[0].n;
  } finally {
    await admin.end();
  }
}

describe('createPostgresResource (url mode)', () => {
  it('queries, shows the URL without its password and returns dates as text', async () => {
    const postgres = await createPostgresResource({ mode: 'url', url: server.url });
    try {
      const password = new URL(server.url).password;
      expect(postgres.url).toContain(':***@127.0.0.1:');
      expect(postgres.url).not.toContain(password);
      const { rows } = await postgres.query(
        "select date '2024-02-29' as d, 1::bigint as n, $1::int as p",
        [7],
      );
      expect(rows).toEqual([{ d: '2024-02-29', n: '1', p: 7 }]);
    } finally {
      await postgres.close();
      await postgres.close();
    }
  });

  it('withTransaction commits on success and rolls back when the function throws', async () => {
    const postgres = await createPostgresResource({ mode: 'url', url: server.url });
    try {
      await postgres.query('create table tx_probe (x int)');
      await postgres.withTransaction(async (client) => {
        await client.query('insert into tx_probe values (1)');
      });
      await expect(
        postgres.withTransaction(async (client) => {
          await client.query('insert into tx_probe values (2)');
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      const { rows } = await postgres.query('select x from tx_probe');
      expect(rows).toEqual([{ x: 1 }]);
    } finally {
      await postgres.close();
    }
  });

  it('names host:port, never the password, when the server cannot be reached', async () => {
    const port = await closedPort();
    const error = await createPostgresResource(
      { mode: 'url', url: `postgres://shopflow:hunter2secret@127.0.0.1:${port}/shopflow` },
      { connectTimeoutMs: 2_000 },
    ).catch((caught: unknown) => caught);
    expect(isShopflowError(error, 'SF_UNREACHABLE')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(`cannot reach PostgreSQL at 127.0.0.1:${port}`);
    expect(message).toContain(
      'start the server or fix `resources.postgres.url` (config/prod.yaml takes it from DATABASE_URL',
    );
    expect(message).not.toContain('hunter2secret');
    expect(JSON.stringify((error as { details?: unknown }).details ?? {})).not.toContain('hunter2secret');
  });

  it('reports a refused login as a configuration error without the password', async () => {
    const url = new URL(server.url);
    url.password = 'wrong-password-42';
    const error = await createPostgresResource({ mode: 'url', url: url.toString() }).catch(
      (caught: unknown) => caught,
    );
    expect(isShopflowError(error, 'SF_CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('refused the login');
    expect((error as Error).message).not.toContain('wrong-password-42');
  });

  it('survives an idle connection being killed, reports it and reconnects', async () => {
    const idleErrors: Error[] = [];
    const postgres = await createPostgresResource(
      { mode: 'url', url: server.url },
      { applicationName: 'shopflow-idle-test', onIdleError: (error) => idleErrors.push(error) },
    );
    try {
      expect(postgres.pool.idleCount).toBe(1);
      expect(await terminate('shopflow-idle-test')).toBe(1);
      await until(() => idleErrors.length === 1, 'the idle error');
      const { rows } = await postgres.query('select 1 as ok');
      expect(rows).toEqual([{ ok: 1 }]);
    } finally {
      await postgres.close();
    }
  });

  it('survives a connection killed inside a transaction, failing only that transaction', async () => {
    const postgres = await createPostgresResource(
      { mode: 'url', url: server.url },
      { applicationName: 'shopflow-busy-test', onIdleError: () => {} },
    );
    try {
      const error = await postgres
        .withTransaction(async (client) => {
          await client.query('select 1');
          await terminate('shopflow-busy-test');
          await new Promise((resolve) => setTimeout(resolve, 200));
          await client.query('select 2');
        })
        .catch((caught: unknown) => caught);
      expect(isShopflowError(error, 'SF_UNREACHABLE')).toBe(true);
      const { rows } = await postgres.query('select 3 as ok');
      expect(rows).toEqual([{ ok: 3 }]);
    } finally {
      await postgres.close();
    }
  });
});

describe('createPostgresResource (embedded mode)', () => {
  it('starts the server on first use and reuses it afterwards', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'shopflow-embedded-'));
    chmodSync(parent, 0o777);
    const dir = join(parent, 'pg');
    let first: PostgresResource | undefined;
    let second: PostgresResource | undefined;
    try {
      first = await createPostgresResource({ mode: 'embedded', dir });
      second = await createPostgresResource({ mode: 'embedded', dir });
      expect(second.url).toBe(first.url);
      const { rows } = await second.query('select current_database() as db');
      expect(rows).toEqual([{ db: 'shopflow' }]);
    } finally {
      await first?.close();
      await second?.close();
      await stopEmbeddedPostgres(dir);
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('places the server in <home>/postgres when no folder is given', async () => {
    const home = mkdtempSync(join(tmpdir(), 'shopflow-home-'));
    chmodSync(home, 0o777);
    let postgres: PostgresResource | undefined;
    try {
      postgres = await createPostgresResource({ mode: 'embedded' }, { home });
      expect((await postgres.query('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await postgres?.close();
      await stopEmbeddedPostgres(join(home, 'postgres'));
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('rejects an invalid temp_buffers size', async () => {
    await expect(
      createPostgresResource({ mode: 'url', url: server.url }, { tempBuffers: '1; drop' }),
    ).rejects.toMatchObject({ code: 'SF_CONFIG_INVALID' });
  });
});
