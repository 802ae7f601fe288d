import { describe, expect, test } from 'vitest';
import { queueLauncher } from '../../../framework/executor/queue/queue-launcher.js';
import type { StepQueue } from '../../../framework/executor/queue/step-queue.js';
import type { InstanceStore, LockHolder } from '../../../framework/instance/instance-store.js';

/**
 * A queue no worker takes from (or, with `taken`, whose jobs a worker took off it and never
 * started), and a store where no step is ever leased or reported.
 */
function idleQueue(locks: LockHolder[] = [], taken = false) {
  const sent: string[] = [];
  const withdrawn: string[] = [];
  const queue = {
    send: async (_name: string, step: { key: string }, attempt = 1) => {
      sent.push(`${step.key}#${attempt}`);
      return `job-${step.key}-${attempt}`;
    },
    withdraw: async (_name: string, id: string) => {
      withdrawn.push(id);
    },
    isTaken: async () => taken,
  } as unknown as StepQueue;
  const store = {
    getCheckpoint: async () => undefined,
    listLocks: async () => locks.map((l) => ({ key: `step-lease/run-1/b`, ...l })),
  } as unknown as InstanceStore;
  return { queue, store, sent, withdrawn };
}

/** A launcher with a 30 s lease on a clock the test moves, recording each sending again. */
function recordingLauncher(
  queue: StepQueue,
  store: InstanceStore,
  clock: () => number,
  options: { maxRedeliveries?: number } = {},
) {
  const redelivered: Array<[string | null, number, string]> = [];
  const launcher = queueLauncher({
    queue,
    store,
    queueName: 'steps',
    leaseMs: 30_000,
    pollMs: 1,
    ...options,
    now: () => new Date(clock()),
    onRedelivery: async (_step, owner, attempt, reason) => {
      redelivered.push([owner, attempt, reason]);
    },
  });
  return { launcher, redelivered };
}

const step = (key: string) => ({ runId: 'run-1', key, assetKey: key, partitionKey: null, reasonCodes: [] });

describe('queue launcher', () => {
  test('a cancel withdraws the steps no worker holds: their launch resolves as not started, canceled', async () => {
    const { queue, store, withdrawn } = idleQueue();
    const launcher = queueLauncher({ queue, store, queueName: 'steps', leaseMs: 60_000, pollMs: 1 });
    const launched = launcher.launch(step('a'));
    await new Promise((r) => setTimeout(r, 20));
    launcher.cancel?.('the CLI');
    const outcome = await launched;
    expect(outcome).toMatchObject({ key: 'a', status: 'skipped', canceled: true });
    expect(outcome.message).toContain('canceled by the CLI');
    expect(withdrawn).toEqual(['job-a-1']);
  });

  test('a step a worker holds at the cancel is waited for, not withdrawn as not started', async () => {
    const at = new Date().toISOString();
    const { queue, store } = idleQueue([
      { runId: 'worker-1/abc', pid: 1, hostname: 'h', acquiredAt: at, heartbeatAt: at },
    ]);
    const launcher = queueLauncher({ queue, store, queueName: 'steps', leaseMs: 60_000, pollMs: 1 });
    launcher.cancel?.('the CLI');
    const settled = await Promise.race([
      launcher.launch(step('b')).then(() => 'settled'),
      new Promise((r) => setTimeout(() => r('waiting'), 100)),
    ]);
    expect(settled).toBe('waiting');
  });

  test('a job taken off the queue whose step no worker leases for the lease time is sent again, then given up', async () => {
    const { queue, store, sent } = idleQueue([], true);
    let clock = 0;
    const { launcher, redelivered } = recordingLauncher(queue, store, () => clock, { maxRedeliveries: 2 });
    const launched = launcher.launch(step('d'));
    await new Promise((r) => setTimeout(r, 20));
    clock = 29_000;
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual(['d#1']);
    clock = 31_000;
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual(['d#1', 'd#2']);
    expect(redelivered).toEqual([[null, 2, 'never_started']]);
    for (const at of [62_000, 93_000, 124_000, 155_000]) {
      clock = at;
      await new Promise((r) => setTimeout(r, 20));
    }
    const outcome = await launched;
    expect(sent).toEqual(['d#1', 'd#2', 'd#3']);
    expect(outcome).toMatchObject({
      status: 'failed',
      message: '3 workers took this step off the queue and never started it',
    });
  });

  test('after a lost lease, a worker that takes the step again off the queue and dies before leasing it is noticed too', async () => {
    const at = new Date(0).toISOString();
    const { queue, store, sent } = idleQueue(
      [{ runId: 'worker-a/1', pid: 1, hostname: 'h', acquiredAt: at, heartbeatAt: at }],
      true,
    );
    let clock = 60_000;
    const { launcher, redelivered } = recordingLauncher(queue, store, () => clock);
    const launched = launcher.launch(step('b'));
    await new Promise((r) => setTimeout(r, 20));
    expect(redelivered).toEqual([['worker-a/1', 2, 'lease_expired']]);
    clock = 95_000;
    await new Promise((r) => setTimeout(r, 20));
    expect(redelivered).toEqual([
      ['worker-a/1', 2, 'lease_expired'],
      [null, 3, 'never_started'],
    ]);
    expect(sent).toEqual(['b#1', 'b#2', 'b#3']);
    launcher.cancel?.('test');
    await launched;
  });

  test('tells once per queue that no worker has taken a step for the idle time', async () => {
    const { queue, store } = idleQueue();
    let clock = 0;
    const idle: Array<[string, number]> = [];
    const launcher = queueLauncher({
      queue,
      store,
      queueName: 'steps',
      leaseMs: 60_000,
      pollMs: 1,
      now: () => new Date(clock),
      idleWarnMs: 30_000,
      onIdle: (name, waited) => idle.push([name, waited]),
    });
    const a = launcher.launch(step('a'));
    const c = launcher.launch(step('c'));
    await new Promise((r) => setTimeout(r, 20));
    expect(idle).toEqual([]);
    clock = 31_000;
    await new Promise((r) => setTimeout(r, 20));
    clock = 62_000;
    await new Promise((r) => setTimeout(r, 20));
    expect(idle).toEqual([['steps', 31_000]]);
    launcher.cancel?.('test');
    await Promise.all([a, c]);
  });
});
