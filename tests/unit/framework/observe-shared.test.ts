import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { type AnyAsset, daily, defineAsset, defineDefinitions } from '../../../framework/index.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

const NOW = new Date('2024-01-04T12:00:00Z');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Two daily assets that record one input each and observe it through one shared listing. */
interface Listing {
  calls: number;
  current: Map<string, string>;
  fail?: boolean;
}

function definitions(listing: Listing) {
  const days = daily({ start: '2024-01-01' });
  const observed = (key: string): AnyAsset =>
    defineAsset({
      key,
      description: '',
      schema: z.object({ x: z.int() }),
      partitions: days,
      materialize: ({ partitionKey, recordInput }) => {
        const name = `${key}/${partitionKey}`;
        recordInput({ name, fingerprint: listing.current.get(name) ?? 'v1' });
        return [{ x: 1 }];
      },
      observeInputs: async ({ recorded, shared }) => {
        const current = await shared('listing', async () => {
          listing.calls++;
          if (listing.fail) throw new Error('listing refused');
          return new Map(listing.current);
        });
        return recorded.map((input) => ({ name: input.name, fingerprint: current.get(input.name) ?? 'v1' }));
      },
    });
  return defineDefinitions({ assets: [observed('orders'), observed('returns')] });
}

async function materialized(listing: Listing) {
  const { home, cleanup } = tempHome();
  const runtime = await openTestRuntime(definitions(listing), home, { now: () => NOW });
  cleanups.push(cleanup, () => runtime.close());
  expect((await runtime.execute(await runtime.plan())).status).toBe('success');
  return runtime;
}

describe('what observers share within one observation', () => {
  test('is made once for every partition and asset of a plan, and again for the next plan', async () => {
    const listing: Listing = { calls: 0, current: new Map<string, string>() };
    const runtime = await materialized(listing);
    listing.calls = 0;
    listing.current.set('returns/2024-01-02', 'v2');
    const plan = await runtime.plan();
    expect(listing.calls).toBe(1);
    expect(plan.steps.map((s) => [s.key, s.reasons.map((r) => r.code)])).toEqual([
      ['returns[2024-01-02]', ['input_changed']],
    ]);
    await runtime.plan();
    expect(listing.calls).toBe(2);
  });

  test('a failing one leaves every observer that asked for it unchanged, and the plan goes on', async () => {
    const listing: Listing = { calls: 0, current: new Map<string, string>() };
    const runtime = await materialized(listing);
    listing.calls = 0;
    listing.fail = true;
    listing.current.set('orders/2024-01-01', 'v2');
    const plan = await runtime.plan();
    expect(listing.calls).toBe(1);
    expect(plan.steps).toEqual([]);
  });
});
