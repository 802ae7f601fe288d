import { afterEach, expect, test } from 'vitest';
import { z } from 'zod';
import { daily, defineAsset, defineDefinitions } from '../../../framework/index.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

// A partitioned asset whose rows come from TypeScript rather than SQL: the rows are staged as JSON
// lines next to the partition's folder (`…/partition=2024-01-02/`), which must not be read as a
// Hive partition column.
const visits = defineAsset({
  key: 'visits',
  group: 'example',
  description: 'Visits per page, computed in TypeScript.',
  partitions: daily({ start: '2024-01-01', end: '2024-01-03', timezone: 'UTC' }),
  codeVersion: '1',
  schema: z.object({ page: z.string(), visits: z.int() }),
  materialize: ({ partition }) => [
    { page: 'home', visits: 10 },
    { page: `day-${partition?.key}`, visits: 1 },
  ],
});

test('a partitioned lake asset may return an array of rows', async () => {
  const { home, cleanup } = tempHome();
  const runtime = await openTestRuntime(defineDefinitions({ assets: [visits] }), home, {
    now: () => new Date('2024-01-05T00:00:00Z'),
  });
  cleanups.push(cleanup, () => runtime.close());

  const result = await runtime.execute(await runtime.plan({ selection: 'visits' }));
  expect(result.status).toBe('success');
  expect([...result.outcomes.keys()].sort()).toEqual(['visits[2024-01-01]', 'visits[2024-01-02]']);

  const [latest] = await runtime.store.listMaterializations({
    assetKey: 'visits',
    partitionKey: '2024-01-02',
    limit: 1,
  });
  expect(latest.rowCount).toBe(2);
});
