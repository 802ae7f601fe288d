import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { postgresWarehouse } from '../../../assets/resources/postgres-warehouse.js';
import { dimDate } from '../../../assets/warehouse/dim-date.js';
import { postgresTableIo } from '../../../assets/warehouse/postgres-table-io.js';
import {
  daily,
  defineAsset,
  defineDefinitions,
  materialized,
  type ShopflowRuntime,
} from '../../../framework/index.js';
import {
  embeddedPostgresIsRunning,
  ensureEmbeddedPostgres,
  stopEmbeddedPostgres,
} from '../../../resources/postgres/embedded-postgres-server.js';
import { defineSchedule, previousDayPartition, ShopflowDaemon } from '../../../schedules/index.js';
import { createServer } from '../../../server/create-server.js';
import { openTestRuntime, silentLog, tempHome } from '../../support/example-runtime.js';

const TOKEN = 'restart-token-0123456789abcdef';
const partitions = daily({ start: '2024-01-01', timezone: 'UTC' });

/** A daily asset the daemon materializes into the warehouse every night. */
const pgDaily = defineAsset({
  key: 'pg_daily',
  group: 'warehouse',
  description: 'One row per day, written by the daemon into PostgreSQL.',
  partitions,
  io: postgresTableIo('public.pg_daily_test', { orderBy: 'day', partitionColumn: 'day' }),
  schema: z.object({ day: z.iso.date(), n: z.int() }),
  async materialize({ resource, partitionKey }) {
    const warehouse = await resource(postgresWarehouse);
    await warehouse.query(
      'create table if not exists public.pg_daily_test (day text primary key, n int not null)',
    );
    await warehouse.query(
      'insert into public.pg_daily_test (day, n) values ($1, 1) on conflict (day) do update set n = pg_daily_test.n + 1',
      [partitionKey],
    );
    return materialized({ rowCount: 1, dataVersion: `day-${partitionKey}` });
  },
});

const nightly = defineSchedule({
  name: 'nightly_pg',
  cron: '0 5 * * *',
  selection: 'pg_daily',
  partitions: previousDayPartition(partitions),
  catchUp: 'latest',
});

let home: ReturnType<typeof tempHome>;
let pgDir: string;
let runtime: ShopflowRuntime;
let app: FastifyInstance;
let daemon: ShopflowDaemon;
let base: string;
const clock = { now: new Date('2024-01-03T06:00:00Z') };

function embeddedPort(): number {
  return (JSON.parse(readFileSync(join(pgDir, 'server.json'), 'utf8')) as { port: number }).port;
}

/** What `shopflow db stop` and then any command that needs PostgreSQL do: it comes back elsewhere. */
async function restartElsewhere(): Promise<{ before: number; after: number }> {
  const before = embeddedPort();
  let after = before;
  // NOTE: a free port is picked at each start; in the unlikely case it is the same one, again.
  for (let i = 0; i < 5 && after === before; i++) {
    await stopEmbeddedPostgres(pgDir);
    after = (await ensureEmbeddedPostgres(pgDir)).port;
  }
  return { before, after };
}

async function preview(key: string) {
  const response = await fetch(`${base}api/assets/${key}/preview?limit=3`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** One daemon tick a day later; returns the status of the run it launched. */
async function nextNight(): Promise<string> {
  clock.now = new Date(clock.now.getTime() + 86_400_000);
  await daemon.tick(clock.now);
  await daemon.idle();
  const [run] = await runtime.store.listRuns({ limit: 1 });
  expect(run.tags.schedule).toBe('nightly_pg');
  return run.status;
}

beforeAll(async () => {
  home = tempHome('shopflow-pg-restart-');
  // NOTE: the embedded PostgreSQL runs as `postgres` when tests run as root; it must reach the home.
  chmodSync(home.home, 0o755);
  pgDir = join(home.home, 'postgres');
  runtime = await openTestRuntime(
    defineDefinitions({ assets: [dimDate, pgDaily], resources: [postgresWarehouse], schedules: [nightly] }),
    home.home,
    { now: () => clock.now, config: { resources: { postgres: { mode: 'embedded' } } } },
  );
  await runtime.execute(await runtime.plan({ selection: 'dim_date' }));
  daemon = new ShopflowDaemon({
    runtime,
    schedules: [nightly],
    sensors: [],
    now: () => clock.now,
    alertOnRunFailures: false,
  });
  // NOTE: the first tick only starts the schedule's cursor; each later night launches a run.
  await daemon.tick(clock.now);
  await daemon.idle();
  app = createServer({ runtime, token: TOKEN, host: '127.0.0.1', port: 0, log: silentLog });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/`;
});

afterAll(async () => {
  await daemon?.idle();
  await app?.close();
  await runtime?.close();
  if (pgDir) await stopEmbeddedPostgres(pgDir);
  home?.cleanup();
});

describe('a running server and daemon when the embedded PostgreSQL restarts', () => {
  test('before: previews show rows and type names; the daemon loads a night', async () => {
    const { status, body } = await preview('dim_date');
    expect(status).toBe(200);
    expect(body.rows).toHaveLength(3);
    const types = Object.fromEntries(
      body.columns.map((c: { name: string; type: string }) => [c.name, c.type]),
    );
    expect(types).toMatchObject({
      date_sk: 'integer',
      date: 'date',
      month_name: 'text',
      is_weekend: 'boolean',
    });
    expect(Object.values(types).some((t) => /^\d+$/.test(String(t)))).toBe(false);
    expect(await nextNight()).toBe('success');
  });

  test('it came back on another port: both follow it without a restart', async () => {
    const { before, after } = await restartElsewhere();
    expect(after).not.toBe(before);
    const { status, body } = await preview('dim_date');
    expect(status).toBe(200);
    expect(body.rows).toHaveLength(3);
    expect(await nextNight()).toBe('success');
    expect((await preview('pg_daily')).body.rows.map((r: { day: string }) => r.day)).toHaveLength(1);
  });

  test('it is down: the server starts it again, as the CLI does, and the daemon goes on', async () => {
    await stopEmbeddedPostgres(pgDir);
    expect(embeddedPostgresIsRunning(pgDir)).toBe(false);
    const { status, body } = await preview('dim_date');
    expect(status).toBe(200);
    expect(body.rows).toHaveLength(3);
    expect(embeddedPostgresIsRunning(pgDir)).toBe(true);
    await restartElsewhere();
    expect(await nextNight()).toBe('success');
    const days = await runtime.store.listMaterializations({ assetKey: 'pg_daily' });
    expect(days.map((m) => m.partitionKey).sort()).toEqual(['2024-01-03', '2024-01-04', '2024-01-05']);
  });
});
