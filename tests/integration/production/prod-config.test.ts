import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, ListObjectsCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import shopflow, { shopflowSchedules, shopflowSensors } from '../../../assets/definitions.js';
import { notifierAlertSink } from '../../../assets/hooks/notifier-alert-sink.js';
import { landingStore } from '../../../assets/resources/landing-store.js';
import { notifier } from '../../../assets/resources/notifier.js';
import { postgresWarehouse } from '../../../assets/resources/postgres-warehouse.js';
import { ClickstreamSettingsSchema } from '../../../assets/streaming/clickstream-settings.js';
import { explainAsset } from '../../../framework/executor/explain-asset.js';
import { openStepQueue } from '../../../framework/executor/queue/open-step-queue.js';
import { startStepWorker } from '../../../framework/executor/queue/step-worker.js';
import { type LoadedConfig, loadConfig, ShopflowRuntime, validateSection } from '../../../framework/index.js';
import { openStreamTransport } from '../../../resources/stream/open-stream-transport.js';
import { ShopflowDaemon } from '../../../schedules/index.js';
import { createServer } from '../../../server/create-server.js';
import { silentLog, tempHome } from '../../support/example-runtime.js';
import { startTestKinesis } from '../../support/test-kinesis.js';
import { startTestPostgres, type TestPostgres } from '../../support/test-postgres.js';
import { startTestS3, TEST_S3_CREDENTIALS, type TestS3, testS3Client } from '../../support/test-s3.js';
import { startWebhookReceiver } from '../notifier/webhook-receiver.js';
import { closeAll, consumeUntilIdle, lakeRows, produce } from '../stream/stream-fixture.js';

// config/prod.yaml as shipped, on local stand-ins of the servers it names: every `${VAR}` it reads
// points at them (PostgreSQL instance store and warehouse as two databases of one embedded server, the
// lake and landing buckets on s3rver, the webhook on a loopback HTTP server), and the AWS SDK's own
// endpoint variables (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_KINESIS) send its S3 and Kinesis calls to
// s3rver and kinesalite instead of AWS. Nothing else is overridden: the live calendar of the file
// (from 2024-01-01, 90 days back) seen from the injected clock gives five days; SHOPFLOW_SCALE keeps
// them small.
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
  const client = testS3Client(s3.endpoint);
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
  config = loadConfig({ env: 'prod', cwd: REPO, environment: { ...process.env, ...environment } });
  runtime = await ShopflowRuntime.open({
    config,
    definitions: shopflow,
    log: silentLog,
    now: () => clock.now,
  });
  cleanups.push(() => runtime.close());
  // NOTE: prod.yaml hands steps to `shopflow worker`s (executor.type: queue): one worker takes them
  // here, on the same code path as the worker command, in this process.
  expect(config.executor.type).toBe('queue');
  const queue = await openStepQueue(config.instance);
  cleanups.push(() => queue.close(false));
  await startStepWorker({
    queue,
    services: runtime.services,
    queueName: config.executor.queue,
    concurrency: config.executor.concurrency,
    heartbeatMs: config.executor.heartbeatSeconds * 1000,
    leaseMs: config.executor.leaseSeconds * 1000,
    name: 'prod-test-worker',
  });
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
  const client = testS3Client(s3.endpoint);
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

// NOTE: `metrics.emf: true` in prod.yaml: the runtimes write CloudWatch embedded-metric lines to
// stderr. They are kept here (and out of the test output) to be checked.
const emfLines: Array<Record<string, unknown>> = [];
beforeAll(() => {
  const write = process.stderr.write.bind(process.stderr);
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
    const text = String(chunk);
    if (!text.startsWith('{"_aws"')) return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    for (const line of text.trim().split('\n')) emfLines.push(JSON.parse(line));
    return true;
  }) as typeof process.stderr.write);
  return () => spy.mockRestore();
});

describe('config/prod.yaml on local stand-ins of its servers', () => {
  test('runs the whole graph: PostgreSQL instance store and warehouse, S3 lake and landing zone', async () => {
    expect(config.source).toBe(join(REPO, 'config', 'prod.yaml'));
    expect(config.instance).toMatchObject({ type: 'postgres', schema: 'shopflow' });
    expect(config.lake).toMatchObject({ type: 's3', bucket: 'acme-shopflow-lake', read: 'auto' });
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
    // lake.symlinks: every committed partition has the manifest its Glue table reads.
    const symlinks = await keysIn('acme-shopflow-lake', 'lake/_symlinks/silver_transactions/');
    expect(symlinks).toContain('lake/_symlinks/silver_transactions/partition=2024-01-05/manifest');
    expect(existsSync(join(config.home, 'lake'))).toBe(false);
    // Its metrics, as CloudWatch reads them: per step (with the bytes of the Parquet files it wrote
    // to S3) and per run.
    const silver = emfLines.filter((l) => l.AssetKey === 'silver_transactions' && l.RunId === result.runId);
    expect(silver).toHaveLength(5);
    for (const line of silver) {
      expect(line.StepDurationMs).toBeGreaterThanOrEqual(0);
      expect(line.RowsWritten).toBeGreaterThan(0);
      expect(line.BytesWritten).toBeGreaterThan(0);
    }
    expect(emfLines.filter((l) => l.RunId === result.runId && 'RunDurationMs' in l)).toHaveLength(1);
    // The plans of an analytics asset: DuckDB's on the S3 lake (kept with its materialization), and
    // the same query's on the warehouse, executed.
    const [latestTop] = await runtime.store.listMaterializations({ assetKey: 'top_customers', limit: 1 });
    expect(String(latestTop.metadata.plan)).toMatch(/TOP_N/);
    const onWarehouse = await explainAsset(runtime, 'top_customers', { engine: 'postgres', analyze: true });
    expect(onWarehouse).toMatchObject({ engine: 'postgres', analyze: true, statement: null });
    expect(onWarehouse.plan).toMatch(/^Limit .*actual time=/);
    expect(onWarehouse.plan).toMatch(/Execution Time: [\d.]+ ms/);
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

  test('an unreadable re-delivery fails its run, keeps the previous version and reaches the webhook', async () => {
    const daemon = new ShopflowDaemon({
      runtime,
      schedules: shopflowSchedules,
      sensors: shopflowSensors,
      alerts: notifierAlertSink(await runtime.resources.get(notifier)),
      now: () => clock.now,
    });
    cleanups.push(() => daemon.idle());
    const before = await runtime.preview('bronze_transactions', '2024-01-03', 1000);
    expect(before.rows.length).toBeGreaterThan(0);
    const landing = await runtime.resources.get(landingStore);
    // The source re-delivers 2024-01-03's transactions as a file of the wrong shape.
    await landing.put('raw/year=2024/month=01/day=03/transactions/transactions.csv', 'id,amount\nabc,1\n');
    clock.now = new Date('2024-01-07T01:10:00Z');
    await daemon.tick(clock.now);
    await daemon.idle();
    clock.now = new Date('2024-01-07T01:11:00Z');
    await daemon.tick(clock.now);
    await daemon.idle();
    const requests = await runtime.store.listTicks({ name: 'landing_arrivals' });
    const [request] = requests.filter((t) => t.kind === 'request');
    expect(request).toMatchObject({ status: 'launched', runStatus: 'failed' });
    expect(request.message).toContain('bronze_transactions[2024-01-03]');
    const after = await runtime.preview('bronze_transactions', '2024-01-03', 1000);
    expect(after.rows).toEqual(before.rows);
    expect(await warehouseDays()).toContain('2024-01-03');
    expect(webhook.requests).toHaveLength(1);
    expect(webhook.requests[0]).toMatchObject({ method: 'POST', contentType: 'application/json' });
    expect(webhook.requests[0].body.text).toContain(`Run ${request.runId!.slice(0, 8)} failed`);
  });

  test("stream.mode aws: the daemon's consumer commits clickstream windows to the S3 lake", async () => {
    const settings = validateSection(config, 'stream', ClickstreamSettingsSchema.prefault({}));
    expect(settings).toMatchObject({ mode: 'aws', name: 'shopflow-clickstream', consumeInDaemon: true });
    // infra/ creates the stream in AWS; here kinesalite stands in, reached through the SDK's endpoint variable.
    const kinesis = await startTestKinesis();
    cleanups.push(() => kinesis.stop());
    await kinesis.transport(settings.name, 2);
    setEnv({ AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint });
    const transport = await openStreamTransport(settings, config.home);
    cleanups.push(() => transport.close());
    const sent = await produce(transport, { date: '2024-01-06' });
    expect(sent.events).toBeGreaterThan(0);
    await closeAll(transport);
    const service = await consumeUntilIdle(runtime, transport, settings);
    expect(service.totals.commits).toBeGreaterThan(0);
    const windows = await lakeRows(runtime, 'click_windows_minute');
    expect(windows.length).toBeGreaterThan(0);
    expect((await keysIn('acme-shopflow-lake', 'lake/click_windows_minute/')).length).toBeGreaterThan(0);
  });
});
