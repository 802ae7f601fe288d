import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { daily, defineAsset, defineDefinitions, sql, weekly } from '../../../framework/index.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const days = defineAsset({
  key: 'days',
  description: 'one row per day',
  partitions: daily({ start: '2024-01-01' }),
  schema: z.object({ day: z.iso.date() }),
  materialize: ({ partitionKey }) => sql`select ${partitionKey}::DATE as day`,
});

// The week still open at `now` is a partition too (endOffset 1).
const weeks = defineAsset({
  key: 'weeks',
  description: 'days covered per week',
  deps: { days },
  partitions: weekly({ start: '2024-01-01', endOffset: 1 }),
  schema: z.object({ days_covered: z.int(), complete: z.boolean() }),
  materialize: ({ deps }) =>
    sql`select count(*)::BIGINT as days_covered, count(*) = 7 as complete from ${deps.days}`,
});

describe('a window still open (endOffset 1) over daily partitions', () => {
  test('is stale whenever a day of it arrives, and final once its last day is in', async () => {
    let now = new Date('2024-01-03T12:00:00Z'); // a Wednesday: Monday and Tuesday have ended
    const { home, cleanup } = tempHome();
    const runtime = await openTestRuntime(defineDefinitions({ assets: [days, weeks] }), home, {
      now: () => now,
    });
    cleanups.push(cleanup, () => runtime.close());
    const planned = async () => (await runtime.plan()).steps.map((s) => s.key);
    const covered = async (week: string) => {
      const session = await runtime.engine.session();
      try {
        const [row] = await session.query(
          `select days_covered::INTEGER as days_covered, complete from read_parquet('${runtime.lakeRoot}/weeks/partition=${week}/data.parquet')`,
        );
        return row;
      } finally {
        session.close();
      }
    };
    const run = async () => {
      const result = await runtime.execute(await runtime.plan());
      const failures = await runtime.store.listEvents({ runId: result.runId, types: ['step_failure'] });
      expect(result.status, JSON.stringify(failures.map((e) => e.message))).toBe('success');
    };

    expect(await planned()).toEqual(['days[2024-01-01]', 'days[2024-01-02]', 'weeks[2024-01-01]']);
    await run();
    expect(await covered('2024-01-01')).toEqual({ days_covered: 2, complete: false });
    expect(await planned()).toEqual([]);

    now = new Date('2024-01-04T12:00:00Z'); // Wednesday has ended: the open week is stale
    const plan = await runtime.plan();
    expect(plan.steps.map((s) => s.key)).toEqual(['days[2024-01-03]', 'weeks[2024-01-01]']);
    expect(plan.steps[1].reasons.map((r) => r.code)).toEqual(['upstream_planned']);
    await run();
    expect(await covered('2024-01-01')).toEqual({ days_covered: 3, complete: false });

    now = new Date('2024-01-08T12:00:00Z'); // Sunday has ended: the week closes, the next one opens
    expect(await planned()).toEqual([
      'days[2024-01-04]',
      'days[2024-01-05]',
      'days[2024-01-06]',
      'days[2024-01-07]',
      'weeks[2024-01-01]',
      'weeks[2024-01-08]',
    ]);
    await run();
    expect(await covered('2024-01-01')).toEqual({ days_covered: 7, complete: true });
    expect(await covered('2024-01-08')).toEqual({ days_covered: 0, complete: false });

    now = new Date('2024-01-09T12:00:00Z'); // a day of the new week: the closed week stays final
    expect(await planned()).toEqual(['days[2024-01-08]', 'weeks[2024-01-08]']);
    await run();
    expect(await covered('2024-01-08')).toEqual({ days_covered: 1, complete: false });
    expect(await planned()).toEqual([]);
  });
});
