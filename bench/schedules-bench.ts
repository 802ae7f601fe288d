// Schedules benchmarks (run: npx tsx bench/schedules-bench.ts [--write]; RUNS=n, default 3):
// 1. A backfill of 365 daily partitions of a small asset (24 rows each, written as Parquet), 4
//    partitions at once: partitions per second, against one direct `runtime.execute` of the same
//    365 steps with the same concurrency (no backfill bookkeeping).
// 2. The daemon's own overhead per tick: 100 daily ticks, each materializing one no-op partition
//    through `daemon.tick` (lease, run monitor, claim, plan, launch, mark, settle, sensors),
//    against `runtime.plan` + `runtime.execute` of the same 100 one-step plans; plus an idle tick.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { z } from 'zod';
import {
  type Definitions,
  daily,
  defineAsset,
  defineDefinitions,
  materialized,
  ShopflowConfigSchema,
  ShopflowRuntime,
  sql,
} from '../framework/index.js';
import { defineSchedule, previousDayPartition, runBackfill, ShopflowDaemon } from '../schedules/index.js';
import { machine, median, writeBenchmarkSection } from './benchmark-report.js';

const log = pino({ level: 'silent' }, new Writable({ write: (_c, _e, cb) => cb() }));
const days = daily({ start: '2023-01-01', timezone: 'UTC' });
const PARALLEL = 4;
const TICKS = 100;

const small = defineAsset({
  key: 'small_daily',
  description: 'Twenty-four rows per day.',
  schema: z.object({ hour: z.int(), value: z.number() }),
  partitions: days,
  materialize: ({ partitionKey }) =>
    sql`select range::BIGINT as hour, (range * ${Number(partitionKey!.slice(8, 10))})::DOUBLE as value from range(0, 24)`,
});

const noop = defineAsset({
  key: 'noop_daily',
  description: 'Writes nothing.',
  schema: z.object({ x: z.int() }),
  partitions: days,
  materialize: () => materialized({ rowCount: 0 }),
});

async function open(definitions: Definitions, now: () => Date) {
  const home = mkdtempSync(join(tmpdir(), 'shopflow-bench-schedules-'));
  const config = ShopflowConfigSchema.parse({
    env: 'bench',
    home,
    instance: { type: 'sqlite', path: join(home, 'instance.db') },
    lake: { type: 'local', path: join(home, 'lake') },
    executor: { concurrency: PARALLEL },
  });
  const runtime = await ShopflowRuntime.open({ config, definitions, log, now });
  return {
    runtime,
    async close() {
      await runtime.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

async function backfillBenchmark(runs: number) {
  const definitions = defineDefinitions({ assets: [small] });
  const now = () => new Date('2024-01-02T00:00:00Z');
  const backfill: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < runs; i++) {
    // NOTE: alternate which side goes first, so neither always runs on a warmer process.
    for (const side of i % 2 ? ['direct', 'backfill'] : ['backfill', 'direct']) {
      const { runtime, close } = await open(definitions, now);
      const t = performance.now();
      if (side === 'backfill') {
        const result = await runBackfill({
          runtime,
          selection: 'small_daily',
          from: '2023-01-01',
          to: '2023-12-31',
          parallel: PARALLEL,
        });
        if (result.backfill.status !== 'success' || result.partitions.length !== 365)
          throw new Error('backfill failed');
        backfill.push(performance.now() - t);
      } else {
        const plan = await runtime.plan({
          selection: 'small_daily',
          partitions: { from: '2023-01-01', to: '2023-12-31' },
        });
        const result = await runtime.execute(plan, { concurrency: PARALLEL });
        if (result.status !== 'success' || result.outcomes.size !== 365) throw new Error('direct run failed');
        direct.push(performance.now() - t);
      }
      await close();
    }
  }
  return { backfill: median(backfill), direct: median(direct) };
}

async function tickBenchmark(runs: number) {
  const definitions = defineDefinitions({ assets: [noop] });
  const schedule = defineSchedule({
    name: 'nightly',
    cron: '0 2 * * *',
    selection: 'noop_daily',
    partitions: previousDayPartition(days),
    catchUp: 'all',
  });
  const daemonMs: number[] = [];
  const directMs: number[] = [];
  const idleMs: number[] = [];
  const start = new Date('2023-01-01T12:00:00Z').getTime();
  for (let i = 0; i < runs; i++) {
    const clock = { now: new Date(start) };
    {
      const { runtime, close } = await open(definitions, () => clock.now);
      const daemon = new ShopflowDaemon({
        runtime,
        schedules: [schedule],
        now: () => clock.now,
        alerts: { send: async () => {} },
      });
      await daemon.tick();
      const t = performance.now();
      for (let day = 1; day <= TICKS; day++) {
        clock.now = new Date(start + day * 86_400_000);
        const report = await daemon.tick();
        if (!report.ticks.some((tick) => tick.status === 'claimed')) throw new Error('no tick was due');
        await daemon.idle();
      }
      daemonMs.push(performance.now() - t);
      const ticks = await runtime.store.listTicks({ name: 'nightly', status: ['launched'] });
      if (ticks.length !== TICKS) throw new Error(`expected ${TICKS} launched ticks, got ${ticks.length}`);
      const idle = performance.now();
      for (let n = 0; n < 100; n++) {
        clock.now = new Date(clock.now.getTime() + 1000);
        await daemon.tick();
      }
      idleMs.push((performance.now() - idle) / 100);
      await daemon.close();
      await close();
    }
    {
      const { runtime, close } = await open(definitions, () => clock.now);
      const t = performance.now();
      for (let day = 1; day <= TICKS; day++) {
        clock.now = new Date(start + day * 86_400_000);
        const key = new Date(start + (day - 1) * 86_400_000).toISOString().slice(0, 10);
        const plan = await runtime.plan({ selection: 'noop_daily', partitions: { keys: [key] } });
        const result = await runtime.execute(plan);
        if (result.status !== 'success' || result.outcomes.size !== 1) throw new Error('direct run failed');
      }
      directMs.push(performance.now() - t);
      await close();
    }
  }
  const daemon = median(daemonMs) / TICKS;
  const direct = median(directMs) / TICKS;
  return { daemon, direct, overhead: daemon - direct, idle: median(idleMs) };
}

const runs = Number(process.env.RUNS ?? 3);
const backfill = await backfillBenchmark(runs);
const ticks = await tickBenchmark(runs);
const rate = (ms: number) => (365 / (ms / 1000)).toFixed(0);
const report = `## Schedules, daemon and backfills (\`bench/schedules-bench.ts\`)

Machine: ${machine()}. Medians of ${runs} runs (\`npx tsx bench/schedules-bench.ts --write\`), SQLite instance store.

**Backfill of 365 daily partitions** of a small asset (24 rows per day, written as Parquet), ${PARALLEL} partitions at once (batches of ${PARALLEL}, one run per batch), against one \`runtime.execute\` of the same 365 steps with concurrency ${PARALLEL}:

| | median | partitions/s |
|---|---|---|
| \`runBackfill\` (per-partition status, resumable) | ${(backfill.backfill / 1000).toFixed(2)} s | ${rate(backfill.backfill)} |
| one direct run of the same steps | ${(backfill.direct / 1000).toFixed(2)} s | ${rate(backfill.direct)} |
| backfill / direct | ${(backfill.backfill / backfill.direct).toFixed(2)}× | |

**The daemon's own overhead per tick**: ${TICKS} daily ticks driven with an injected clock, each materializing one no-op partition through \`daemon.tick\` (lease renewal, run monitor, tick claim, plan, launch, launched mark, settle, the run-failure sensor), against \`runtime.plan\` + \`runtime.execute\` of the same ${TICKS} one-step plans:

| | median per tick |
|---|---|
| daemon tick with a run | ${ticks.daemon.toFixed(1)} ms |
| direct plan + execute | ${ticks.direct.toFixed(1)} ms |
| daemon overhead | ${ticks.overhead.toFixed(1)} ms (${(ticks.daemon / ticks.direct).toFixed(2)}× the direct path) |
| idle tick (nothing due) | ${ticks.idle.toFixed(2)} ms |
`;
console.log(report);
if (process.argv.includes('--write')) writeBenchmarkSection('schedules', report);
