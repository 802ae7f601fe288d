import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  daily,
  defineAsset,
  defineDefinitions,
  materialized,
  type ShopflowRuntime,
  storedByAsset,
} from '../../../framework/index.js';
import { runBackfill } from '../../../schedules/index.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

const NOW = new Date('2024-01-10T12:00:00Z');
const schema = z.object({ x: z.int() });
const days = daily({ start: '2024-01-01' });
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

// `events` (daily) → `summary` (all-time, reads every day) → `enriched` (daily, reads its day and
// the summary): a backfill of `+enriched` leaves the summary out (it would be rebuilt after every
// batch), so `enriched` cannot run in it.
function definitions() {
  const events = defineAsset({
    key: 'events',
    description: '',
    schema,
    partitions: days,
    io: storedByAsset(),
    materialize: () => materialized({ rowCount: 0 }),
  });
  const summary = defineAsset({
    key: 'summary',
    description: '',
    schema,
    deps: { events },
    io: storedByAsset(),
    materialize: () => materialized({ rowCount: 0 }),
  });
  const enriched = defineAsset({
    key: 'enriched',
    description: '',
    schema,
    partitions: days,
    deps: { events, summary },
    io: storedByAsset(),
    materialize: () => materialized({ rowCount: 0 }),
  });
  return defineDefinitions({ assets: [events, summary, enriched] });
}

async function open(): Promise<ShopflowRuntime> {
  const { home, cleanup } = tempHome('shopflow-backfill-deferred-');
  const runtime = await openTestRuntime(definitions(), home, { now: () => NOW });
  cleanups.push(cleanup, () => runtime.close());
  return runtime;
}

describe('a backfill whose assets need an asset it leaves out', () => {
  test('reports those partitions as not done, naming what they need; materializing it and resuming finishes them', async () => {
    const runtime = await open();
    const first = await runBackfill({
      runtime,
      selection: '+enriched',
      from: '2024-01-02',
      to: '2024-01-03',
    });
    expect(first.backfill.status).toBe('failed');
    expect(first.partitions.map((p) => [p.partitionKey, p.status])).toEqual([
      ['2024-01-02', 'failed'],
      ['2024-01-03', 'failed'],
    ]);
    expect(first.partitions[0].message).toBe(
      'enriched[2024-01-02]: not run: it needs summary, which a backfill leaves out (materialize it first, then resume this backfill)',
    );
    expect(await runtime.store.listMaterializations({ assetKey: 'enriched' })).toEqual([]);

    // The summary reads every day: materialized with its upstream, it lets the backfill finish.
    expect((await runtime.execute(await runtime.plan({ selection: '+summary' }))).status).toBe('success');
    const resumed = await runBackfill({ runtime, resume: first.backfill.id });
    expect(resumed.backfill.status).toBe('success');
    expect(
      (await runtime.store.listMaterializations({ assetKey: 'enriched' })).map((m) => m.partitionKey).sort(),
    ).toEqual(['2024-01-02', '2024-01-03']);
  });
});
