import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shopflowSensors } from '../../../assets/definitions.js';
import { landingStore } from '../../../assets/resources/landing-store.js';
import { postgresWarehouse } from '../../../assets/resources/postgres-warehouse.js';
import type { Plan, ShopflowRuntime } from '../../../framework/index.js';
import { stopEmbeddedPostgres } from '../../../resources/postgres/embedded-postgres-server.js';
import { ShopflowDaemon } from '../../../schedules/index.js';
import { StatusCache } from '../../../server/views/status-cache.js';
import { type ShopflowTestHome, shopflowTestHome } from '../../support/shopflow-test-home.js';

// External inputs carry a fingerprint recorded with the materialization that read them: an input
// that changes afterwards makes exactly the partitions that read it stale, through to the
// warehouse and gold, in plans, on the web page and for the landing sensor.

let t: ShopflowTestHome;
let runtime: ShopflowRuntime;
let baseline: Map<string, string>;

/** Data versions of every asset partition, bronze aside (it records the object version it read). */
async function versions(): Promise<Map<string, string>> {
  const states = await runtime.store.listAssetPartitionStates();
  return new Map(
    states
      .filter((s) => !s.assetKey.startsWith('bronze_') && s.dataVersion)
      .map((s) => [`${s.assetKey}[${s.partitionKey ?? ''}]`, s.dataVersion!]),
  );
}

/** Every asset downstream of `assetKey`, itself included. */
function downstreamOf(assetKey: string): Set<string> {
  const out = new Set([assetKey]);
  for (const key of runtime.graph.toposorted()) {
    if (runtime.graph.upstream(key).some((d) => out.has(d.assetKey))) out.add(key);
  }
  return out;
}

const stepsOf = (plan: Plan, pattern: RegExp) =>
  plan.steps.filter((s) => pattern.test(s.assetKey)).map((s) => s.key);

beforeAll(async () => {
  t = shopflowTestHome({ scale: 0.2, calendar: { start: '2024-01-01', days: 8 } });
  runtime = await t.open();
  const result = await runtime.execute(await runtime.plan());
  if (result.status !== 'success') throw new Error(`the first run failed: ${result.error}`);
  baseline = await versions();
}, 180_000);

afterAll(async () => {
  await runtime?.close();
  await stopEmbeddedPostgres(join(t.home, 'postgres'));
  t?.cleanup();
});

describe('a changed input makes exactly the partitions that read it stale', () => {
  test('nothing is stale after the full run', async () => {
    expect((await runtime.plan()).steps).toEqual([]);
  });

  test('an emptied extract: the plan re-lands its day, the day fails clearly, the restored file repairs it', async () => {
    const day = '2024-01-04';
    const file = join(t.home, 'raw', 'daily', day, 'customers.csv');
    const original = readFileSync(file);
    writeFileSync(file, '');

    const plan = await runtime.plan();
    const landing = plan.steps.find((s) => s.key === `s3_raw_landing[${day}]`);
    expect(landing?.reasons).toEqual([
      expect.objectContaining({
        code: 'input_changed',
        input: 'customers.csv',
        message: expect.stringMatching(
          /^input customers\.csv changed since it was read \(\w+… → e3b0c44298fc…\)$/,
        ),
      }),
    ]);
    // Exactly that day's landing and bronze, and only what reads them, down to warehouse and gold.
    expect(stepsOf(plan, /^(s3_raw_landing|bronze_)/).sort()).toEqual([
      `bronze_clickstream[${day}]`,
      `bronze_customers[${day}]`,
      `bronze_products[${day}]`,
      `bronze_transactions[${day}]`,
      `s3_raw_landing[${day}]`,
    ]);
    const affected = downstreamOf('s3_raw_landing');
    expect(plan.steps.filter((s) => !affected.has(s.assetKey))).toEqual([]);
    expect(plan.steps.map((s) => s.assetKey)).toEqual(
      expect.arrayContaining(['pg_customers', 'dim_customer', 'customer_clv', 'top_customers']),
    );

    // The web page and `shopflow assets` show the same.
    const cache = new StatusCache(runtime);
    const { report } = await cache.get();
    cache.dispose();
    expect(report.statuses.get('s3_raw_landing')).toMatchObject({ status: 'stale', stale: 1 });
    expect(report.partitions('s3_raw_landing').find((p) => p.partitionKey === day)?.reasons[0]?.code).toBe(
      'input_changed',
    );

    const failed = await runtime.execute(plan);
    expect(failed.status).toBe('failed');
    const [failure] = await runtime.store.listEvents({ runId: failed.runId, types: ['step_failure'] });
    expect(failure).toMatchObject({ assetKey: 'bronze_customers', partitionKey: day });
    expect(failure.message).toContain(
      `raw/year=2024/month=01/day=04/customers/customers.csv is empty (0 bytes)`,
    );
    // Nothing downstream of the empty day was replaced: no customers went missing.
    const now = await versions();
    for (const key of ['silver_customers[]', 'pg_customers[]', 'customer_clv[]']) {
      expect(now.get(key), key).toBe(baseline.get(key));
    }

    writeFileSync(file, original);
    const again = await runtime.plan();
    expect(again.steps.find((s) => s.key === `s3_raw_landing[${day}]`)?.reasons[0]?.code).toBe(
      'input_changed',
    );
    expect((await runtime.execute(again)).status).toBe('success');
    expect(await versions()).toEqual(baseline);
    expect((await runtime.plan()).steps).toEqual([]);
  }, 120_000);

  test('a re-delivered day that lost a transaction loses it in the warehouse too; the restored file brings it back', async () => {
    const day = '2024-01-05';
    const file = join(t.home, 'raw', 'daily', day, 'transactions.csv');
    const original = readFileSync(file, 'utf8');
    const lines = original.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    const dropped = lines.at(-1)!.split(',')[0];
    writeFileSync(file, `${lines.slice(0, -1).join('\n')}\n`);
    const { pool } = await runtime.resources.get(postgresWarehouse);
    const storedIds = async () =>
      (
        await pool.query(
          'select transaction_id::text as id from shopflow.transactions where delivery_date = $1 order by 1',
          [day],
        )
      ).rows.map((row) => row.id as string);
    expect(await storedIds()).toContain(dropped);

    const result = await runtime.execute(await runtime.plan());
    expect(result.status).toBe('success');
    const ids = await storedIds();
    expect(ids).not.toContain(dropped);
    expect(ids).toHaveLength(lines.length - 2);
    const [load] = (
      await pool.query(
        `select deleted::int from shopflow.load_audit where asset_key = 'pg_transactions' and partition_key = $1 order by id desc limit 1`,
        [day],
      )
    ).rows;
    expect(load).toEqual({ deleted: 1 });
    const [check] = await runtime.store.listCheckEvaluations({
      assetKey: 'sales_reconciliation_daily',
      checkName: 'layers_agree',
      runId: result.runId,
    });
    expect(check).toMatchObject({ partitionKey: day, passed: true });

    writeFileSync(file, original);
    expect((await runtime.execute(await runtime.plan())).status).toBe('success');
    expect(await storedIds()).toContain(dropped);
    expect(await versions()).toEqual(baseline);
  }, 120_000);

  test('a truncated landing object fails its day; the re-delivered object is re-read by the sensor', async () => {
    const day = '2024-01-06';
    const key = 'raw/year=2024/month=01/day=06/transactions/transactions.csv';
    const store = await runtime.resources.get(landingStore);
    const original = await store.get(key);
    // Cut short behind the store's back, mid-line.
    const path = join(t.home, 'landing', key);
    copyFileSync(path, `${path}.orig`);
    writeFileSync(path, original.subarray(0, Math.floor(original.length / 2)));

    const plan = await runtime.plan();
    expect(plan.steps[0]).toMatchObject({
      key: `bronze_transactions[${day}]`,
      reasons: [expect.objectContaining({ code: 'input_changed', input: key })],
    });
    expect(stepsOf(plan, /^(s3_raw_landing|bronze_)/)).toEqual([`bronze_transactions[${day}]`]);
    const failed = await runtime.execute(plan);
    expect(failed.status).toBe('failed');
    const [failure] = await runtime.store.listEvents({ runId: failed.runId, types: ['step_failure'] });
    expect(failure.message).toMatch(
      new RegExp(`${key} ends in the middle of line \\d+ .*the file looks truncated`),
    );

    // The source system delivers the whole object again; the daemon's sensor picks it up.
    await store.put(key, original, { contentType: 'text/csv' });
    const daemon = new ShopflowDaemon({
      runtime,
      schedules: [],
      sensors: shopflowSensors,
      alerts: { send: async () => {} },
      alertOnRunFailures: false,
    });
    await daemon.tick();
    await daemon.idle();
    await daemon.tick();
    const [request] = await runtime.store.listTicks({ name: 'landing_arrivals', kinds: ['request'] });
    expect(request.runStatus).toBe('success');
    expect(request.request).not.toHaveProperty('force');
    expect(await versions()).toEqual(baseline);
    expect((await runtime.plan()).steps).toEqual([]);
  }, 120_000);

  test("a re-delivered customer change dated before the warehouse loads' lookback still reaches the warehouse and the SCD2 dimension", async () => {
    // NOTE: the loads' watermark is at the last day (2024-01-08); 72 hours of lookback reach back to
    // 2024-01-05, so a change dated 2024-01-02 is older than anything an incremental load re-reads.
    const { pool } = await runtime.resources.get(postgresWarehouse);
    const [customer] = (
      await pool.query(
        `select customer_id::int as id, country_code from shopflow.customers
         where source_updated_at < '2024-01-02T05:00:00Z' order by customer_id limit 1`,
      )
    ).rows as Array<{ id: number; country_code: string }>;
    expect(customer).toBeDefined();
    const [other] = (
      await pool.query(
        'select country_code from shopflow.countries where country_code <> $1 order by 1 limit 1',
        [customer.country_code],
      )
    ).rows as Array<{ country_code: string }>;
    const file = join(t.home, 'raw', 'daily', '2024-01-02', 'customers.csv');
    const original = readFileSync(file, 'utf8');
    const row = `${customer.id},Moved Customer,moved.customer@example.com,2024-01-01,${other.country_code},2024-01-02T05:00:00Z`;
    writeFileSync(file, `${original.trimEnd()}\n${row}\n`);

    const result = await runtime.execute(await runtime.plan());
    expect(result.status, result.error ?? '').toBe('success');
    const [stored] = (
      await pool.query('select country_code from shopflow.customers where customer_id = $1', [customer.id])
    ).rows;
    expect(stored).toEqual({ country_code: other.country_code });
    const history = (
      await pool.query(
        'select country, is_current from shopflow_dw.dim_customer where customer_id = $1 order by valid_from',
        [customer.id],
      )
    ).rows;
    expect(history).toEqual([
      { country: customer.country_code, is_current: false },
      { country: other.country_code, is_current: true },
    ]);
    const [load] = await runtime.store.listMaterializations({ assetKey: 'pg_customers', limit: 1 });
    expect(load.metadata.readFilter).toBe(`where "updated_at" >= '2024-01-02T05:00:00.000Z'::TIMESTAMPTZ`);
  }, 120_000);
});
