import type { ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  type InstanceStore,
  openInstanceStore,
  type RunRecord,
  type TickRecord,
} from '../../../framework/index.js';
import { scheduleSinceCheckpoint } from '../../../schedules/index.js';
import type { ScheduledExampleOptions } from '../../fixtures/scheduled-example-graph.js';
import { tempHome } from '../../support/example-runtime.js';
import { jsonLines, REPO, runShopflow, spawnShopflow } from '../../support/run-shopflow.js';

// Daemons in child processes on the real clock. The schedule ticks every minute with catch-up
// `latest`; seeding "first seen" three minutes back makes the first tick due at once.
const start = new Date(Date.now() - 5 * 86_400_000).toISOString().slice(0, 10);
const homes: Array<() => void> = [];
afterAll(() => {
  for (const cleanup of homes) cleanup();
});

interface Instance {
  home: string;
  env: Record<string, string>;
  args(...rest: string[]): string[];
  store<T>(use: (store: InstanceStore) => Promise<T>): Promise<T>;
}

async function instance(options: ScheduledExampleOptions, seenMsAgo = 3 * 60_000): Promise<Instance> {
  const { home, cleanup } = tempHome('shopflow-daemon-cli-');
  homes.push(cleanup);
  const config = join(home, 'test.yaml');
  writeFileSync(
    config,
    `env: test\nhome: ${home}\ndefinitions: ${join(REPO, 'tests/fixtures/scheduled-example-graph.ts')}\nexecutor:\n  concurrency: 2\n  lockWaitSeconds: 2\n  heartbeatSeconds: 1\n  deadAfterSeconds: 30\nlogging:\n  level: warn\n`,
  );
  const optionsFile = join(home, 'options.json');
  writeFileSync(optionsFile, JSON.stringify({ start, ...options }));
  const store = async <T>(use: (store: InstanceStore) => Promise<T>) => {
    const opened = await openInstanceStore({ type: 'sqlite', path: join(home, 'instance.db') });
    try {
      return await use(opened);
    } finally {
      await opened.close();
    }
  };
  await store((s) =>
    s.setCheckpoint(scheduleSinceCheckpoint('every_minute'), new Date(Date.now() - seenMsAgo).toISOString()),
  );
  return {
    home,
    env: { EXAMPLE_OPTIONS_FILE: optionsFile },
    args: (...rest) => ['--config', config, ...rest],
    store,
  };
}

function collect(child: ChildProcess): { out: () => string; exit: Promise<number | null> } {
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const exit = new Promise<number | null>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  return { out: () => out + err, exit };
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Schedule ticks that were due to run (not skipped), and the runs each got (retries apart). */
async function ticksAndRuns(i: Instance) {
  return await i.store(async (store) => {
    const ticks = (await store.listTicks({ name: 'every_minute', kinds: ['schedule'] })).filter(
      (t) => t.status !== 'skipped',
    );
    const runs = await store.listRuns({ limit: 1000 });
    const originals = new Map<string, RunRecord[]>();
    for (const run of runs.filter((r) => r.parentRunId === null)) {
      originals.set(run.tags.tick, [...(originals.get(run.tags.tick) ?? []), run]);
    }
    return { ticks, runs, originals };
  });
}

/** Every tick has at most one run of its own; further runs of it are retries of that run, one per attempt. */
function expectAtMostOneRunPerTick(ticks: TickRecord[], runs: RunRecord[]) {
  for (const tick of ticks) {
    const mine = runs.filter((r) => r.tags.tick === tick.tickKey);
    const originals = mine.filter((r) => r.parentRunId === null);
    expect(originals.length, `runs of tick ${tick.tickKey}`).toBeLessThanOrEqual(1);
    expect(mine).toHaveLength(originals.length === 0 ? 0 : 1 + tick.attempt);
    if (originals.length === 1 && tick.attempt === 0) expect(originals[0].id).toBe(tick.runId);
    for (const retry of mine.filter((r) => r.parentRunId !== null)) {
      expect(mine.map((r) => r.id)).toContain(retry.parentRunId);
    }
  }
  const ticked = new Set(ticks.map((t) => t.tickKey));
  expect(runs.filter((r) => !ticked.has(r.tags.tick))).toEqual([]);
}

async function restartOnce(i: Instance): Promise<string> {
  const result = await runShopflow(i.args('daemon', '--once', '--json'), i.env);
  expect(result.stderr).not.toContain('unexpected error');
  expect([0, 1]).toContain(result.code);
  return result.stdout;
}

/**
 * A daemon in a child process whose run is held at `station_summary` (the example's hold file);
 * `kill` SIGKILLs it and releases the hold.
 */
async function daemonHeldAtSummary(i: Instance): Promise<{ kill(): Promise<void> }> {
  const hold = join(i.home, 'hold');
  writeFileSync(hold, '');
  const child = spawnShopflow(i.args('daemon', '--interval', '0.2', '--json'), {
    ...i.env,
    EXAMPLE_HOLD_FILE: hold,
  });
  const daemon = collect(child);
  await until(
    () =>
      i.store(async (s) =>
        (await s.listEvents({ types: ['step_start'], assetKey: 'station_summary' })).length > 0
          ? true
          : undefined,
      ),
    'station_summary to start',
  );
  return {
    async kill() {
      child.kill('SIGKILL');
      await daemon.exit;
      rmSync(hold);
    },
  };
}

// NOTE: a crash test restarts the daemon and then asserts on the tick it crashed in. On the
// every-minute cron a restart in the next minute also claims a new tick, whose run can take the
// partition first and leave the recovered tick nothing to do; a daily tick seeded a day back is due
// at once and has no successor while the test runs.
const DAY_AND_AN_HOUR = 25 * 3_600_000;
function dailyAtMidnight(schedule: ScheduledExampleOptions['schedule']): ScheduledExampleOptions {
  return { schedule: { cron: '0 0 * * *', ...schedule } };
}

describe('the daemon in a child process: exactly one run per tick across crashes', () => {
  test('killed after claiming a tick: the restarted daemon launches that tick under the stored run id', async () => {
    const i = await instance(dailyAtMidnight({ partitionKeys: [start] }), DAY_AND_AN_HOUR);
    const crashed = collect(
      spawnShopflow(i.args('daemon', '--interval', '0.2', '--json'), {
        ...i.env,
        SHOPFLOW_TEST_CRASH_AT: 'claimed',
      }),
    );
    expect(await crashed.exit, crashed.out()).toBe(137);
    const before = await ticksAndRuns(i);
    expect(before.ticks.map((t) => t.status)).toEqual(['claimed']);
    expect(before.runs).toEqual([]);

    const out = await restartOnce(i);
    expect(jsonLines(out).some((l) => l.type === 'recovered' && l.runId === before.ticks[0].runId)).toBe(
      true,
    );
    const after = await ticksAndRuns(i);
    const tick = after.ticks.find((t) => t.tickKey === before.ticks[0].tickKey)!;
    expect(tick).toMatchObject({ status: 'launched', runStatus: 'success', runId: before.ticks[0].runId });
    expect(after.originals.get(tick.tickKey)!.map((r) => r.status)).toEqual(['success']);
    expectAtMostOneRunPerTick(after.ticks, after.runs);
  });

  test('killed after creating the run: the run is marked failed with the reason and retried, never run twice', async () => {
    const i = await instance(dailyAtMidnight({ partitionKeys: [start], maxRetries: 1 }), DAY_AND_AN_HOUR);
    const crashed = collect(
      spawnShopflow(i.args('daemon', '--interval', '0.2', '--json'), {
        ...i.env,
        SHOPFLOW_TEST_CRASH_AT: 'run-created',
      }),
    );
    expect(await crashed.exit, crashed.out()).toBe(137);
    const before = await ticksAndRuns(i);
    expect(before.ticks.map((t) => t.status)).toEqual(['claimed']);
    expect(before.runs.map((r) => [r.id, r.status])).toEqual([[before.ticks[0].runId, 'running']]);

    await restartOnce(i);
    const after = await ticksAndRuns(i);
    const original = after.runs.find((r) => r.id === before.ticks[0].runId)!;
    expect(original.status).toBe('failed');
    expect(original.error).toMatch(/^run abandoned: its process \(pid \d+ on .+\) is no longer running$/);
    const tick = after.ticks.find((t) => t.tickKey === before.ticks[0].tickKey)!;
    expect(tick).toMatchObject({
      status: 'launched',
      attempt: 1,
      parentRunId: original.id,
      runStatus: 'success',
    });
    const retry = after.runs.find((r) => r.parentRunId === original.id)!;
    expect(retry).toMatchObject({
      id: tick.runId,
      status: 'success',
      tags: { tick: tick.tickKey, attempt: '1' },
    });
    expectAtMostOneRunPerTick(after.ticks, after.runs);
  });

  test('killed after marking the tick launched: the dead run is failed once and not launched again', async () => {
    // NOTE: the held last step keeps the run from finishing before the daemon dies.
    const i = await instance({ schedule: { selection: '+station_summary' } });
    const hold = join(i.home, 'hold');
    writeFileSync(hold, '');
    const crashed = collect(
      spawnShopflow(i.args('daemon', '--interval', '0.2', '--json'), {
        ...i.env,
        SHOPFLOW_TEST_CRASH_AT: 'launched',
        EXAMPLE_HOLD_FILE: hold,
      }),
    );
    expect(await crashed.exit, crashed.out()).toBe(137);
    rmSync(hold);
    const before = await ticksAndRuns(i);
    expect(before.ticks.map((t) => t.status)).toEqual(['launched']);
    expect(before.runs.map((r) => r.status)).toEqual(['running']);

    await restartOnce(i);
    const after = await ticksAndRuns(i);
    const tick = after.ticks.find((t) => t.tickKey === before.ticks[0].tickKey)!;
    expect(tick).toMatchObject({
      status: 'launched',
      runId: before.ticks[0].runId,
      attempt: 0,
      runStatus: 'failed',
    });
    const [run] = after.originals.get(tick.tickKey)!;
    expect(run).toMatchObject({ id: tick.runId, status: 'failed' });
    expect(run.error).toMatch(/is no longer running/);
    expectAtMostOneRunPerTick(after.ticks, after.runs);
  });

  test('SIGKILL while the run executes: the restarted daemon marks it failed with the reason and launches nothing twice', async () => {
    const i = await instance({ schedule: { selection: '+station_summary' } });
    const daemon = await daemonHeldAtSummary(i);
    await daemon.kill();
    const before = await ticksAndRuns(i);
    // NOTE: the oldest tick's run is the one held at station_summary (a new minute may have begun).
    const held = before.ticks.at(-1)!;
    expect(held.status).toBe('launched');
    expect(before.runs.find((r) => r.id === held.runId)?.status).toBe('running');

    await restartOnce(i);
    const after = await ticksAndRuns(i);
    const killed = after.runs.find((r) => r.id === held.runId)!;
    expect(killed.status).toBe('failed');
    expect(killed.error).toMatch(/is no longer running/);
    expect(after.ticks.find((t) => t.tickKey === held.tickKey)).toMatchObject({
      runStatus: 'failed',
      attempt: 0,
    });
    expectAtMostOneRunPerTick(after.ticks, after.runs);
  });

  test('SIGKILL of the daemon: schedules says at once that none runs; the restart retries the dead run under the schedule policy', async () => {
    const i = await instance(
      dailyAtMidnight({ selection: '+station_summary', maxRetries: 1 }),
      DAY_AND_AN_HOUR,
    );
    const daemon = await daemonHeldAtSummary(i);
    const running = await runShopflow(i.args('schedules', '--json'), i.env);
    expect(jsonLines(running.stdout).find((l) => l.type === 'daemon')?.running).toBe(true);
    await daemon.kill();
    // NOTE: its lease has not expired yet; its process is gone, and that is what counts.
    const after = await runShopflow(i.args('schedules', '--json'), i.env);
    expect(jsonLines(after.stdout).find((l) => l.type === 'daemon')).toMatchObject({
      running: false,
      lease: null,
    });

    const before = await ticksAndRuns(i);
    const held = before.ticks.at(-1)!;
    await restartOnce(i);
    const retried = await ticksAndRuns(i);
    const killed = retried.runs.find((r) => r.id === held.runId)!;
    expect(killed.status).toBe('failed');
    expect(killed.error).toMatch(/is no longer running/);
    const tick = retried.ticks.find((t) => t.tickKey === held.tickKey)!;
    expect(tick).toMatchObject({ attempt: 1, parentRunId: killed.id, runStatus: 'success' });
    expect(retried.runs.find((r) => r.parentRunId === killed.id)).toMatchObject({ status: 'success' });
    expectAtMostOneRunPerTick(retried.ticks, retried.runs);
  });

  test('a second daemon exits naming the holder; with --wait it takes over when the first stops', async () => {
    const i = await instance({ schedule: { partitionKeys: [start] } });
    const first = spawnShopflow(i.args('daemon', '--interval', '0.2', '--json'), i.env);
    const firstOut = collect(first);
    await until(
      async () => (firstOut.out().includes('"state":"acquired"') ? true : undefined),
      'the first daemon to lead',
    );
    const second = await runShopflow(i.args('daemon'), i.env);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(
        `error \\[SF_DAEMON_LEASE_HELD\\]: another daemon is running on this instance: pid ${first.pid} on \\S+ \\(since `,
      ),
    );
    expect(second.stderr).toContain('start this one with --wait');

    const waiting = spawnShopflow(i.args('daemon', '--wait', '--interval', '0.2', '--json'), i.env);
    const waitingOut = collect(waiting);
    await new Promise((r) => setTimeout(r, 500));
    expect(waitingOut.out()).not.toContain('"state":"acquired"');
    first.kill('SIGTERM');
    expect(await firstOut.exit).toBe(0);
    await until(
      async () => (waitingOut.out().includes('"state":"acquired"') ? true : undefined),
      'the waiting daemon to take over',
    );
    waiting.kill('SIGTERM');
    expect(await waitingOut.exit).toBe(0);

    const listing = await runShopflow(i.args('schedules', '--json'), i.env);
    expect(listing.code).toBe(0);
    const lines = jsonLines(listing.stdout);
    expect(lines[0]).toMatchObject({ type: 'daemon', running: false });
    const schedule = lines.find((l) => l.type === 'schedule')!;
    expect(schedule).toMatchObject({ name: 'every_minute', cron: '* * * * *', catchUp: 'latest' });
    expect(schedule.nextTicks).toHaveLength(3);
    expect(schedule.recentTicks).toEqual(
      expect.arrayContaining([expect.objectContaining({ status: 'launched', runStatus: 'success' })]),
    );
    const text = await runShopflow(i.args('schedules'), i.env);
    expect(text.stdout).toContain('Daemon: not running');
    expect(text.stdout).toMatch(/every_minute\s+\* \* \* \* \* \(UTC\)\s+readings\s+latest/);
  });
});
