import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, ListObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import shopflow, { shopflowSchedules, shopflowSensors } from '../../../assets/definitions.js';
import { notifierAlertSink } from '../../../assets/hooks/notifier-alert-sink.js';
import { notifier } from '../../../assets/resources/notifier.js';
import { postgresWarehouse } from '../../../assets/resources/postgres-warehouse.js';
import { type LoadedConfig, loadConfig, ShopflowRuntime } from '../../../framework/index.js';
import { ShopflowDaemon } from '../../../schedules/index.js';
import { createServer } from '../../../server/create-server.js';
import { silentLog, tempHome } from '../../support/example-runtime.js';
import { startTestPostgres, type TestPostgres } from '../../support/test-postgres.js';
import { startTestS3, TEST_S3_CREDENTIALS, type TestS3 } from '../../support/test-s3.js';
import { startWebhookReceiver } from '../notifier/webhook-receiver.js';

const TOKEN = 'prod-config-test-token-0123456789';
const REPO = resolve(import.meta.dirname, '../../..');
const clock = { now: new Date('2024-01-06T12:00:00Z') };
const saved: Record<string, string | undefined> = {};
const cleanups: Array<() => Promise<void> | void> = [];
let pgServer: TestPostgres;
let s3: TestS3;
let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let config: LoadedConfig;
let runtime: ShopflowRuntime;

function setEnv(values: Record<string, string>) {
  for (const [name, value] of Object.entries(values)) {
    if (!(name in saved)) saved[name] = process.env[name];
    process.env[name] = value;
  }
}

async function createDatabase(url: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const next = new URL(url);
  next.pathname = `/${name}`;
  return next.toString();
}

beforeAll(async () => {
  const home = tempHome('shopflow-prod-');
  cleanups.push(home.cleanup);
  pgServer = await startTestPostgres();
  cleanups.push(() => pgServer.stop());
  s3 = await startTestS3({ bucket: 'acme-shopflow-lake' });
  cleanups.push(() => s3.stop());
  webhook = await startWebhookReceiver();
  cleanups.push(() => webhook.close());
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { ...TEST_S3_CREDENTIALS },
  });
  await client.send(new CreateBucketCommand({ Bucket: 'acme-shopflow-landing' }));
  client.destroy();
  setEnv({
    AWS_ACCESS_KEY_ID: TEST_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_S3_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    SHOPFLOW_SCALE: '0.2',
  });
  const environment = {
    SHOPFLOW_HOME: home.home,
    SHOPFLOW_INSTANCE_URL: await createDatabase(pgServer.url, 'shopflow_instance'),
    SHOPFLOW_LAKE_BUCKET: 'acme-shopflow-lake',
    SHOPFLOW_LANDING_BUCKET: 'acme-shopflow-landing',
    DATABASE_URL: await createDatabase(pgServer.url, 'shopflow_warehouse'),
    SHOPFLOW_WEBHOOK_URL: webhook.url,
    SHOPFLOW_LOG_LEVEL: 'warn',
  };
  mkdirSync(home.home, { recursive: true });
  config = loadConfig({ env: 'prod', cwd: REPO, environment: { ...process.env, ...environment } });
  runtime = await ShopflowRuntime.open({
    config,
    definitions: shopflow,
    log: silentLog,
    now: () => clock.now,
  });
  cleanups.push(() => runtime.close());
}, 300_000);

afterAll(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** Every object key under `prefix` in a bucket of the test's S3 server. */
async function keysIn(bucket: string, prefix: string): Promise<string[]> {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { ...TEST_S3_CREDENTIALS },
  });
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, Marker: token }),
      );
      for (const item of page.Contents ?? []) keys.push(item.Key!);
      token = page.IsTruncated ? keys.at(-1) : undefined;
    } while (token);
    return keys;
  } finally {
    client.destroy();
  }
}

async function warehouseDays(): Promise<string[]> {
  const warehouse = await runtime.resources.get(postgresWarehouse);
  const { rows } = await warehouse.query(
    `select distinct delivery_date::text as day from shopflow_dw.fact_sales order by 1`,
  );
  return rows.map((r) => String(r.day));
}

describe('config/prod.yaml on local stand-ins of its servers', () => {
  test('runs the whole graph: PostgreSQL instance store and warehouse, S3 lake and landing zone', async () => {
    expect(config.source).toBe(join(REPO, 'config', 'prod.yaml'));
    expect(config.instance.type).toBe('postgres');
    expect(runtime.store.backend).toBe('postgres');
    expect(runtime.lake.description).toBe('s3://acme-shopflow-lake/lake/');
    const result = await runtime.execute(await runtime.plan());
    const failed = [...result.outcomes.values()].filter((o) => o.status !== 'success');
    expect(failed.map((o) => `${o.key}: ${o.message}`)).toEqual([]);
    expect(result.status).toBe('success');
    // The landing zone and the lake are the two buckets; nothing of either sits in the home.
    const landed = await keysIn('acme-shopflow-landing', 'raw/');
    expect(landed).toContain('raw/year=2024/month=01/day=05/transactions/transactions.csv');
    const lake = await keysIn('acme-shopflow-lake', 'lake/silver_transactions/');
    expect(lake.some((key) => key.includes('2024-01-05'))).toBe(true);
    expect(existsSync(join(config.home, 'lake'))).toBe(false);
    expect(await warehouseDays()).toEqual([
      '2024-01-01',
      '2024-01-02',
      '2024-01-03',
      '2024-01-04',
      '2024-01-05',
    ]);
  });

  test('the daemon materializes the new day at the nightly tick; the web server serves the same graph', async () => {
    const daemon = new ShopflowDaemon({
      runtime,
      schedules: shopflowSchedules,
      sensors: shopflowSensors,
      alerts: notifierAlertSink(await runtime.resources.get(notifier)),
      now: () => clock.now,
    });
    cleanups.push(() => daemon.idle());
    await daemon.tick(clock.now);
    await daemon.idle();
    // 02:05 in Berlin on 2024-01-07: the nightly tick for 2024-01-06.
    clock.now = new Date('2024-01-07T01:05:00Z');
    await daemon.tick(clock.now);
    await daemon.idle();
    clock.now = new Date('2024-01-07T01:06:00Z');
    await daemon.tick(clock.now);
    const nightly = await runtime.store.listTicks({ name: 'nightly_pipeline' });
    expect(nightly.map((t) => [t.scheduledTime, t.status, t.runStatus])).toEqual([
      ['2024-01-07T01:00:00.000Z', 'launched', 'success'],
    ]);
    expect(await warehouseDays()).toContain('2024-01-06');

    // A separate runtime on the same configuration, as `shopflow serve` opens it.
    const served = await ShopflowRuntime.open({
      config,
      definitions: shopflow,
      log: silentLog,
      now: () => clock.now,
    });
    cleanups.push(() => served.close());
    const app = createServer({ runtime: served, token: TOKEN, host: '127.0.0.1', port: 0, log: silentLog });
    cleanups.push(() => app.close());
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const get = async (path: string) => {
      const response = await fetch(`${address}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status, path).toBe(200);
      return (await response.json()) as any;
    };
    const health = await get('/api/health');
    expect(health).toMatchObject({ status: 'ok', store: 'postgres', assets: shopflow.assets.length });
    const graph = (await get('/api/graph')) as {
      nodes: Array<{ key: string; status: string; partitions: { total: number; materialized: number } }>;
      edges: Array<{ from: string; to: string }>;
    };
    expect(graph.nodes.map((n) => n.key).sort()).toEqual(shopflow.assets.map((a) => a.key).sort());
    const expectedEdges = shopflow.assets.flatMap((a) =>
      shopflow.graph.upstream(a.key).map((d) => `${d.assetKey} → ${a.key}`),
    );
    expect(graph.edges.map((e) => `${e.from} → ${e.to}`).sort()).toEqual([...new Set(expectedEdges)].sort());
    const node = (key: string) => graph.nodes.find((n) => n.key === key)!;
    for (const key of ['bronze_transactions', 'silver_transactions', 'fact_sales', 'gold_sales_daily']) {
      expect(node(key).partitions, key).toMatchObject({ total: 6, materialized: 6 });
    }
    const preview = await get('/api/assets/silver_transactions/preview?partition=2024-01-06&limit=3');
    expect(preview.rows.length).toBeGreaterThan(0);
  });
});
