import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  type Alert,
  type Definitions,
  defineAsset,
  defineDefinitions,
  isShopflowError,
  materialized,
  type RunRecord,
  type ScheduleDefinition,
  type SensorDefinition,
  type ShopflowRuntime,
  storedByAsset,
  summarizeAssetStatus,
} from '../../../framework/index.js';
import {
  type AlertSink,
  DaemonCrash,
  defineSchedule,
  landingSensor,
  localFolderLister,
  logAlertSink,
  previousDayPartition,
  ShopflowDaemon,
} from '../../../schedules/index.js';
import { exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, silentLog, tempHome } from '../../support/example-runtime.js';

/** A test instance: a runtime and daemons sharing one injected clock. */
interface Harness {
  home: string;
  clock: { now: Date };
  runtime: ShopflowRuntime;
  alerts: Alert[];
  daemon(options?: Partial<ConstructorParameters<typeof ShopflowDaemon>[0]>): ShopflowDaemon;
  /** Moves the clock to `to` in steps of `stepMs`, ticking (and waiting for runs) at each step. */
  advance(daemon: ShopflowDaemon, to: string | Date, stepMs: number): Promise<void>;
  runs(): Promise<RunRecord[]>;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function harness(
  definitions: Definitions,
  start: string | Date,
  options: { schedules?: ScheduleDefinition[]; sensors?: SensorDefinition[] } = {},
): Promise<Harness> {
  const { home, cleanup } = tempHome('shopflow-daemon-');
  const clock = { now: new Date(start) };
  const runtime = await openTestRuntime(definitions, home, { now: () => clock.now });
  const alerts: Alert[] = [];
  const sink: AlertSink = { send: async (alert) => void alerts.push(alert) };
  const daemons: ShopflowDaemon[] = [];
  cleanups.push(cleanup, async () => {
    for (const d of daemons) await d.idle();
    await runtime.close();
  });
  return {
    home,
    clock,
    runtime,
    alerts,
    daemon(extra = {}) {
      const daemon = new ShopflowDaemon({
        runtime,
        schedules: options.schedules ?? [],
        sensors: options.sensors ?? [],
        alerts: sink,
        now: () => clock.now,
        leaseSeconds: 60,
        ...extra,
      });
      daemons.push(daemon);
      return daemon;
    },
    async advance(daemon, to, stepMs) {
      const end = new Date(to).getTime();
      while (clock.now.getTime() < end) {
        clock.now = new Date(Math.min(end, clock.now.getTime() + stepMs));
        await daemon.tick(clock.now);
        await daemon.idle();
      }
    },
    runs: () => runtime.store.listRuns({ limit: 1000 }),
  };
}

const readingsDays = () => exampleDefinitions().graph.get('readings').partitions!;
const HOUR = 3_600_000;

describe('schedules driven with an injected clock', () => {
  test('ticks across both daylight saving changes in Europe/Berlin: one tick per day, yesterday materialized', async () => {
    const nightly = defineSchedule({
      name: 'nightly',
      cron: '30 2 * * *',
      timezone: 'Europe/Berlin',
      selection: 'readings',
      partitions: previousDayPartition(readingsDays()),
      catchUp: 'latest',
    });
    const h = await harness(exampleDefinitions(), '2024-03-29T12:00:00Z', { schedules: [nightly] });
    const daemon = h.daemon();
    await daemon.tick();
    await h.advance(daemon, '2024-04-01T12:00:00Z', HOUR);
    h.clock.now = new Date('2024-10-25T12:00:00Z');
    await daemon.tick();
    await daemon.idle();
    await h.advance(daemon, '2024-10-28T12:00:00Z', HOUR / 2);

    const all = (await h.runtime.store.listTicks({ name: 'nightly' })).reverse();
    // NOTE: the 100 oldest ticks of the six months in between are recorded as skipped (catch-up `latest`).
    expect(all.filter((t) => t.status === 'skipped')).toHaveLength(100);
    const ticks = all.filter((t) => t.status !== 'skipped');
    expect(ticks.map((t) => [t.scheduledTime, t.status])).toEqual([
      ['2024-03-30T01:30:00.000Z', 'launched'],
      ['2024-03-31T01:30:00.000Z', 'launched'], // 02:30 does not exist: 03:30 CEST
      ['2024-04-01T00:30:00.000Z', 'launched'],
      ['2024-10-25T00:30:00.000Z', 'launched'], // the newest tick missed while the clock jumped
      ['2024-10-26T00:30:00.000Z', 'launched'],
      ['2024-10-27T00:30:00.000Z', 'launched'], // 02:30 CEST; not again at 02:30 CET
      ['2024-10-28T01:30:00.000Z', 'launched'],
    ]);
    const runs = await h.runs();
    const byTick = new Map(runs.map((r) => [r.tags.tick, r]));
    for (const tick of ticks) {
      const run = byTick.get(tick.scheduledTime)!;
      expect(run).toMatchObject({ id: tick.runId, status: 'success', tags: { schedule: 'nightly' } });
    }
    expect(runs).toHaveLength(ticks.length);
    expect(
      ticks.map((t) => (byTick.get(t.scheduledTime)!.plan as { partitions: unknown }).partitions),
    ).toEqual([
      { keys: ['2024-03-29'] },
      { keys: ['2024-03-30'] },
      { keys: ['2024-03-31'] },
      { keys: ['2024-10-24'] },
      { keys: ['2024-10-25'] },
      { keys: ['2024-10-26'] },
      { keys: ['2024-10-27'] },
    ]);
  });

  test('catch-up `all` after downtime runs every missed tick, at most maxConcurrentRuns at once', async () => {
    const nightly = defineSchedule({
      name: 'nightly',
      cron: '0 2 * * *',
      selection: 'readings',
      partitions: previousDayPartition(readingsDays()),
      catchUp: 'all',
    });
    const h = await harness(exampleDefinitions(), '2024-01-10T12:00:00Z', { schedules: [nightly] });
    let running = 0;
    let peak = 0;
    h.runtime.onEvent((e) => {
      if (e.type === 'run_start') peak = Math.max(peak, ++running);
      if (e.type === 'run_success' || e.type === 'run_failure') running--;
    });
    const daemon = h.daemon({ maxConcurrentRuns: 2 });
    await daemon.tick();
    h.clock.now = new Date('2024-01-11T03:00:00Z');
    await daemon.tick();
    await daemon.idle();
    h.clock.now = new Date('2024-01-16T12:00:00Z');
    const report = await daemon.tick();
    const ticks = report.ticks.filter((t) => t.name === 'nightly');
    expect(ticks.map((t) => [t.scheduledTime.slice(0, 13), t.status])).toEqual([
      ['2024-01-12T02', 'claimed'],
      ['2024-01-13T02', 'claimed'],
      ['2024-01-14T02', 'claimed'],
      ['2024-01-15T02', 'claimed'],
      ['2024-01-16T02', 'claimed'],
    ]);
    await daemon.idle();
    expect(peak).toBeLessThanOrEqual(2);
    const states = await h.runtime.store.listAssetPartitionStates(['readings']);
    expect(states.map((s) => s.partitionKey).sort()).toEqual([
      '2024-01-10',
      '2024-01-11',
      '2024-01-12',
      '2024-01-13',
      '2024-01-14',
      '2024-01-15',
    ]);
    expect(await h.runs()).toHaveLength(6);
  });

  test('catch-up `latest` after downtime runs the newest tick and records the missed ones as skipped', async () => {
    const nightly = defineSchedule({
      name: 'nightly',
      cron: '0 2 * * *',
      selection: 'readings',
      partitions: previousDayPartition(readingsDays()),
      catchUp: 'latest',
    });
    const h = await harness(exampleDefinitions(), '2024-01-10T12:00:00Z', { schedules: [nightly] });
    const daemon = h.daemon();
    await daemon.tick();
    h.clock.now = new Date('2024-01-16T12:00:00Z');
    await daemon.tick();
    await daemon.idle();
    await daemon.tick();
    const ticks = (await h.runtime.store.listTicks({ name: 'nightly' })).reverse();
    expect(ticks.map((t) => [t.scheduledTime.slice(0, 10), t.status, t.runStatus])).toEqual([
      ['2024-01-11', 'skipped', null],
      ['2024-01-12', 'skipped', null],
      ['2024-01-13', 'skipped', null],
      ['2024-01-14', 'skipped', null],
      ['2024-01-15', 'skipped', null],
      ['2024-01-16', 'launched', 'success'],
    ]);
    expect(ticks[0].message).toContain('catch-up policy `latest`');
    expect(ticks[5].message).toBe('caught up: 5 earlier missed ticks skipped');
    const runs = await h.runs();
    expect(runs.map((r) => (r.plan as { partitions: unknown }).partitions)).toEqual([
      { keys: ['2024-01-15'] },
    ]);
  });

  test('a daemon that died right after claiming a tick: the next one launches that run, with the same id, once', async () => {
    const nightly = defineSchedule({
      name: 'nightly',
      cron: '0 2 * * *',
      selection: 'readings',
      partitions: previousDayPartition(readingsDays()),
      catchUp: 'all',
    });
    const h = await harness(exampleDefinitions(), '2024-01-10T12:00:00Z', { schedules: [nightly] });
    const crashing = h.daemon({ crashAt: 'claimed' });
    await crashing.tick();
    h.clock.now = new Date('2024-01-11T02:00:05Z');
    await expect(crashing.tick()).rejects.toBeInstanceOf(DaemonCrash);
    const [claimed] = await h.runtime.store.listTicks({ name: 'nightly' });
    expect(claimed).toMatchObject({ status: 'claimed', scheduledTime: '2024-01-11T02:00:00.000Z' });
    expect(await h.runtime.store.getRun(claimed.runId!)).toBeUndefined();

    const next = h.daemon();
    expect((await next.tick()).leader).toBe(false); // the dead daemon's lease has not expired yet
    h.clock.now = new Date('2024-01-11T02:01:10Z');
    const report = await next.tick();
    expect(report.recovered.map((t) => t.runId)).toEqual([claimed.runId]);
    await next.idle();
    await next.tick();
    await next.tick();
    const runs = await h.runs();
    expect(runs.map((r) => [r.id, r.status, r.tags.tick])).toEqual([
      [claimed.runId, 'success', '2024-01-11T02:00:00.000Z'],
    ]);
    expect(await h.runtime.store.getTick('nightly', claimed.tickKey)).toMatchObject({
      status: 'launched',
      runStatus: 'success',
    });
  });

  test('two daemons: the second is told who holds the lease, and takes over when it is released', async () => {
    const h = await harness(exampleDefinitions(), '2024-01-10T12:00:00Z');
    const first = h.daemon();
    const second = h.daemon();
    await first.start();
    const error = await second.start().catch((e) => e);
    expect(isShopflowError(error, 'SF_DAEMON_LEASE_HELD')).toBe(true);
    expect(error.message).toMatch(
      new RegExp(
        `another daemon is running on this instance: pid ${process.pid} on \\S+ \\(since 2024-01-10T12:00:00.000Z`,
      ),
    );
    expect(error.message).toContain('--wait');
    const report = await second.tick();
    expect(report).toMatchObject({ leader: false, holder: { holder: first.lease.holder, pid: process.pid } });
    await first.close();
    await second.start();
    expect((await second.tick()).leader).toBe(true);
  });

  test('a run whose worker stopped heartbeating is marked failed with the reason and retried while the policy allows', async () => {
    const nightly = defineSchedule({
      name: 'nightly',
      cron: '0 2 * * *',
      selection: 'readings',
      partitions: () => ({ keys: ['2024-01-05'] }),
      catchUp: 'all',
      retry: { maxRetries: 1 },
    });
    const h = await harness(exampleDefinitions(), '2024-01-10T12:00:00Z', { schedules: [nightly] });
    const { store } = h.runtime;
    /** A tick whose run was launched by a worker on another machine that then went silent. */
    async function silentWorker(tickKey: string, attempt: number) {
      const runId = `dead-${tickKey}`;
      await store.claimTick({
        name: 'nightly',
        kind: 'schedule',
        tickKey,
        scheduledTime: tickKey,
        status: 'launched',
        runId,
        attempt,
        request: {
          selection: 'readings',
          partitions: { keys: ['2024-01-05'] },
          tags: { schedule: 'nightly' },
        },
      });
      await store.createRun({
        id: runId,
        selection: 'readings',
        plan: {},
        status: 'running',
        pid: 4242,
        hostname: 'worker-2',
      });
      await store.updateRun(runId, { heartbeatAt: '2024-01-10T11:58:00.000Z' });
      return runId;
    }
    const first = await silentWorker('2024-01-10T02:00:00.000Z', 0);
    const exhausted = await silentWorker('2024-01-09T02:00:00.000Z', 1);
    const daemon = h.daemon();
    const report = await daemon.tick();
    expect(report.reaped.sort()).toEqual([exhausted, first].sort());
    expect(await store.getRun(first)).toMatchObject({
      status: 'failed',
      error: 'run abandoned: no heartbeat since 2024-01-10T11:58:00.000Z (pid 4242 on worker-2)',
    });
    expect(report.retries.map((t) => [t.tickKey, t.parentRunId, t.attempt])).toEqual([
      ['2024-01-10T02:00:00.000Z', first, 1],
    ]);
    await daemon.idle();
    await daemon.tick();
    const retried = await store.getTick('nightly', '2024-01-10T02:00:00.000Z');
    expect(retried).toMatchObject({
      status: 'launched',
      attempt: 1,
      parentRunId: first,
      runStatus: 'success',
    });
    expect(await store.getRun(retried!.runId!)).toMatchObject({
      status: 'success',
      parentRunId: first,
      tags: { schedule: 'nightly', attempt: '1' },
    });
    expect(await store.getTick('nightly', '2024-01-09T02:00:00.000Z')).toMatchObject({
      status: 'launched',
      runId: exhausted,
      runStatus: 'failed',
      message: expect.stringContaining('no heartbeat since'),
    });
    const failures = h.alerts.filter((a) => a.kind === 'run_failure').map((a) => a.runId);
    expect(failures.sort()).toEqual([exhausted, first].sort());
  });
});

describe('alerts and sensors', () => {
  test('a freshness breach is listed as overdue and notified once per breach, with a metric line', async () => {
    const base = exampleDefinitions();
    const pricing = defineAsset({
      key: 'pricing',
      description: 'A price list that must be refreshed hourly.',
      schema: z.object({ sku: z.string() }),
      freshness: { maxLagMinutes: 60 },
      io: storedByAsset(),
      materialize: () => materialized({ rowCount: 1 }),
    });
    const metrics: string[] = [];
    const h = await harness(defineDefinitions({ assets: [...base.assets, pricing] }), new Date());
    const daemon = h.daemon({
      alerts: logAlertSink({ log: silentLog, metrics: { write: (t) => metrics.push(t) } }),
    });
    await h.runtime.execute(await h.runtime.plan({ selection: 'pricing' }));

    h.clock.now = new Date(Date.now() + 2 * HOUR);
    const first = await daemon.tick();
    expect(first.breaches?.map((b) => [b.assetKey, b.maxLagMinutes])).toEqual([['pricing', 60]]);
    const states = await h.runtime.store.listAssetPartitionStates();
    expect(summarizeAssetStatus(h.runtime.graph, states, h.clock.now).get('pricing')?.status).toBe('overdue');
    h.clock.now = new Date(h.clock.now.getTime() + 5 * 60_000);
    expect((await daemon.tick()).breaches).toHaveLength(1);
    expect(metrics.map((m) => JSON.parse(m)).filter((m) => m.AlertKind === 'freshness_breach')).toHaveLength(
      1,
    );

    await h.runtime.execute(await h.runtime.plan({ selection: 'pricing', force: true }));
    h.clock.now = new Date(Date.now() + 3 * HOUR);
    await daemon.tick();
    const lines = metrics.map((m) => JSON.parse(m)).filter((m) => m.AlertKind === 'freshness_breach');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ FreshnessBreaches: 1, assetKey: 'pricing' });
    expect(new Set(lines.map((l) => l.dedupeKey)).size).toBe(2);
  });

  test('failed runs and failed blocking checks are notified once each', async () => {
    const h = await harness(
      exampleDefinitions({ failDays: ['2024-01-02'], badDays: ['2024-01-03'] }),
      '2024-01-10T12:00:00Z',
    );
    const daemon = h.daemon();
    await daemon.tick();
    const failing = await h.runtime.execute(
      await h.runtime.plan({ selection: 'readings+', partitions: { from: '2024-01-01', to: '2024-01-03' } }),
    );
    expect(failing.status).toBe('failed');
    h.clock.now = new Date('2024-01-10T12:01:00Z');
    await daemon.tick();
    h.clock.now = new Date('2024-01-10T12:02:00Z');
    await daemon.tick();
    expect(h.alerts.map((a) => [a.kind, a.runId === failing.runId])).toEqual([
      ['check_failure', true],
      ['run_failure', true],
    ]);
    expect(h.alerts[0]).toMatchObject({
      assetKey: 'readings',
      partitionKey: '2024-01-03',
      title: 'Blocking check readings:temperature_plausible failed on readings[2024-01-03]',
    });
    expect(h.alerts[1].message).toContain('run failed: steps: 1 failed (readings[2024-01-02])');
  });

  test('new objects in a local landing folder start one run for their partitions; a crash in between claims nothing twice', async () => {
    const h = await harness(exampleDefinitions(), '2024-01-10T12:00:00Z');
    const landing = join(h.home, 'landing');
    const land = (day: string, at: string) => {
      const [y, m, d] = day.split('-');
      const file = join(landing, 'raw', `year=${y}`, `month=${m}`, `day=${d}`, 'readings', 'readings.csv');
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, 'station_id,hour,temperature\n');
      utimesSync(file, new Date(at), new Date(at));
    };
    const sensor = landingSensor({
      name: 'arrivals',
      prefix: 'raw/',
      list: localFolderLister(landing),
      selection: 'readings',
      intervalSeconds: 30,
    });
    const schedules: ScheduleDefinition[] = [];
    const daemonOptions = { sensors: [sensor], schedules };
    land('2024-01-02', '2024-01-03T01:00:00Z');
    land('2024-01-03', '2024-01-04T01:00:00Z');
    const crashing = h.daemon({ ...daemonOptions, crashAt: 'claimed' });
    await expect(crashing.tick()).rejects.toBeInstanceOf(DaemonCrash);
    const [request] = await h.runtime.store.listTicks({ name: 'arrivals', kinds: ['request'] });
    expect(request).toMatchObject({
      status: 'claimed',
      request: { partitions: { keys: ['2024-01-02', '2024-01-03'] } },
    });

    h.clock.now = new Date('2024-01-10T12:05:00Z');
    const daemon = h.daemon(daemonOptions);
    const report = await daemon.tick();
    expect(report.recovered.map((t) => t.runId)).toEqual([request.runId]);
    expect(report.ticks.map((t) => [t.kind, t.status])).toEqual([
      ['sensor', 'skipped'], // same objects, same request key: claimed already
      ['sensor', 'skipped'], // the run-failure sensor
    ]);
    await daemon.idle();

    land('2024-01-04', '2024-01-10T12:05:30Z');
    await h.advance(daemon, '2024-01-10T12:06:00Z', 60_000);
    await h.advance(daemon, '2024-01-10T12:08:00Z', 60_000);
    const requests = (await h.runtime.store.listTicks({ name: 'arrivals', kinds: ['request'] })).reverse();
    expect(
      requests.map((r) => [(r.request as { partitions: unknown }).partitions, r.status, r.runStatus]),
    ).toEqual([
      [{ keys: ['2024-01-02', '2024-01-03'] }, 'launched', 'success'],
      [{ keys: ['2024-01-04'] }, 'launched', 'success'],
    ]);
    const runs = await h.runs();
    expect(runs).toHaveLength(2);
    expect(runs.every((r) => r.tags.sensor === 'arrivals' && r.status === 'success')).toBe(true);
    const materialized = await h.runtime.store.listAssetPartitionStates(['readings']);
    expect(materialized.map((s) => s.partitionKey).sort()).toEqual([
      '2024-01-02',
      '2024-01-03',
      '2024-01-04',
    ]);
  });
});

describe('a sensor on an instance where part of the graph was never built', () => {
  test('its run refreshes what it can, leaves out steps whose upstream was never materialized, and says so', async () => {
    const h = await harness(exampleDefinitions(), '2024-01-10T12:00:00Z');
    const landing = join(h.home, 'landing');
    const file = join(landing, 'raw', 'year=2024', 'month=01', 'day=03', 'readings', 'readings.csv');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'station_id,hour,temperature\n');
    utimesSync(file, new Date('2024-01-04T01:00:00Z'), new Date('2024-01-04T01:00:00Z'));
    // `readings+` reaches station_summary, which also reads `stations`: never materialized here.
    const sensor = landingSensor({
      name: 'arrivals',
      prefix: 'raw/',
      list: localFolderLister(landing),
      selection: 'readings+',
      intervalSeconds: 30,
    });
    const daemon = h.daemon({ sensors: [sensor] });
    await daemon.tick();
    await daemon.idle();
    await daemon.tick();
    const [request] = await h.runtime.store.listTicks({ name: 'arrivals', kinds: ['request'] });
    expect(request).toMatchObject({ status: 'launched', runStatus: 'success' });
    expect(request.message).toMatch(
      /^left out \d+ steps? whose upstream was never materialized: .*station_summary/,
    );
    const states = await h.runtime.store.listAssetPartitionStates(['readings', 'daily_stats']);
    expect(states.map((s) => `${s.assetKey}[${s.partitionKey}]`).sort()).toEqual([
      'daily_stats[2024-01-03]',
      'readings[2024-01-03]',
    ]);
    expect(h.alerts).toEqual([]);
  });
});
