// Queue executor benchmarks (run: node scripts/build.mjs && npx tsx bench/queue-bench.ts [--write];
// RUNS=n, default 3; each figure is the median):
// 1. 1,000 no-op steps through the queue with one worker process against the in-process executor,
//    both at concurrency 4 on the same embedded PostgreSQL instance store: dispatch overhead per step.
// 2. 365 daily partitions of a small Parquet asset with 1, 2 and 4 worker processes (concurrency 1
//    each) against the in-process executor at concurrency 1 and 4, in the same script.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { ShopflowConfigSchema, ShopflowRuntime } from '../framework/index.js';
import { startTestPostgres } from '../tests/support/test-postgres.js';
import { machine, median, writeBenchmarkSection } from './benchmark-report.js';
import definitions from './queue-bench-definitions.js';

const REPO = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.RUNS ?? 3);
const log = pino({ level: 'silent' }, new Writable({ write: (_c, _e, cb) => cb() }));
const pg = await startTestPostgres();
const home = mkdtempSync(join(tmpdir(), 'shopflow-bench-queue-'));
let schemas = 0;

function settings(schema: string, concurrency: number) {
  return {
    env: 'bench',
    home,
    definitions: join(REPO, 'bench/queue-bench-definitions.ts'),
    instance: { type: 'postgres', url: pg.url, schema },
    lake: { type: 'local', path: join(home, schema) },
    executor: { concurrency },
    logging: { level: 'warn' },
  };
}

/** A fresh instance (its own schema), a runtime on it and `workers` ready worker processes. */
async function instance(concurrency: number, workers: number, workerConcurrency: number) {
  const schema = `bench_${++schemas}`;
  const raw = settings(schema, concurrency);
  const file = join(home, `${schema}.json`);
  writeFileSync(file, JSON.stringify(raw));
  const runtime = await ShopflowRuntime.open({ config: ShopflowConfigSchema.parse(raw), definitions, log });
  const children: ChildProcess[] = [];
  await Promise.all(
    Array.from({ length: workers }, () => {
      const child = spawn(
        process.execPath,
        [
          join(REPO, 'bin/shopflow.js'),
          '--config',
          file,
          'worker',
          '--json',
          '--concurrency',
          String(workerConcurrency),
        ],
        { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      children.push(child);
      return new Promise<void>((ready) =>
        child.stdout!.on('data', (d) => String(d).includes('worker_ready') && ready()),
      );
    }),
  );
  return {
    runtime,
    async close() {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(
        children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.on('exit', r)))),
      );
      await runtime.close();
    },
  };
}

async function timeRun(
  selection: string,
  partitions: { from: string; to: string } | null,
  executor: 'in-process' | 'queue',
  concurrency: number,
  workers: number,
  workerConcurrency = 1,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { runtime, close } = await instance(concurrency, workers, workerConcurrency);
    try {
      const plan = await runtime.plan({ selection, partitions });
      const started = performance.now();
      const result = await runtime.execute(plan, { executor, concurrency });
      if (result.status !== 'success') throw new Error(`bench run failed: ${result.error}`);
      times.push(performance.now() - started);
    } finally {
      await close();
    }
  }
  return median(times);
}

try {
  const noopIn = await timeRun('noop_steps', null, 'in-process', 4, 0);
  const noopQueue = await timeRun('noop_steps', null, 'queue', 4, 1, 4);
  const perStep = (noopQueue - noopIn) / 1000;
  const days = { from: '2023-01-01', to: '2023-12-31' };
  const inOne = await timeRun('small_daily', days, 'in-process', 1, 0);
  const inFour = await timeRun('small_daily', days, 'in-process', 4, 0);
  const byWorkers: Array<[number, number]> = [];
  for (const n of [1, 2, 4]) byWorkers.push([n, await timeRun('small_daily', days, 'queue', n, n, 1)]);
  const s = (value: number) => `${(value / 1000).toFixed(1)} s`;
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const markdown = `## Queue executor (bench/queue-bench.ts)

${machine()}; ${RUNS} run(s) per figure (median), short because the machine is shared; embedded
PostgreSQL on loopback as the instance store and queue, local lake, workers are \`shopflow worker\`
processes on the same machine.

| 1,000 no-op steps | time | per step |
|---|---|---|
| in-process, concurrency 4 | ${s(noopIn)} | ${(noopIn / 1000).toFixed(1)} ms |
| queue, 1 worker × 4 | ${s(noopQueue)} | ${(noopQueue / 1000).toFixed(1)} ms |
| **dispatch overhead** | | **${perStep.toFixed(1)} ms per step** (goal < 20 ms) |

| 365 daily partitions (24 rows, Parquet) | time | against in-process × 1 |
|---|---|---|
| in-process, concurrency 1 | ${s(inOne)} | 1.00 |
| in-process, concurrency 4 | ${s(inFour)} | ${(inOne / inFour).toFixed(2)}× |
${byWorkers.map(([n, ms]) => `| queue, ${n} worker${n === 1 ? '' : 's'} × 1 | ${s(ms)} | ${(inOne / ms).toFixed(2)}× |`).join('\n')}

What it predicts: with 4 steps in flight a queued no-op step costs about ${perStep.toFixed(0)} ms more than in
process (send, NOTIFY wake-up, fetch, lease, report, the launcher's 25 ms report poll, overlapping);
one worker slot alone completes a small step every ${ms(byWorkers[0][1] / 365)} against ${ms(inOne / 365)} in process, so a
slot's fixed cost is about ${ms((byWorkers[0][1] - inOne) / 365)} per step. Workers add throughput almost linearly
here (${(byWorkers[0][1] / byWorkers[byWorkers.length - 1][1]).toFixed(1)}× from 1 to ${byWorkers[byWorkers.length - 1][0]} workers, on 2 cores that also run PostgreSQL and the run), so on N
machines of S slots a backfill of K independent steps of W ms each takes about
K × (W + ${ms((byWorkers[0][1] - inOne) / 365)}) ÷ (N × S): the queue pays off once steps take well over that fixed cost (the
warehouse loads and the big silver days, hundreds of ms each at scale 20 and more), not for steps
of a few milliseconds like these.
`;
  process.stdout.write(`${markdown}\n`);
  if (process.argv.includes('--write')) writeBenchmarkSection('queue', markdown);
} finally {
  await pg.stop();
  rmSync(home, { recursive: true, force: true });
}
