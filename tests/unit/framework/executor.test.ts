import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  cancelRun,
  defineCheck,
  finishAbandonedRun,
  HOSTNAME,
  type InstanceStore,
  lakePartitionDir,
} from '../../../framework/index.js';
import { type ExampleOptions, exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

const NOW = new Date('2024-01-10T12:00:00Z');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(options: ExampleOptions = {}, config?: Record<string, unknown>) {
  const { home, cleanup } = tempHome();
  const runtime = await openTestRuntime(exampleDefinitions(options), home, { now: () => NOW, config });
  cleanups.push(cleanup, () => runtime.close());
  return { home, runtime };
}

/** Resolves once `parties` callers have arrived; each caller waits for all. */
function barrier(parties: number) {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => {
    release = resolve;
  });
  return async () => {
    arrived++;
    if (arrived === parties) release();
    await all;
  };
}

async function readRows(runtime: Awaited<ReturnType<typeof setup>>['runtime'], file: string) {
  const session = await runtime.engine.session();
  try {
    return await session.query(
      `select * from read_parquet('${file}', hive_partitioning = false) order by all`,
    );
  } finally {
    session.close();
  }
}

describe('executor', () => {
  test('independent steps run in parallel (a barrier that needs both to be running)', async () => {
    const wait = barrier(2);
    // stations and readings[2024-01-01] both wait at the barrier: with concurrency 1 this would never finish.
    const { runtime } = await setup({
      gate: (key) => (key === 'stations' || key === 'readings' ? wait() : Promise.resolve()),
    });
    const plan = await runtime.plan({ selection: 'stations,readings', partitions: { keys: ['2024-01-01'] } });
    expect(plan.steps.map((s) => s.key)).toEqual(['readings[2024-01-01]', 'stations']);
    const result = await runtime.execute(plan, { concurrency: 2 });
    expect(result.status).toBe('success');
  });

  test('a failing error check blocks the downstream steps of that partition only', async () => {
    const { runtime } = await setup({ badDays: ['2024-01-03'] });
    const result = await runtime.execute(await runtime.plan({ selection: 'readings+' }));
    expect(result.status).toBe('failed');
    const bad = result.outcomes.get('readings[2024-01-03]')!;
    expect(bad.status).toBe('success');
    expect(bad.blocking).toBe(true);
    expect(bad.checks).toEqual([expect.objectContaining({ name: 'temperature_plausible', passed: false })]);
    expect(result.outcomes.get('daily_stats[2024-01-03]')).toMatchObject({
      status: 'skipped',
      message: expect.stringContaining('blocking check'),
    });
    expect(result.outcomes.get('daily_stats[2024-01-04]')!.status).toBe('success');
    expect(result.outcomes.get('weekly_stats[2024-01-01]')!.status).toBe('skipped');
    const evaluations = await runtime.store.latestCheckEvaluations({ assetKey: 'readings' });
    const failing = evaluations.find((e) => e.partitionKey === '2024-01-03')!;
    expect(failing.passed).toBe(false);
    expect(failing.metadata.failingRows).toBe(3);
    expect((failing.metadata.sample as unknown[]).length).toBe(3);
  });

  test("a materialization goes on record with its checks' evaluations, never before them", async () => {
    let store: InstanceStore | undefined;
    const seen: Array<{ id: string; recorded: number; state: string | null }> = [];
    const watcher = defineCheck({
      name: 'sees_the_store',
      severity: 'error',
      description: 'reads what other readers of the store would see while the check runs',
      evaluate: async ({ materialization }) => {
        const recorded = await store!.listMaterializations({
          assetKey: 'readings',
          partitionKey: '2024-01-02',
        });
        const [state] = await store!.listAssetPartitionStates(['readings'], ['2024-01-02']);
        seen.push({
          id: materialization.id,
          recorded: recorded.length,
          state: state?.materializationId ?? null,
        });
        return { passed: true };
      },
    });
    const { runtime } = await setup({ extraChecks: [watcher] });
    store = runtime.store;
    const plan = await runtime.plan({ selection: 'readings', partitions: { keys: ['2024-01-02'] } });
    expect((await runtime.execute(plan)).status).toBe('success');
    expect(seen).toEqual([{ id: expect.any(String), recorded: 0, state: null }]);
    const [materialization] = await runtime.store.listMaterializations({
      assetKey: 'readings',
      partitionKey: '2024-01-02',
    });
    expect(materialization!.id).toBe(seen[0]!.id);
    const evaluations = (await runtime.store.latestCheckEvaluations({ assetKey: 'readings' })).filter(
      (e) => e.partitionKey === '2024-01-02',
    );
    expect(evaluations.map((e) => e.checkName).sort()).toEqual(['sees_the_store', 'temperature_plausible']);
    expect(new Set(evaluations.map((e) => e.materializationId))).toEqual(new Set([materialization!.id]));
    expect(await runtime.store.listLocks()).toEqual([]);
  });

  test('a step writes to the instance store twice: its lock with its attempt, then its result', async () => {
    const { runtime } = await setup();
    const writes = [
      'createRun',
      'updateRun',
      'appendEvent',
      'appendEvents',
      'recordAttempt',
      'recordStepResult',
      'recordMaterialization',
      'recordCheckEvaluation',
      'recordCheckEvaluations',
      'tryAcquireLock',
      'tryAcquireLockAndStart',
      'stealLock',
      'releaseLock',
      'releaseLocksOfRun',
      'heartbeat',
      'setCheckpoint',
    ] as const;
    const calls = new Map<string, number>();
    const store = runtime.store as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const name of writes) {
      const original = store[name].bind(runtime.store);
      store[name] = (...args) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return original(...args);
      };
    }
    const callsFor = async (days: number) => {
      calls.clear();
      const keys = Array.from({ length: days }, (_, i) => `2024-01-0${i + 1}`);
      const plan = await runtime.plan({ selection: 'readings', partitions: { keys }, force: true });
      expect((await runtime.execute(plan, { concurrency: 1 })).status).toBe('success');
      return new Map(calls);
    };
    const two = await callsFor(2);
    const six = await callsFor(6);
    // NOTE: the difference of the two runs is four steps' writes; a run's own writes cancel out.
    const perStep = writes
      .map((name) => [name, ((six.get(name) ?? 0) - (two.get(name) ?? 0)) / 4] as const)
      .filter(([, n]) => n !== 0);
    expect(Object.fromEntries(perStep)).toEqual({ tryAcquireLockAndStart: 1, recordStepResult: 1 });
  });

  test('a failing warn check is recorded and blocks nothing', async () => {
    const warn = defineCheck({
      name: 'never_passes',
      severity: 'warn',
      description: 'x',
      evaluate: async () => ({ passed: false, message: 'nope' }),
    });
    const { runtime } = await setup({ extraChecks: [warn] });
    const result = await runtime.execute(
      await runtime.plan({ selection: 'readings+', partitions: { keys: ['2024-01-02'] } }),
    );
    expect(result.outcomes.get('daily_stats[2024-01-02]')!.status).toBe('success');
    const evaluation = (await runtime.store.latestCheckEvaluations({ assetKey: 'readings' })).find(
      (e) => e.checkName === 'never_passes',
    )!;
    expect(evaluation).toMatchObject({ passed: false, severity: 'warn' });
    expect(evaluation.metadata.message).toBe('nope');
  });

  test('user code errors are wrapped with the asset partition, the original kept as cause', async () => {
    const { runtime } = await setup({ failDays: ['2024-01-02'] });
    const result = await runtime.execute(
      await runtime.plan({ selection: 'readings', partitions: { keys: ['2024-01-02'] } }),
    );
    expect(result.status).toBe('failed');
    const [failure] = await runtime.store.listEvents({ runId: result.runId, types: ['step_failure'] });
    expect(failure.message).toBe(
      'readings[2024-01-02] failed: error in readings[2024-01-02]: source has no file for 2024-01-02',
    );
    expect(failure.data.code).toBe('SF_USER_CODE');
    expect(String(failure.data.stack)).toContain('source has no file');
    const state = (await runtime.store.listAssetPartitionStates(['readings']))[0];
    expect(state).toMatchObject({ lastAttemptStatus: 'failed', materializationId: null });
  });

  test('a failure that quotes a URL with a password is recorded with the password redacted', async () => {
    const url = 'postgres://app:s3cret-pw@db.internal:5432/shop';
    const { runtime } = await setup({
      gate: (key) =>
        key === 'stations' ? Promise.reject(new Error(`cannot reach ${url}`)) : Promise.resolve(),
    });
    const result = await runtime.execute(await runtime.plan({ selection: 'stations' }));
    expect(result.status).toBe('failed');
    expect(result.outcomes.get('stations')!.message).toContain(
      'postgres://app:[REDACTED]@db.internal:5432/shop',
    );
    const events = await runtime.store.listEvents({ runId: result.runId });
    const failure = events.find((e) => e.type === 'step_failure')!;
    expect(failure.message).toContain('cannot reach postgres://app:[REDACTED]@db.internal');
    expect(String(failure.data.stack)).toContain('cannot reach postgres://app:[REDACTED]@db.internal');
    const [state] = await runtime.store.listAssetPartitionStates(['stations']);
    const stored = JSON.stringify({
      events,
      run: await runtime.store.getRun(result.runId),
      state: { ...state, lastError: state.lastError },
      error: result.error,
    });
    expect(stored).toContain('[REDACTED]');
    expect(stored).not.toContain('s3cret-pw');
  });

  test('a cancel requested while a step runs starts no further step once it is 0.1 s old, however long the watch period', async () => {
    let runtime!: Awaited<ReturnType<typeof setup>>['runtime'];
    let calls = 0;
    ({ runtime } = await setup({
      gate: async (key) => {
        if (key !== 'readings' || calls++ > 0) return;
        const [run] = await runtime.store.listRuns({ limit: 1 });
        expect((await cancelRun(runtime, run!, 'the test')).outcome).toBe('requested');
        // NOTE: longer than the executor's look before a step starts may lag (0.1 s).
        await new Promise((r) => setTimeout(r, 150));
      },
    }));
    const plan = await runtime.plan({ selection: 'readings' });
    expect(plan.steps.length).toBeGreaterThan(3);
    const result = await runtime.execute(plan, { concurrency: 1, cancelPollMs: 60_000 });
    expect(result.status).toBe('canceled');
    const events = await runtime.store.listEvents({ runId: result.runId });
    expect(events.filter((e) => e.type === 'step_start')).toHaveLength(1);
    const requested = events.findIndex((e) => e.type === 'run_cancel_requested');
    expect(events.slice(requested).filter((e) => e.type === 'step_start')).toEqual([]);
    expect(events.filter((e) => e.type === 'step_skipped' && e.data.reason === 'canceled')).toHaveLength(
      plan.steps.length - 1,
    );
  });

  test('a run is ended on behalf of a dead process only while it is unfinished: a run that finished meanwhile keeps its end', async () => {
    const { runtime } = await setup();
    const result = await runtime.execute(await runtime.plan({ selection: 'stations' }));
    expect(result.status).toBe('success');
    const before = await runtime.store.listEvents({ runId: result.runId });
    const ended = await finishAbandonedRun({
      store: runtime.store,
      run: (await runtime.store.getRun(result.runId))!,
      status: 'failed',
      error: 'run abandoned: late',
      now: NOW,
    });
    expect(ended).toBe(false);
    expect(await runtime.store.getRun(result.runId)).toMatchObject({ status: 'success', error: null });
    expect(await runtime.store.listEvents({ runId: result.runId })).toHaveLength(before.length);
  });

  test('retries with backoff until the step succeeds', async () => {
    const counter = { n: 0 };
    const { runtime } = await setup({ flaky: { failures: 2, counter } });
    const result = await runtime.execute(
      await runtime.plan({ selection: 'readings', partitions: { keys: ['2024-01-01'] } }),
    );
    expect(result.status).toBe('success');
    const retries = await runtime.store.listEvents({ runId: result.runId, types: ['step_retry'] });
    expect(retries.map((e) => e.data.attempt)).toEqual([1, 2]);
    expect(counter.n).toBe(3);
  });

  test('a failed run is retried from its failed steps only', async () => {
    const { home, runtime } = await setup({ failDays: ['2024-01-05'] });
    const first = await runtime.execute(await runtime.plan());
    expect(first.status).toBe('failed');
    const ok = [...first.outcomes.values()].filter((o) => o.status === 'success').length;
    expect(ok).toBe(8 + 8 + 2);
    await runtime.close();
    cleanups.pop();
    const fixed = await openTestRuntime(exampleDefinitions({}), home, { now: () => NOW });
    cleanups.push(() => fixed.close());
    const retry = await fixed.retry(first.runId);
    expect(retry.status).toBe('success');
    expect([...retry.outcomes.keys()].sort()).toEqual([
      'daily_stats[2024-01-05]',
      'readings[2024-01-05]',
      'station_summary',
      'weekly_stats[2024-01-01]',
    ]);
    expect((await fixed.store.getRun(retry.runId))!.parentRunId).toBe(first.runId);
    expect((await fixed.plan()).steps).toEqual([]);
  });

  test('a failed write leaves the previous version readable and no temporary file behind', async () => {
    const { home, runtime } = await setup();
    await runtime.execute(
      await runtime.plan({ selection: 'readings', partitions: { keys: ['2024-01-01'] } }),
    );
    const dir = lakePartitionDir(join(home, 'lake'), 'readings', '2024-01-01');
    const before = await readRows(runtime, join(dir, 'data.parquet'));
    const broken = await openTestRuntime(exampleDefinitions({ failDays: ['2024-01-01'] }), home, {
      now: () => NOW,
    });
    cleanups.push(() => broken.close());
    const result = await broken.execute(
      await broken.plan({ selection: 'readings', partitions: { keys: ['2024-01-01'] }, force: true }),
    );
    expect(result.status).toBe('failed');
    expect(await readRows(runtime, join(dir, 'data.parquet'))).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(['_files.json', 'data.parquet']);
  });

  test('a partition held by a live run makes the second run fail naming the holder', async () => {
    const { runtime } = await setup(
      {},
      { executor: { concurrency: 1, lockWaitSeconds: 0, heartbeatSeconds: 1, deadAfterSeconds: 600 } },
    );
    const now = NOW.toISOString();
    await runtime.store.tryAcquireLock('stations', {
      runId: 'other-run',
      pid: process.pid,
      hostname: HOSTNAME,
      acquiredAt: now,
      heartbeatAt: now,
    });
    const result = await runtime.execute(await runtime.plan({ selection: 'stations' }));
    expect(result.status).toBe('failed');
    expect(result.outcomes.get('stations')!.message).toContain(
      `stations is being materialized by run other-run (pid ${process.pid} on ${HOSTNAME})`,
    );
    // The holder's state is untouched: no failed attempt was recorded for a step that never ran.
    expect(await runtime.store.listAssetPartitionStates(['stations'])).toEqual([]);
  });

  test('a step skipped because its upstream came out identical takes no lock: a held one neither delays nor fails it', async () => {
    const { runtime } = await setup(
      {},
      { executor: { concurrency: 1, lockWaitSeconds: 0, heartbeatSeconds: 1, deadAfterSeconds: 600 } },
    );
    expect((await runtime.execute(await runtime.plan())).status).toBe('success');
    const plan = await runtime.plan({ selection: 'stations+', force: ['stations'] });
    const readers = plan.steps.filter((s) => s.assetKey !== 'stations');
    expect(readers.length).toBeGreaterThan(0);
    const held = readers[0].key;
    const now = NOW.toISOString();
    const holder = {
      runId: 'other-run',
      pid: process.pid,
      hostname: HOSTNAME,
      acquiredAt: now,
      heartbeatAt: now,
    };
    expect((await runtime.store.tryAcquireLock(held, holder)).acquired).toBe(true);
    const result = await runtime.execute(plan);
    expect(result.status).toBe('success');
    for (const step of readers) expect(result.outcomes.get(step.key)!.status).toBe('skipped');
    // The other run's lock is still its own.
    const again = await runtime.store.tryAcquireLock(held, { ...holder, runId: 'third-run' });
    expect(again).toMatchObject({ acquired: false, holder: { runId: 'other-run' } });
  });

  test('a lock held by a dead process is taken over', async () => {
    const { runtime } = await setup(
      {},
      { executor: { concurrency: 1, lockWaitSeconds: 0, heartbeatSeconds: 1, deadAfterSeconds: 600 } },
    );
    const now = NOW.toISOString();
    // pid 2^22+1 is above Linux's pid_max default: no such process.
    await runtime.store.tryAcquireLock('stations', {
      runId: 'dead-run',
      pid: 4_194_305,
      hostname: HOSTNAME,
      acquiredAt: now,
      heartbeatAt: now,
    });
    const result = await runtime.execute(await runtime.plan({ selection: 'stations' }));
    expect(result.status).toBe('success');
  });

  test('assets that write themselves record what they return', async () => {
    const { runtime } = await setup();
    await runtime.execute(await runtime.plan({ selection: 'notes' }));
    const [m] = await runtime.store.listMaterializations({ assetKey: 'notes' });
    expect(m.rowCount).toBe(1);
    expect(m.metadata.text).toBe('hello');
  });

  test('lineage records the upstream materializations and versions each step read', async () => {
    const { runtime } = await setup();
    await runtime.execute(await runtime.plan());
    const [week] = await runtime.store.listMaterializations({ assetKey: 'weekly_stats' });
    expect(week.inputs.map((i) => i.partitionKey)).toEqual([
      '2024-01-01',
      '2024-01-02',
      '2024-01-03',
      '2024-01-04',
      '2024-01-05',
      '2024-01-06',
      '2024-01-07',
    ]);
    const states = await runtime.store.listAssetPartitionStates(['daily_stats']);
    for (const input of week.inputs) {
      const state = states.find((s) => s.partitionKey === input.partitionKey)!;
      expect(input).toMatchObject({
        assetKey: 'daily_stats',
        materializationId: state.materializationId,
        dataVersion: state.dataVersion,
      });
    }
  });

  test('stale temporary files of dead runs are swept', async () => {
    const { home, runtime } = await setup();
    await runtime.execute(await runtime.plan({ selection: 'stations' }));
    const run = await runtime.store.createRun({
      selection: 'stations',
      plan: { steps: [] },
      status: 'running',
      pid: 4_194_305,
      hostname: HOSTNAME,
    });
    const leftover = join(home, 'lake', 'stations', `.tmp-${run.id}-abcd.parquet`);
    writeFileSync(leftover, 'partial');
    expect(await runtime.reapDeadRuns()).toEqual([run.id]);
    expect(existsSync(leftover)).toBe(false);
    expect((await runtime.store.getRun(run.id))!.error).toContain('pid 4194305');
  });
});

describe('the order of ready steps', () => {
  test('the ready step with the longest chain after it starts first, plan order among equals', async () => {
    const { z } = await import('zod');
    const { defineAsset, defineDefinitions, materialized, storedByAsset } = await import(
      '../../../framework/index.js'
    );
    const started: string[] = [];
    const asset = (key: string, deps: Record<string, ReturnType<typeof defineAsset>> = {}) =>
      defineAsset({
        key,
        description: '',
        deps,
        schema: z.object({ x: z.int() }),
        io: storedByAsset(),
        async materialize() {
          started.push(key);
          return materialized({ rowCount: 0 });
        },
      });
    // NOTE: plan order is alphabetical among steps that are ready together: a_leaf, b_leaf, c_head.
    const head = asset('c_head');
    const middle = asset('d_middle', { head });
    const tail = asset('e_tail', { middle });
    const definitions = defineDefinitions({ assets: [asset('a_leaf'), asset('b_leaf'), head, middle, tail] });
    const { home, cleanup } = tempHome();
    const runtime = await openTestRuntime(definitions, home);
    cleanups.push(cleanup, () => runtime.close());
    const plan = await runtime.plan();
    expect(plan.steps.map((s) => s.key).slice(0, 3)).toEqual(['a_leaf', 'b_leaf', 'c_head']);
    expect((await runtime.execute(plan, { concurrency: 1 })).status).toBe('success');
    // NOTE: c_head's chain (three steps, one after another) decides when the run can end.
    expect(started).toEqual(['c_head', 'd_middle', 'a_leaf', 'b_leaf', 'e_tail']);
  });
});

describe('checkpoints and hooks', () => {
  test('a staged checkpoint is saved only when the materialization succeeds', async () => {
    const { z } = await import('zod');
    const { defineAsset, defineDefinitions, materialized, storedByAsset } = await import(
      '../../../framework/index.js'
    );
    let fail = true;
    const asset = defineAsset({
      key: 'incremental',
      description: '',
      schema: z.object({ x: z.int() }),
      io: storedByAsset(),
      async materialize({ checkpoints }) {
        const seen = (await checkpoints.get<number>('watermark')) ?? 0;
        checkpoints.stage(seen + 10, 'watermark');
        if (fail) throw new Error('target write failed');
        return materialized({ rowCount: seen });
      },
    });
    const { home, cleanup } = tempHome();
    const runtime = await openTestRuntime(defineDefinitions({ assets: [asset] }), home);
    cleanups.push(cleanup, () => runtime.close());
    expect((await runtime.execute(await runtime.plan())).status).toBe('failed');
    expect(await runtime.store.getCheckpoint('asset:incremental:watermark')).toBeUndefined();
    fail = false;
    expect((await runtime.execute(await runtime.plan())).status).toBe('success');
    expect(await runtime.store.getCheckpoint('asset:incremental:watermark')).toBe(10);
  });

  test('event hooks see run events; a failing hook does not fail the run', async () => {
    const { defineDefinitions, defineEventHook } = await import('../../../framework/index.js');
    const seen: string[] = [];
    const base = exampleDefinitions({ failDays: ['2024-01-02'] });
    const definitions = defineDefinitions({
      assets: base.assets,
      hooks: [
        defineEventHook({
          name: 'collect',
          types: ['step_failure', 'run_failure'],
          onEvent: (e) => void seen.push(e.type),
        }),
        defineEventHook({
          name: 'broken',
          onEvent: () => {
            throw new Error('hook bug');
          },
        }),
      ],
    });
    const { home, cleanup } = tempHome();
    const runtime = await openTestRuntime(definitions, home, { now: () => NOW });
    cleanups.push(cleanup, () => runtime.close());
    const result = await runtime.execute(
      await runtime.plan({ selection: 'readings', partitions: { keys: ['2024-01-01', '2024-01-02'] } }),
    );
    expect(result.status).toBe('failed');
    expect(result.outcomes.get('readings[2024-01-01]')!.status).toBe('success');
    expect(seen).toEqual(['step_failure', 'run_failure']);
  });
});

describe('an asset stored as a lake table', () => {
  test('returning materialized({ … }) without rows fails its step, naming the fix; downstream reads never see an empty table', async () => {
    const { z } = await import('zod');
    const { defineAsset, defineDefinitions, materialized, sql } = await import('../../../framework/index.js');
    const ghost = defineAsset({
      key: 'ghost',
      description: '',
      schema: z.object({ x: z.int() }),
      materialize: async () => materialized({ rowCount: 3 }),
    });
    const reader = defineAsset({
      key: 'reader',
      description: '',
      deps: { ghost },
      schema: z.object({ n: z.int() }),
      materialize: ({ deps }) => sql`select count(*)::INTEGER as n from ${deps.ghost}`,
    });
    const { home, cleanup } = tempHome();
    const runtime = await openTestRuntime(defineDefinitions({ assets: [ghost, reader] }), home);
    cleanups.push(cleanup, () => runtime.close());
    const result = await runtime.execute(await runtime.plan());
    expect(result.status).toBe('failed');
    expect(result.outcomes.get('ghost')?.message).toContain(
      'asset `ghost` is stored as a lake table (the default `io`), but its materialize returned materialized({ … }) without writing any rows there',
    );
    expect(result.outcomes.get('reader')?.status).toBe('skipped');
    expect(
      (await runtime.store.listAssetPartitionStates(['ghost']))[0]?.materializationId ?? null,
    ).toBeNull();
  });
});

describe("DuckDB's threads during a run", () => {
  test('two steps at a time handing over to each other do not re-set the threads at every hand-over', async () => {
    const { z } = await import('zod');
    const { defineAsset, defineDefinitions, materialized, storedByAsset } = await import(
      '../../../framework/index.js'
    );
    const assets = Array.from({ length: 40 }, (_, i) =>
      defineAsset({
        key: `leaf_${String(i).padStart(2, '0')}`,
        description: '',
        schema: z.object({ x: z.int() }),
        io: storedByAsset(),
        async materialize() {
          return materialized({ rowCount: 0 });
        },
      }),
    );
    const { home, cleanup } = tempHome();
    const runtime = await openTestRuntime(defineDefinitions({ assets }), home);
    cleanups.push(cleanup, () => runtime.close());
    const plan = await runtime.plan();
    const changes = vi.spyOn(runtime.engine, 'useThreads');
    expect((await runtime.execute(plan, { concurrency: 2 })).status).toBe('success');
    // NOTE: following every start and end asked for a change twice a step (80 here), each one
    // waiting for the queries in flight; now the run's own setting, and a change only where a
    // count held.
    expect(changes.mock.calls.length).toBeLessThan(plan.steps.length / 4);
  });
});
