import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type InstanceStore, openInstanceStore, readStepReport } from '../../../framework/index.js';
import { scheduleSinceCheckpoint } from '../../../schedules/index.js';
import { createServer } from '../../../server/create-server.js';
import { exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, silentLog, tempHome } from '../../support/example-runtime.js';
import { jsonLines, REPO, runShopflow, spawnShopflow, writeTestConfig } from '../../support/run-shopflow.js';
import { startWorker as startWorkerProcess } from '../../support/start-worker.js';
import { startTestPostgres, type TestPostgres } from '../../support/test-postgres.js';

let pg: TestPostgres;
const cleanups: Array<() => void> = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  pg = await startTestPostgres();
}, 120_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await pg?.stop();
  for (const cleanup of cleanups) cleanup();
});

/** A home whose instance store is the test PostgreSQL, in its own schema; three days of partitions. */
function setup(schema: string | null, options: Record<string, unknown> = {}, executorYaml = '') {
  const { home, cleanup } = tempHome(`shopflow-queue-${schema ?? 'sqlite'}-`);
  cleanups.push(cleanup);
  const instance = schema ? `instance:\n  type: postgres\n  url: ${pg.url}\n  schema: ${schema}\n` : '';
  const config = writeTestConfig(home, instance);
  // NOTE: a short lease, so a killed worker's step is sent again within seconds.
  writeFileSync(
    config,
    readFileSync(config, 'utf8').replace(
      'deadAfterSeconds: 30\n',
      `deadAfterSeconds: 30\n  leaseSeconds: 3\n${executorYaml}`,
    ),
  );
  const optionsFile = join(home, 'options.json');
  const start = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
  writeFileSync(optionsFile, JSON.stringify({ start, ...options }));
  return { home, config, env: { EXAMPLE_OPTIONS_FILE: optionsFile } };
}

/** Starts a worker of this file and resolves with its name once it takes steps. */
const startWorker = (config: string, env: Record<string, string>, args: string[] = []) =>
  startWorkerProcess(children, config, env, args);

async function versions(store: InstanceStore): Promise<string[]> {
  return (await store.listAssetPartitionStates())
    .map((s) => `${s.assetKey}[${s.partitionKey ?? ''}]=${s.dataVersion}`)
    .sort();
}

describe('queue executor', () => {
  test('three worker processes produce exactly the data versions of the in-process executor, each step once, and name the worker of each step', async () => {
    const local = setup(null);
    const inProcess = await runShopflow(['--config', local.config, 'materialize', '*', '--json'], local.env);
    expect(inProcess.code, inProcess.stderr).toBe(0);

    const queued = setup('queued');
    const workers = await Promise.all([1, 2, 3].map(() => startWorker(queued.config, queued.env)));
    const run = await runShopflow(
      ['--config', queued.config, 'materialize', '*', '--executor', 'queue', '--json'],
      queued.env,
    );
    expect(run.code, run.stderr).toBe(0);

    const sqlite = await openInstanceStore({ type: 'sqlite', path: join(local.home, 'instance.db') });
    const postgres = await openInstanceStore({ type: 'postgres', url: pg.url, schema: 'queued' });
    try {
      const expected = await versions(sqlite);
      expect(expected.length).toBeGreaterThan(5);
      expect(await versions(postgres)).toEqual(expected);

      const [queuedRun] = await postgres.listRuns({ limit: 1 });
      const materializations = await postgres.listEvents({ runId: queuedRun.id, types: ['materialization'] });
      const labels = materializations.map((m) => `${m.assetKey}[${m.partitionKey ?? ''}]`);
      expect(new Set(labels).size).toBe(labels.length);
      expect(labels.length).toBe(expected.length);

      const taken = (await postgres.listEvents({ runId: queuedRun.id, types: ['log'] })).filter(
        (e) => typeof e.data.worker === 'string',
      );
      expect(taken.length).toBe(labels.length);
      for (const event of taken) expect(workers).toContain(event.data.worker);

      // NOTE: the launching process relays the workers' events: one JSON line per event of the run,
      // in order, each once, as the in-process executor prints them.
      const lines = jsonLines(run.stdout);
      const recorded = await postgres.listEvents({ runId: queuedRun.id });
      expect(lines.map((l) => l.id)).toEqual(recorded.map((e) => e.id));
      const labelsOf = (type: string) =>
        lines.filter((l) => l.type === type).map((l) => `${l.assetKey}[${l.partitionKey ?? ''}]`);
      expect(labelsOf('step_start').sort()).toEqual([...labels].sort());
      expect(labelsOf('step_success').sort()).toEqual([...labels].sort());
      expect(lines[0]?.type).toBe('run_start');
      expect(lines.at(-1)?.type).toBe('run_success');

      const shown = await runShopflow(['--config', queued.config, 'runs', 'show', queuedRun.id], queued.env);
      const line = shown.stdout.split('\n').find((l) => l.startsWith('workers'));
      const counts = [...(line ?? '').matchAll(/(\S+) \((\d+) steps?\)/g)];
      expect(counts.map((m) => m[1]).every((w) => workers.includes(w))).toBe(true);
      expect(counts.reduce((n, m) => n + Number(m[2]), 0)).toBe(labels.length);
    } finally {
      await sqlite.close();
      await postgres.close();
    }

    for (const child of children) child.kill('SIGTERM');
    const codes = await Promise.all(
      children.map((c) =>
        c.exitCode !== null ? c.exitCode : new Promise<number | null>((r) => c.on('exit', r)),
      ),
    );
    expect(codes).toEqual([0, 0, 0]);
  }, 180_000);

  test('a worker SIGKILLed in the middle of a step: the lease expires, another worker takes the step over, the run succeeds and nothing is recorded twice', async () => {
    const { home: holdHome, cleanup } = tempHome('shopflow-queue-hold-');
    cleanups.push(cleanup);
    const hold = join(holdHome, 'hold');
    writeFileSync(hold, '');
    const killed = setup('killed', { holdFile: hold, holdAssets: ['station_summary'] });
    const first = children.length;
    const workers = await Promise.all([1, 2].map(() => startWorker(killed.config, killed.env)));
    const mine = children.slice(first);
    const running = spawnShopflow(
      ['--config', killed.config, 'materialize', '*', '--executor', 'queue', '--json'],
      killed.env,
    );
    children.push(running);
    let stderr = '';
    running.stderr!.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => running.on('exit', r));

    const store = await openInstanceStore({ type: 'postgres', url: pg.url, schema: 'killed' });
    try {
      let holder: string | undefined;
      while (!holder) {
        await new Promise((r) => setTimeout(r, 100));
        const [run] = await store.listRuns({ limit: 1 });
        if (!run) continue;
        const taken = (await store.listEvents({ runId: run.id, types: ['log'] })).find(
          (e) => e.assetKey === 'station_summary' && typeof e.data.worker === 'string',
        );
        holder = taken?.data.worker as string | undefined;
      }
      const victim = mine.find((c) => holder!.endsWith(`:${c.pid}`))!;
      victim.kill('SIGKILL');
      await new Promise((r) => victim.on('exit', r));
      rmSync(hold);

      expect(await exited, stderr).toBe(0);
      const [run] = await store.listRuns({ limit: 1 });
      expect(run.status).toBe('success');
      const materialized = await store.listEvents({ runId: run.id, types: ['materialization'] });
      const labels = materialized.map((m) => `${m.assetKey}[${m.partitionKey ?? ''}]`);
      expect(new Set(labels).size).toBe(labels.length);
      expect(labels.filter((l) => l.startsWith('station_summary'))).toHaveLength(1);
      expect((await store.listAssetPartitionStates()).length).toBe(labels.length);
      const retries = await store.listEvents({ runId: run.id, types: ['step_retry'] });
      expect(retries.map((e) => [e.assetKey, e.data.reason, e.data.previousOwner])).toEqual([
        ['station_summary', 'lease_expired', expect.stringMatching(new RegExp(`^${holder}/`))],
      ]);
      const takers = (await store.listEvents({ runId: run.id, types: ['log'] }))
        .filter((e) => e.assetKey === 'station_summary' && typeof e.data.worker === 'string')
        .map((e) => e.data.worker);
      expect(takers).toEqual([holder, workers.find((w) => w !== holder)]);
    } finally {
      await store.close();
      rmSync(hold, { force: true });
    }
  }, 180_000);

  test('SIGTERM during a step: the worker takes no new step, finishes and reports the one in hand, and exits 0', async () => {
    const { home: holdHome, cleanup } = tempHome('shopflow-queue-term-');
    cleanups.push(cleanup);
    const hold = join(holdHome, 'hold');
    writeFileSync(hold, '');
    const term = setup('term', { holdFile: hold, holdAssets: ['station_summary'] });
    const first = children.length;
    await startWorker(term.config, term.env);
    const worker = children[first];
    const running = spawnShopflow(
      ['--config', term.config, 'materialize', '*', '--executor', 'queue', '--json'],
      term.env,
    );
    children.push(running);
    const exited = new Promise<number | null>((r) => running.on('exit', r));
    const store = await openInstanceStore({ type: 'postgres', url: pg.url, schema: 'term' });
    try {
      let runId: string | undefined;
      while (!runId) {
        await new Promise((r) => setTimeout(r, 100));
        const [run] = await store.listRuns({ limit: 1 });
        if (!run) continue;
        const taken = (await store.listEvents({ runId: run.id, types: ['log'] })).some(
          (e) => e.assetKey === 'station_summary' && typeof e.data.worker === 'string',
        );
        if (taken) runId = run.id;
      }
      const workerExit = new Promise<number | null>((r) => worker.on('exit', r));
      worker.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      expect(worker.exitCode).toBeNull();
      rmSync(hold);
      expect(await workerExit).toBe(0);
      const report = await readStepReport(store, { runId, key: 'station_summary' });
      expect(report?.outcome.status).toBe('success');

      // NOTE: the run goes on with a new worker; the step the first worker finished is not run again.
      await startWorker(term.config, term.env);
      expect(await exited).toBe(0);
      const summaries = await store.listEvents({
        runId,
        types: ['materialization'],
        assetKey: 'station_summary',
      });
      expect(summaries).toHaveLength(1);
    } finally {
      await store.close();
      rmSync(hold, { force: true });
    }
  }, 180_000);

  test('steps routed to a queue limited to 1 never run two at a time, across two workers of 2 slots each', async () => {
    const limited = setup('limited', {}, '  queues:\n    limited:\n      select: readings\n      limit: 1\n');
    const first = children.length;
    await Promise.all([
      startWorker(limited.config, limited.env),
      startWorker(limited.config, limited.env, ['--queue', 'limited', '--concurrency', '2']),
      startWorker(limited.config, limited.env, ['--queue', 'limited', '--concurrency', '2']),
    ]);
    const run = await runShopflow(
      ['--config', limited.config, 'materialize', '*', '--executor', 'queue', '--json'],
      limited.env,
    );
    expect(run.code, run.stderr).toBe(0);
    const store = await openInstanceStore({ type: 'postgres', url: pg.url, schema: 'limited' });
    try {
      const [queued] = await store.listRuns({ limit: 1 });
      const events = await store.listEvents({ runId: queued.id, assetKey: 'readings' });
      const taken = events.filter((e) => e.type === 'log' && typeof e.data.worker === 'string');
      expect(taken.length).toBeGreaterThan(1);
      expect(taken.every((e) => e.data.queue === 'limited')).toBe(true);
      let running = 0;
      let most = 0;
      for (const e of events) {
        if (e.type === 'step_start') running++;
        if (e.type === 'step_success' || e.type === 'step_failure') running--;
        most = Math.max(most, running);
      }
      expect(most).toBe(1);
      const others = (await store.listEvents({ runId: queued.id, types: ['log'] })).filter(
        (e) => e.assetKey !== 'readings' && typeof e.data.worker === 'string',
      );
      expect(others.length).toBeGreaterThan(0);
      expect(others.every((e) => e.data.queue === 'steps')).toBe(true);
    } finally {
      await store.close();
      for (const child of children.slice(first)) child.kill('SIGTERM');
    }
  }, 180_000);

  test('executor.limit caps the steps of all runs on the default queue, across two workers of 2 slots each', async () => {
    const limited = setup('global', {}, '  limit: 1\n');
    const first = children.length;
    await Promise.all([1, 2].map(() => startWorker(limited.config, limited.env, ['--concurrency', '2'])));
    const runs = await Promise.all(
      ['+daily_stats', 'stations,notes'].map((selection) =>
        runShopflow(
          ['--config', limited.config, 'materialize', selection, '--executor', 'queue', '--force', '--json'],
          limited.env,
        ),
      ),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const store = await openInstanceStore({ type: 'postgres', url: pg.url, schema: 'global' });
    try {
      // Every step start and end of both runs, in the store's order.
      const events = (await store.listEvents({ types: ['step_start', 'step_success', 'step_failure'] })).sort(
        (a, b) => a.id - b.id,
      );
      expect(new Set(events.map((e) => e.runId)).size).toBe(2);
      let running = 0;
      let most = 0;
      for (const e of events) {
        running += e.type === 'step_start' ? 1 : -1;
        most = Math.max(most, running);
      }
      expect(most).toBe(1);
    } finally {
      await store.close();
      for (const child of children.slice(first)) child.kill('SIGTERM');
    }
  }, 180_000);

  test('two runs on overlapping selections, forced, through the same workers: no partition is ever materialized by both at once', async () => {
    const overlap = setup('overlap');
    writeFileSync(
      overlap.config,
      readFileSync(overlap.config, 'utf8').replace('lockWaitSeconds: 2', 'lockWaitSeconds: 60'),
    );
    const first = children.length;
    await Promise.all([1, 2].map(() => startWorker(overlap.config, overlap.env, ['--concurrency', '2'])));
    const materialize = (selection: string) =>
      runShopflow(
        ['--config', overlap.config, 'materialize', selection, '--executor', 'queue', '--force', '--json'],
        overlap.env,
      );
    const runs = await Promise.all([materialize('+daily_stats'), materialize('+weekly_stats')]);
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const store = await openInstanceStore({ type: 'postgres', url: pg.url, schema: 'overlap' });
    try {
      const ids = (await store.listRuns({ limit: 2 })).map((r) => r.id);
      expect(ids).toHaveLength(2);
      // Per partition, the [start, end] of every step of either run, in event order.
      const spans = new Map<string, Array<{ run: string; start: number; end: number }>>();
      for (const runId of ids) {
        const open = new Map<string, number>();
        for (const e of await store.listEvents({
          runId,
          types: ['step_start', 'step_success', 'step_failure'],
        })) {
          const key = `${e.assetKey}[${e.partitionKey ?? ''}]`;
          if (e.type === 'step_start') open.set(key, e.id);
          else spans.set(key, [...(spans.get(key) ?? []), { run: runId, start: open.get(key)!, end: e.id }]);
        }
      }
      const shared = [...spans].filter(([, s]) => new Set(s.map((x) => x.run)).size === 2);
      // NOTE: both selections hold every readings and stations partition.
      expect(shared.length).toBeGreaterThan(3);
      for (const [key, [a, b]] of shared) {
        const apart = a.end < b.start || b.end < a.start;
        expect(apart, `${key} was materialized by both runs at once`).toBe(true);
      }
    } finally {
      await store.close();
      for (const child of children.slice(first)) child.kill('SIGTERM');
    }
  }, 180_000);

  test('the daemon with executor.type queue: its scheduled run goes through the workers', async () => {
    const { home, cleanup } = tempHome('shopflow-queue-daemon-');
    cleanups.push(cleanup);
    const config = join(home, 'daemon.yaml');
    writeFileSync(
      config,
      `env: test\nhome: ${home}\ndefinitions: ${join(REPO, 'tests/fixtures/scheduled-example-graph.ts')}\ninstance:\n  type: postgres\n  url: ${pg.url}\n  schema: daemon_queue\nexecutor:\n  type: queue\n  concurrency: 2\n  heartbeatSeconds: 1\n  leaseSeconds: 3\nlogging:\n  level: warn\n`,
    );
    const optionsFile = join(home, 'options.json');
    writeFileSync(
      optionsFile,
      JSON.stringify({ start: new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10) }),
    );
    const env = { EXAMPLE_OPTIONS_FILE: optionsFile };
    const store = await openInstanceStore({ type: 'postgres', url: pg.url, schema: 'daemon_queue' });
    try {
      // NOTE: "first seen" three minutes back makes the every-minute schedule due at once.
      await store.setCheckpoint(
        scheduleSinceCheckpoint('every_minute'),
        new Date(Date.now() - 3 * 60_000).toISOString(),
      );
      const first = children.length;
      const worker = await startWorker(config, env);
      const daemon = spawnShopflow(['--config', config, 'daemon', '--interval', '0.5', '--json'], env);
      children.push(daemon);
      try {
        let run: Awaited<ReturnType<InstanceStore['listRuns']>>[number] | undefined;
        for (let i = 0; i < 300 && !run; i++) {
          [run] = await store.listRuns({ status: ['success'], limit: 1 });
          if (!run) await new Promise((r) => setTimeout(r, 100));
        }
        expect(run, 'a scheduled run succeeded').toBeDefined();
        expect(run!.tags.tick).toBeDefined();
        const taken = (await store.listEvents({ runId: run!.id, types: ['log'] })).filter(
          (e) => typeof e.data.worker === 'string',
        );
        const steps = await store.listEvents({ runId: run!.id, types: ['step_success'] });
        expect(steps.length).toBeGreaterThan(0);
        expect(taken.length).toBe(steps.length);
        expect(taken.every((e) => e.data.worker === worker)).toBe(true);
      } finally {
        for (const child of children.slice(first)) child.kill('SIGTERM');
      }
    } finally {
      await store.close();
    }
  }, 120_000);

  test('a run launched from the web page and a backfill go through the workers; the run view names the worker of each step', async () => {
    const web = setup('web_queue', {}, '  type: queue\n');
    const first = children.length;
    const worker = await startWorker(web.config, web.env);
    const options = JSON.parse(readFileSync(web.env.EXAMPLE_OPTIONS_FILE, 'utf8'));
    const runtime = await openTestRuntime(exampleDefinitions(options), web.home, {
      config: {
        instance: { type: 'postgres', url: pg.url, schema: 'web_queue' },
        executor: { type: 'queue', concurrency: 2, heartbeatSeconds: 1, leaseSeconds: 3, lockWaitSeconds: 2 },
      },
    });
    const token = 'queue-web-token-0123456789abcdef';
    const app = createServer({ runtime, token, host: '127.0.0.1', port: 0, log: silentLog });
    try {
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const launched = await app.inject({
        method: 'POST',
        url: '/api/runs',
        headers,
        payload: JSON.stringify({ selection: 'readings' }),
      });
      expect(launched.statusCode, launched.body).toBe(202);
      const { runId } = launched.json() as { runId: string };
      for (let i = 0; i < 600 && (await runtime.store.getRun(runId))?.status !== 'success'; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const detail = (await app.inject({ url: `/api/runs/${runId}`, headers })).json() as {
        run: { status: string };
        steps: unknown[];
        workers: Record<string, string>;
      };
      expect(detail.run.status).toBe('success');
      expect(detail.steps.length).toBeGreaterThan(0);
      expect(Object.keys(detail.workers)).toHaveLength(detail.steps.length);
      expect(new Set(Object.values(detail.workers))).toEqual(new Set([worker]));

      const day = options.start as string;
      const backfill = await runShopflow(
        [
          '--config',
          web.config,
          // The example graph with the schedules commands (backfill among them).
          '--definitions',
          join(REPO, 'tests/fixtures/scheduled-example-graph.ts'),
          'backfill',
          'daily_stats',
          '--from',
          day,
          '--to',
          day,
          '--json',
        ],
        web.env,
      );
      expect(backfill.code, backfill.stderr).toBe(0);
      const [latest] = await runtime.store.listRuns({ limit: 1 });
      expect(latest.id).not.toBe(runId);
      const starts = await runtime.store.listEvents({ runId: latest.id, types: ['step_start'] });
      expect(starts.length).toBeGreaterThan(0);
      expect(starts.every((e) => e.data.worker === worker)).toBe(true);
    } finally {
      await app.close();
      await runtime.close();
      for (const child of children.slice(first)) child.kill('SIGTERM');
    }
  }, 180_000);

  test('with metrics.emf a worker writes its queue depth as a CloudWatch metric line', async () => {
    const depth = setup('depth');
    writeFileSync(
      depth.config,
      `${readFileSync(depth.config, 'utf8')}metrics:\n  emf: true\n  queueDepthSeconds: 0.2\n`,
    );
    const child = spawnShopflow(['--config', depth.config, 'worker', '--json'], depth.env);
    children.push(child);
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
    });
    try {
      for (let i = 0; i < 200 && !err.includes('QueuedSteps'); i++)
        await new Promise((r) => setTimeout(r, 50));
      const line = JSON.parse(err.split('\n').find((l) => l.includes('QueuedSteps'))!);
      expect(line._aws.CloudWatchMetrics[0]).toMatchObject({
        Namespace: 'ShopFlow',
        Dimensions: [['Queue']],
      });
      expect(line).toMatchObject({ Queue: 'steps', QueuedSteps: 0, ActiveSteps: 0 });
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);

  test('runs cancel with no worker running withdraws the queued steps and ends the run canceled within seconds; a worker started afterwards runs nothing of it', async () => {
    const canceled = setup('cancelidle');
    const running = spawnShopflow(
      ['--config', canceled.config, 'materialize', '*', '--executor', 'queue', '--json'],
      canceled.env,
    );
    children.push(running);
    let stdout = '';
    running.stdout!.on('data', (d) => {
      stdout += d;
    });
    const exited = new Promise<number | null>((r) => running.on('exit', r));
    const store = await openInstanceStore({ type: 'postgres', url: pg.url, schema: 'cancelidle' });
    try {
      let runId: string | undefined;
      while (!runId) {
        await new Promise((r) => setTimeout(r, 100));
        const [run] = await store.listRuns({ limit: 1 });
        if (run && (await store.listEvents({ runId: run.id, types: ['run_start'] })).length) runId = run.id;
      }
      // NOTE: let the first steps reach the queue.
      await new Promise((r) => setTimeout(r, 1_000));
      const started = Date.now();
      const cancel = await runShopflow(['--config', canceled.config, 'runs', 'cancel', runId], canceled.env);
      expect(cancel.code, cancel.stdout + cancel.stderr).toBe(0);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(await exited).toBe(1);
      const run = await store.getRun(runId);
      expect(run?.status).toBe('canceled');
      const lines = jsonLines(stdout);
      const plan = run?.plan as { steps: unknown[] };
      const skipped = lines.filter((l) => l.type === 'step_skipped' && l.data.reason === 'canceled');
      expect(skipped).toHaveLength(plan.steps.length);
      expect(lines.at(-1)?.type).toBe('run_canceled');

      await startWorker(canceled.config, canceled.env);
      await new Promise((r) => setTimeout(r, 3_000));
      const after = await store.listEvents({ runId, types: ['materialization', 'step_start', 'log'] });
      expect(after).toEqual([]);
      expect((await store.getRun(runId))?.status).toBe('canceled');
    } finally {
      await store.close();
    }
  }, 120_000);

  test('a worker that dies after taking a step off the queue, before it starts it: the step is sent again after the lease time and the run succeeds', async () => {
    const stuck = setup('stuck');
    const running = spawnShopflow(
      ['--config', stuck.config, 'materialize', 'stations', '--executor', 'queue', '--json'],
      stuck.env,
    );
    children.push(running);
    let stdout = '';
    running.stdout!.on('data', (d) => {
      stdout += d;
    });
    const exited = new Promise<number | null>((r) => running.on('exit', r));
    // NOTE: a worker's first half: it takes the job off the queue (pg-boss marks it active), then
    // dies before it takes the step's lease.
    const { PgBoss } = await import('pg-boss');
    const boss = new PgBoss({ connectionString: pg.url, schema: 'stuck_queue' });
    boss.on('error', () => {});
    await boss.start();
    let taken = 0;
    try {
      for (let i = 0; i < 300 && taken === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        taken = (await boss.fetch('steps').catch(() => [])).length;
      }
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
    expect(taken).toBe(1);
    await startWorker(stuck.config, stuck.env);
    expect(await exited).toBe(0);
    const lines = jsonLines(stdout);
    const retry = lines.find((l) => l.type === 'step_retry');
    expect(retry?.message).toBe(
      'stations: a worker took it off the queue and never started it; sent again (delivery 2)',
    );
    expect(retry?.data).toMatchObject({ reason: 'never_started', attempt: 2, previousOwner: null });
    expect(lines.at(-1)?.type).toBe('run_success');
  }, 120_000);

  test('a step of a run that has ended is not run by a worker that takes it later', async () => {
    const ended = setup('ended');
    const running = spawnShopflow(
      ['--config', ended.config, 'materialize', '*', '--executor', 'queue', '--json'],
      ended.env,
    );
    children.push(running);
    const exited = new Promise<number | null>((r) => running.on('exit', r));
    const store = await openInstanceStore({ type: 'postgres', url: pg.url, schema: 'ended' });
    try {
      let runId: string | undefined;
      while (!runId) {
        await new Promise((r) => setTimeout(r, 100));
        const [run] = await store.listRuns({ limit: 1 });
        if (run && (await store.listEvents({ runId: run.id, types: ['run_start'] })).length) runId = run.id;
      }
      await new Promise((r) => setTimeout(r, 1_000));
      // NOTE: the launching process dies with its steps on the queue; the next command finds the
      // run abandoned and ends it.
      running.kill('SIGKILL');
      await exited;
      const shown = await runShopflow(['--config', ended.config, 'runs', 'show', runId], ended.env);
      expect(shown.code, shown.stderr).toBe(0);
      expect((await store.getRun(runId))?.status).toBe('failed');

      await startWorker(ended.config, ended.env);
      // NOTE: the worker takes the steps left on the queue and gives each up unrun.
      let reported = false;
      for (let i = 0; i < 100 && !reported; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const plan = (await store.getRun(runId))?.plan as { steps: Array<{ key: string }> };
        for (const step of plan.steps) {
          const report = await readStepReport(store, { runId, key: step.key });
          if (report) {
            reported = true;
            expect(report.outcome).toMatchObject({ status: 'skipped', canceled: true });
          }
        }
      }
      expect(reported).toBe(true);
      const after = await store.listEvents({ runId, types: ['materialization', 'step_start'] });
      expect(after).toEqual([]);
      expect((await store.getRun(runId))?.status).toBe('failed');
    } finally {
      await store.close();
    }
  }, 120_000);

  test('the queue executor on a SQLite instance is a configuration error naming the fix', async () => {
    const local = setup(null);
    const result = await runShopflow(
      ['--config', local.config, 'materialize', '*', '--executor', 'queue', '--json'],
      local.env,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SF_CONFIG_INVALID');
    expect(result.stderr).toContain('instance.type: postgres');
  });

  test('a worker on a SQLite instance is a configuration error that fits the worker command', async () => {
    const local = setup(null);
    const result = await runShopflow(['--config', local.config, 'worker'], local.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SF_CONFIG_INVALID');
    expect(result.stderr).toContain('instance.type: postgres');
    expect(result.stderr).not.toContain('--executor queue');
  });

  test('a worker on a queue the configuration does not name is bad usage listing the queues', async () => {
    const named = setup('namedqueues', {}, '  queues:\n    warehouse:\n      select: station_summary\n');
    const result = await runShopflow(['--config', named.config, 'worker', '--queue', 'warehous'], named.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SF_BAD_USAGE');
    expect(result.stderr).toContain('--queue warehous is not a queue');
    expect(result.stderr).toContain('`steps`, `warehouse`');
  });

  test('an unknown executor is bad usage', async () => {
    const local = setup(null);
    const result = await runShopflow(
      ['--config', local.config, 'materialize', '*', '--executor', 'celery'],
      local.env,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--executor celery is not an executor');
  });
});
