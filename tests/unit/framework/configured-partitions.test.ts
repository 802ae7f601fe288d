import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  bindDefinitions,
  daily,
  defineAsset,
  defineDefinitions,
  isShopflowError,
  type PartitionsBindContext,
  ShopflowConfigSchema,
  sql,
  weekly,
} from '../../../framework/index.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

// A code location whose days come from `resources.calendar.end` (absent: open-ended up to yesterday).
function definitions() {
  const configure = ({ settings }: PartitionsBindContext) => {
    const section = settings.resources.calendar as { first?: string; end?: string } | undefined;
    return { start: section?.first, end: section?.end };
  };
  const days = daily({ start: '2024-01-01', configure });
  const weeks = weekly({ start: '2024-01-01', configure });
  const readings = defineAsset({
    key: 'readings',
    description: 'One row per day.',
    partitions: days,
    schema: z.object({ reading: z.string() }),
    materialize: ({ partitionKey }) => sql`select ${partitionKey} as reading`,
  });
  const summary = defineAsset({
    key: 'weekly_summary',
    description: 'Rows per week.',
    deps: { readings },
    partitions: weeks,
    schema: z.object({ n: z.int() }),
    materialize: () => sql`select 7 as n`,
  });
  return { days, weeks, definitions: defineDefinitions({ assets: [readings, summary] }) };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function open(calendar: Record<string, string> | undefined, now: Date) {
  const { home, cleanup } = tempHome();
  const { definitions: defs, days, weeks } = definitions();
  const runtime = await openTestRuntime(defs, home, {
    now: () => now,
    config: calendar ? { resources: { calendar } } : {},
  });
  cleanups.push(cleanup, () => runtime.close());
  return { runtime, days, weeks };
}

describe('time-window partitions bounded by the configuration', () => {
  test('a runtime plans the days its configuration bounds, ending with the last complete one', async () => {
    const now = new Date('2024-03-01T06:00:00Z');
    const fixed = await open({ end: '2024-01-15' }, now);
    const plan = await fixed.runtime.plan({ selection: 'readings' });
    expect(plan.steps.map((s) => s.partitionKey)).toEqual(
      Array.from({ length: 14 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')}`),
    );
    const open_ = await open(undefined, now);
    const all = await open_.runtime.plan({ selection: 'readings' });
    expect(all.steps.at(-1)!.partitionKey).toBe('2024-02-29');
    const late = await open({ first: '2024-02-26' }, now);
    expect((await late.runtime.plan()).steps.map((s) => s.key)).toEqual([
      'readings[2024-02-26]',
      'readings[2024-02-27]',
      'readings[2024-02-28]',
      'readings[2024-02-29]',
    ]);
  });

  test('the declared definition keeps its own bounds; schedules resolve the bound twin', async () => {
    const now = new Date('2024-03-01T06:00:00Z');
    const { runtime, days, weeks } = await open({ end: '2024-01-15' }, now);
    expect(days.keys(now).at(-1)).toBe('2024-02-29');
    const bound = runtime.definitions.resolvePartitions(days);
    expect(bound).not.toBe(days);
    expect(bound.keys(now).at(-1)).toBe('2024-01-14');
    // The week ending on the configured end is complete; the next one is not a partition.
    expect(runtime.definitions.resolvePartitions(weeks).keys(now)).toEqual(['2024-01-01', '2024-01-08']);
    expect(runtime.graph.get('weekly_summary').deps.readings).toBe(runtime.graph.get('readings'));
  });

  test('definitions without configured partitions are used as they are', () => {
    const plain = defineDefinitions({
      assets: [
        defineAsset({
          key: 'plain',
          description: 'Daily.',
          partitions: daily({ start: '2024-01-01' }),
          schema: z.object({ a: z.int() }),
          materialize: () => [],
        }),
      ],
    });
    const settings = ShopflowConfigSchema.parse({ env: 'test' });
    expect(bindDefinitions(plain, { settings, now: new Date() })).toBe(plain);
  });

  test('forcing named steps plans them and leaves the rest to staleness; an untargeted one is refused', async () => {
    const now = new Date('2024-01-10T06:00:00Z');
    const { runtime } = await open({ end: '2024-01-08' }, now);
    const first = await runtime.execute(await runtime.plan());
    const failures = await runtime.store.listEvents({ runId: first.runId, types: ['step_failure'] });
    expect(failures.map((e) => e.message)).toEqual([]);
    const plan = await runtime.plan({ force: ['readings[2024-01-03]'] });
    expect(plan.steps.map((s) => [s.key, s.reasons[0].code])).toEqual([
      ['readings[2024-01-03]', 'forced'],
      ['weekly_summary[2024-01-01]', 'upstream_planned'],
    ]);
    const refused = await runtime
      .plan({ partitions: { keys: ['2024-01-02'] }, force: ['readings[2024-01-05]'] })
      .catch((error: unknown) => error);
    expect(isShopflowError(refused, 'SF_BAD_USAGE')).toBe(true);
    expect((refused as Error).message).toContain('`readings[2024-01-05]`');
  });
});
