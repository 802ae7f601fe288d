import { afterEach, describe, expect, test } from 'vitest';
import { runStep } from '../../../framework/executor/run-step.js';
import {
  isShopflowError,
  ShopflowError,
  type ShopflowRuntime,
  StepLease,
  stepLeaseKey,
} from '../../../framework/index.js';
import { exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

let runtime: ShopflowRuntime | undefined;
let cleanup: (() => void) | undefined;
afterEach(async () => {
  await runtime?.close();
  cleanup?.();
  runtime = undefined;
});

const step = {
  runId: 'run-1',
  key: 'stations',
  assetKey: 'stations',
  partitionKey: null,
  reasonCodes: ['missing'],
};

async function open(clock: { t: number }) {
  const home = tempHome('shopflow-lease-');
  cleanup = home.cleanup;
  runtime = await openTestRuntime(exampleDefinitions(), home.home, { now: () => new Date(clock.t) });
  return runtime;
}

describe('StepLease', () => {
  test('a live lease is not taken; an expired one is, and its former holder fails the fencing check', async () => {
    const clock = { t: Date.parse('2026-01-01T00:00:00Z') };
    const { store } = await open(clock);
    const now = () => new Date(clock.t);
    const a = await StepLease.claim(store, step, 'host:1', { leaseMs: 30_000, now });
    expect(a).not.toBeNull();
    clock.t += 10_000;
    expect(await StepLease.claim(store, step, 'host:2', { leaseMs: 30_000, now })).toBeNull();
    clock.t += 25_000;
    const b = await StepLease.claim(store, step, 'host:2', { leaseMs: 30_000, now });
    expect(b?.owner).toMatch(/^host:2\//);

    const lost = await a!.fence().catch((e) => e);
    expect(isShopflowError(lost) && lost.code).toBe('SF_STEP_LEASE_LOST');
    expect(String(lost.message)).toContain(b!.owner);
    await expect(b!.fence()).resolves.toBeUndefined();

    // NOTE: the former holder's release must not drop the new holder's lease.
    await a!.release();
    expect((await store.listLocks()).find((l) => l.key === stepLeaseKey(step))?.runId).toBe(b!.owner);
    await b!.release();
    expect((await store.listLocks()).find((l) => l.key === stepLeaseKey(step))).toBeUndefined();
  });

  test('a step whose lease was lost records nothing, reports no failure and leaves the partition lock to the new holder', async () => {
    const rt = await open({ t: Date.now() });
    await rt.store.createRun({ id: step.runId, selection: 'stations', plan: {}, status: 'running' });
    const error = await runStep(step, rt.services, {
      beforeCommit: async () => {
        throw new ShopflowError('SF_STEP_LEASE_LOST', 'stations of run run-1 was taken over');
      },
    }).catch((e) => e);
    expect(isShopflowError(error) && error.code).toBe('SF_STEP_LEASE_LOST');
    expect(await rt.store.listMaterializations({ assetKey: 'stations' })).toEqual([]);
    const events = await rt.store.listEvents({ runId: step.runId });
    expect(events.map((e) => e.type)).not.toContain('step_failure');
    expect((await rt.store.listLocks()).map((l) => [l.key, l.runId])).toEqual([['stations', 'run-1']]);

    const outcome = await runStep(step, rt.services);
    expect(outcome.status).toBe('success');
    expect(await rt.store.listMaterializations({ assetKey: 'stations' })).toHaveLength(1);
  });
});
