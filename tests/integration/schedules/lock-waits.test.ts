import { afterEach, describe, expect, test } from 'vitest';
import { type EventRecord, isShopflowError } from '../../../framework/index.js';
import { type DaemonEvent, ShopflowDaemon } from '../../../schedules/index.js';
import { exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function runtimeFor(lockWaitSeconds: number) {
  const { home, cleanup } = tempHome('shopflow-lock-wait-');
  // NOTE: the real clock: a lock wait ends when the clock passes its deadline.
  const runtime = await openTestRuntime(exampleDefinitions(), home, {
    config: { executor: { concurrency: 1, lockWaitSeconds, heartbeatSeconds: 1, deadAfterSeconds: 30 } },
  });
  cleanups.push(cleanup, () => runtime.close());
  return runtime;
}

describe('waiting for a lock says who holds it as soon as it waits', () => {
  test('a step waiting for a partition lock names the run, process and host holding it, then gives up', async () => {
    const runtime = await runtimeFor(1);
    // A live holder: this process, heartbeating now.
    const at = new Date().toISOString();
    const holder = {
      runId: 'a1b2c3d4-other-run',
      pid: process.pid,
      hostname: (await import('node:os')).hostname(),
      acquiredAt: at,
      heartbeatAt: at,
    };
    expect((await runtime.store.tryAcquireLock('stations', holder)).acquired).toBe(true);
    const events: EventRecord[] = [];
    runtime.onEvent((e) => events.push(e));
    const result = await runtime.execute(await runtime.plan({ selection: 'stations' }));
    expect(result.status).toBe('failed');
    const waiting = events.filter((e) => e.type === 'log' && e.data.lockWait === true);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ assetKey: 'stations', partitionKey: null });
    expect(waiting[0].message).toContain(
      `waiting for the lock of stations: run a1b2c3d4 (pid ${process.pid} on ${holder.hostname}) has held it since ${at}`,
    );
    const failure = events.find((e) => e.type === 'step_failure')!;
    // Said when the wait began, before the step gave up.
    expect(waiting[0].id).toBeLessThan(failure.id);
    expect(failure.data.code).toBe('SF_LOCK_HELD');
  });

  test('a daemon started with --wait says which daemon leads the instance before it waits', async () => {
    const runtime = await runtimeFor(1);
    const leader = new ShopflowDaemon({ runtime, schedules: [], sensors: [] });
    await leader.start();
    cleanups.push(() => leader.close());
    const events: DaemonEvent[] = [];
    const follower = new ShopflowDaemon({
      runtime,
      schedules: [],
      sensors: [],
      onEvent: (e) => events.push(e),
    });
    let polls = 0;
    const started = follower
      .start({
        wait: true,
        sleep: async () => {
          polls++;
          if (polls === 3) follower.stop();
        },
      })
      .catch((error: unknown) => error);
    const outcome = await started;
    // Stopped while waiting: it reports the holder it waited for.
    expect(isShopflowError(outcome, 'SF_DAEMON_LEASE_HELD')).toBe(true);
    const waiting = events.filter((e) => e.type === 'lease' && e.state === 'waiting');
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ holder: { pid: process.pid } });
  });
});
