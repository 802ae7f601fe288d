import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import shopflow, { shopflowSchedules, shopflowSensors } from '../../../assets/definitions.js';
import { postgresWarehouse } from '../../../assets/resources/postgres-warehouse.js';
import type { Alert, ShopflowRuntime } from '../../../framework/index.js';
import { stopEmbeddedPostgres } from '../../../resources/postgres/embedded-postgres-server.js';
import { ShopflowDaemon } from '../../../schedules/index.js';
import { type ShopflowTestHome, shopflowTestHome } from '../../support/shopflow-test-home.js';

// The live calendar of a business that started on 2025-01-31, seen from 2025-02-27: its 27 days so
// far are materialized once, then the daemon alone carries it across the end of February.
const clock = { now: new Date('2025-02-27T12:00:00Z') };
const alerts: Alert[] = [];
let t: ShopflowTestHome;
let runtime: ShopflowRuntime;
let daemon: ShopflowDaemon;

beforeAll(async () => {
  t = shopflowTestHome({ scale: 0.05, calendar: { start: '2025-01-31', historyDays: 30 } });
  runtime = await t.open(shopflow, () => clock.now);
  const first = await runtime.execute(await runtime.plan());
  if (first.status !== 'success') throw new Error(`history failed: ${first.error}`);
  daemon = new ShopflowDaemon({
    runtime,
    schedules: shopflowSchedules,
    sensors: shopflowSensors,
    alerts: { send: async (alert) => void alerts.push(alert) },
    now: () => clock.now,
  });
}, 300_000);

afterAll(async () => {
  await daemon?.idle();
  await runtime?.close();
  if (t) await stopEmbeddedPostgres(join(t.home, 'postgres'));
  t?.cleanup();
});

/** Moves the clock to `to` in steps of `stepMs`, ticking the daemon and waiting for its runs at each step. */
async function advance(to: string, stepMs = 30 * 60_000) {
  const end = Date.parse(to);
  while (clock.now.getTime() < end) {
    clock.now = new Date(Math.min(end, clock.now.getTime() + stepMs));
    await daemon.tick(clock.now);
    await daemon.idle();
  }
}

async function materializedPartitions(assetKey: string): Promise<string[]> {
  const states = await runtime.store.listAssetPartitionStates([assetKey]);
  return states
    .filter((s) => s.materializationId != null)
    .map((s) => s.partitionKey!)
    .sort();
}

describe('the daemon on the live calendar', () => {
  test('materializes each yesterday at the nightly tick and the roll-ups whose window closed, across a month boundary', async () => {
    expect(await materializedPartitions('gold_sales_daily')).toHaveLength(27);
    expect((await materializedPartitions('gold_sales_daily')).at(-1)).toBe('2025-02-26');
    // January is the month of the first day (one day of it); February is still open: its
    // month-to-date partition exists and is materialized, incomplete.
    expect(await materializedPartitions('gold_sales_monthly')).toEqual(['2025-01-01', '2025-02-01']);

    await daemon.tick(clock.now);
    await advance('2025-03-03T12:00:00Z');

    const nightly = (await runtime.store.listTicks({ name: 'nightly_pipeline' })).reverse();
    expect(nightly.map((tick) => [tick.scheduledTime, tick.status, tick.runStatus])).toEqual([
      ['2025-02-28T01:00:00.000Z', 'launched', 'success'],
      ['2025-03-01T01:00:00.000Z', 'launched', 'success'],
      ['2025-03-02T01:00:00.000Z', 'launched', 'success'],
      ['2025-03-03T01:00:00.000Z', 'launched', 'success'],
    ]);
    for (const asset of [
      'source_files',
      'bronze_transactions',
      'silver_transactions',
      'fact_sales',
      'gold_sales_daily',
    ]) {
      expect((await materializedPartitions(asset)).slice(-4), asset).toEqual([
        '2025-02-27',
        '2025-02-28',
        '2025-03-01',
        '2025-03-02',
      ]);
    }
    // February closed on 2025-03-01, the week 2025-02-24 … 2025-03-02 on 2025-03-03: a tick of that
    // night materialized each for the last time (the nightly run, which covers the roll-ups of
    // yesterday, or the roll-up's own); March is open from its first day.
    const launchedBy = async (assetKey: string, partitionKey: string) => {
      const [materialization] = await runtime.store.listMaterializations({
        assetKey,
        partitionKey,
        limit: 1,
      });
      expect(materialization, `${assetKey}[${partitionKey}]`).toBeDefined();
      return (await runtime.store.getRun(materialization.runId))!.tags.tick;
    };
    expect((await launchedBy('gold_sales_monthly', '2025-02-01')).slice(0, 10)).toBe('2025-03-01');
    expect((await launchedBy('gold_sales_weekly', '2025-02-24')).slice(0, 10)).toBe('2025-03-03');
    expect(await materializedPartitions('gold_sales_monthly')).toEqual([
      '2025-01-01',
      '2025-02-01',
      '2025-03-01',
    ]);
    const completeness = await runtime.engine.session().then(async (session) => {
      try {
        return await session.query(
          `select month_start::VARCHAR as month, complete from read_parquet('${join(t.home, 'lake', 'gold_sales_monthly', '**', 'data.parquet')}', hive_partitioning = false) group by all order by 1`,
        );
      } finally {
        session.close();
      }
    });
    expect(completeness).toEqual([
      { month: '2025-01-01', complete: false },
      { month: '2025-02-01', complete: true },
      { month: '2025-03-01', complete: false },
    ]);
    const monthly = await runtime.store.listTicks({ name: 'monthly_rollups' });
    expect(monthly.map((tick) => tick.scheduledTime)).toEqual(['2025-03-01T01:45:00.000Z']);
    // The warehouse holds the new days too.
    const pg = await runtime.resources.get(postgresWarehouse);
    const { rows } = await pg.query(
      `select count(*)::int as n from shopflow_dw.fact_sales where delivery_date >= '2025-02-27'`,
    );
    const [{ n: silver }] = await runtime.engine.session().then(async (session) => {
      try {
        return await session.query(
          `select count(*)::INTEGER as n from read_parquet('${join(t.home, 'lake', 'silver_transactions', '**', 'data.parquet')}', hive_partitioning = false) where delivery_date >= '2025-02-27'`,
        );
      } finally {
        session.close();
      }
    });
    expect(rows[0].n).toBe(silver);
    expect(alerts.filter((alert) => alert.severity === 'error')).toEqual([]);
  }, 300_000);

  test('catches up every missed night after downtime, in one run', async () => {
    clock.now = new Date('2025-03-06T12:00:00Z');
    await daemon.tick(clock.now);
    await daemon.idle();
    // NOTE: the next tick settles the finished runs of launched ticks.
    await advance('2025-03-06T12:01:00Z', 60_000);
    const nightly = (await runtime.store.listTicks({ name: 'nightly_pipeline' })).slice(0, 3).reverse();
    expect(nightly.map((tick) => [tick.scheduledTime, tick.status, tick.runStatus])).toEqual([
      ['2025-03-04T01:00:00.000Z', 'skipped', null],
      ['2025-03-05T01:00:00.000Z', 'skipped', null],
      ['2025-03-06T01:00:00.000Z', 'launched', 'success'],
    ]);
    expect((await materializedPartitions('gold_sales_daily')).slice(-3)).toEqual([
      '2025-03-03',
      '2025-03-04',
      '2025-03-05',
    ]);
    expect((await runtime.plan({ selection: 'source_files+' })).steps).toEqual([]);
    expect(alerts.filter((alert) => alert.severity === 'error')).toEqual([]);
  }, 300_000);

  test('on a fresh instance the first nightly run materializes the whole history', async () => {
    const fresh = shopflowTestHome({ scale: 0.05, calendar: { start: '2025-01-31', historyDays: 30 } });
    const freshClock = { now: new Date('2025-02-10T12:00:00Z') };
    const freshRuntime = await fresh.open(shopflow, () => freshClock.now);
    const freshDaemon = new ShopflowDaemon({
      runtime: freshRuntime,
      schedules: shopflowSchedules,
      alerts: { send: async () => {} },
      now: () => freshClock.now,
    });
    try {
      await freshDaemon.tick(freshClock.now);
      freshClock.now = new Date('2025-02-11T01:30:00Z');
      await freshDaemon.tick(freshClock.now);
      await freshDaemon.idle();
      const [freshRun] = await freshRuntime.store.listRuns({ limit: 10 });
      const failures = await freshRuntime.store.listEvents({ runId: freshRun.id, types: ['step_failure'] });
      expect(failures.map((e) => e.message)).toEqual([]);
      const skipped = await freshRuntime.store.listEvents({ runId: freshRun.id, types: ['step_skipped'] });
      expect(skipped.filter((e) => e.data.reason === 'blocked').map((e) => e.message)).toEqual([]);
      expect(freshRun.error).toBeNull();
      expect(freshRun.status).toBe('success');
      const days = (await freshRuntime.store.listAssetPartitionStates(['gold_sales_daily']))
        .map((s) => s.partitionKey)
        .sort();
      expect(days).toHaveLength(11);
      expect([days[0], days.at(-1)]).toEqual(['2025-01-31', '2025-02-10']);
    } finally {
      await freshDaemon.idle();
      await freshRuntime.close();
      await stopEmbeddedPostgres(join(fresh.home, 'postgres'));
      fresh.cleanup();
    }
  }, 300_000);
});
