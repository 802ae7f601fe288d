import { afterEach, describe, expect, test } from 'vitest';
import type { ShopflowRuntime } from '../../../framework/index.js';
import { type ExampleOptions, exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

const NOW = new Date('2024-01-10T12:00:00Z');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(options: ExampleOptions = {}, now = () => NOW) {
  const { home, cleanup } = tempHome();
  const runtime = await openTestRuntime(exampleDefinitions(options), home, { now });
  cleanups.push(cleanup, () => runtime.close());
  return { home, runtime };
}

/** The same home opened with different definitions (as after a code change). */
async function reopen(home: string, options: ExampleOptions, now = () => NOW): Promise<ShopflowRuntime> {
  const runtime = await openTestRuntime(exampleDefinitions(options), home, { now });
  cleanups.push(() => runtime.close());
  return runtime;
}

describe('planner', () => {
  test('the first plan has every partition, in topological order, each with a reason', async () => {
    const { runtime } = await setup();
    const plan = await runtime.plan();
    // 9 daily partitions (2024-01-01 … 2024-01-09) of readings and daily_stats, 1 complete week.
    expect(plan.steps).toHaveLength(9 + 9 + 1 + 3);
    expect(plan.steps.map((s) => s.key).slice(0, 2)).toEqual(['notes', 'readings[2024-01-01]']);
    expect(plan.steps.every((s) => s.reasons[0].code === 'missing')).toBe(true);
    const week = plan.steps.find((s) => s.key === 'weekly_stats[2024-01-01]')!;
    expect(week.dependsOn).toHaveLength(7);
    const keys = plan.steps.map((s) => s.key);
    for (const step of plan.steps)
      for (const dep of step.dependsOn) expect(keys.indexOf(dep)).toBeLessThan(keys.indexOf(step.key));
  });

  test('plans are deterministic', async () => {
    const { runtime } = await setup();
    const a = await runtime.plan();
    const b = await runtime.plan();
    expect(a.steps).toEqual(b.steps);
  });

  test('a second materialize right after the first plans nothing', async () => {
    const { runtime } = await setup();
    const result = await runtime.execute(await runtime.plan());
    expect(result.status).toBe('success');
    const again = await runtime.plan();
    expect(again.steps).toEqual([]);
    expect(again.upToDate).toBe(22);
  });

  test('a changed code version makes exactly that asset and its downstream stale, with the reason', async () => {
    const { home, runtime } = await setup();
    await runtime.execute(await runtime.plan());
    const changed = await reopen(home, { statsVersion: '2' });
    const plan = await changed.plan();
    const assets = new Set(plan.steps.map((s) => s.assetKey));
    expect([...assets].sort()).toEqual(['daily_stats', 'station_summary', 'weekly_stats']);
    const day = plan.steps.find((s) => s.key === 'daily_stats[2024-01-03]')!;
    expect(day.reasons).toEqual([
      expect.objectContaining({ code: 'code_version_changed', from: '1', to: '2' }),
    ]);
    expect(day.reasons[0].message).toBe('code version changed from 1 to 2');
    const summary = plan.steps.find((s) => s.key === 'station_summary')!;
    expect(summary.reasons.map((r) => r.code)).toEqual(['upstream_planned']);
  });

  test('new upstream data makes downstream stale, naming the upstream', async () => {
    const { home, runtime } = await setup();
    await runtime.execute(await runtime.plan());
    const rescaled = await reopen(home, { readingScale: 2 });
    // Re-materialize one day of readings with different data, through the plan of that asset only.
    await rescaled.execute(
      await rescaled.plan({ selection: 'readings', partitions: { keys: ['2024-01-02'] }, force: true }),
    );
    const plan = await rescaled.plan();
    expect(plan.steps.map((s) => s.key)).toEqual([
      'daily_stats[2024-01-02]',
      'station_summary',
      'weekly_stats[2024-01-01]',
    ]);
    expect(plan.steps[0].reasons[0]).toMatchObject({
      code: 'upstream_changed',
      upstream: 'readings[2024-01-02]',
    });
    expect(plan.steps[0].reasons[0].message).toContain('readings[2024-01-02]');
  });

  test('an upstream re-materialized with identical data does not make downstream stale', async () => {
    const { runtime } = await setup();
    await runtime.execute(await runtime.plan());
    const forced = await runtime.plan({
      selection: 'readings+',
      partitions: { keys: ['2024-01-05'] },
      force: true,
    });
    const result = await runtime.execute(forced);
    expect(result.status).toBe('success');
    // Everything was forced, so it ran; a normal plan afterwards finds nothing stale.
    expect((await runtime.plan()).steps).toEqual([]);

    // Without force, a re-materialized upstream with the same data makes downstream steps skip.
    const again = await runtime.plan({
      selection: 'readings',
      partitions: { keys: ['2024-01-06'] },
      force: true,
    });
    await runtime.execute(again);
    expect((await runtime.plan()).steps).toEqual([]);
  });

  test('downstream planned only because its upstream is planned is skipped when the upstream data is identical', async () => {
    const { home, runtime } = await setup();
    await runtime.execute(await runtime.plan());
    // A new code version of daily_stats that computes the same data.
    const same = await reopen(home, { statsVersion: '2' });
    const plan = await same.plan();
    const result = await same.execute(plan);
    expect(result.status).toBe('success');
    const summary = result.outcomes.get('station_summary')!;
    expect(summary.status).toBe('skipped');
    expect(summary.message).toContain('identical data');
    expect(result.outcomes.get('weekly_stats[2024-01-01]')!.status).toBe('skipped');
    expect((await same.plan()).steps).toEqual([]);
  });

  test('a failed attempt is a reason, with the error', async () => {
    const { home, runtime } = await setup({ failDays: ['2024-01-04'] });
    const result = await runtime.execute(await runtime.plan());
    expect(result.status).toBe('failed');
    const fixed = await reopen(home, {});
    const plan = await fixed.plan();
    const step = plan.steps.find((s) => s.key === 'readings[2024-01-04]')!;
    expect(step.reasons.map((r) => r.code)).toEqual(['missing', 'failed']);
    expect(step.reasons[1].message).toContain('source has no file for 2024-01-04');
  });

  test('freshness: an old materialization is overdue', async () => {
    let now = NOW;
    const { runtime } = await setup({}, () => now);
    await runtime.execute(await runtime.plan());
    now = new Date(NOW.getTime() + 3 * 3_600_000);
    const { graph } = runtime;
    void graph;
    // The example's stations has no freshness policy; overdue applies only where declared.
    expect((await runtime.plan({ selection: 'stations' })).steps).toEqual([]);
  });

  test('partition filters pick matching windows across cadences', async () => {
    const { runtime } = await setup();
    const plan = await runtime.plan({
      selection: 'daily_stats+',
      partitions: { from: '2024-01-03', to: '2024-01-04' },
    });
    expect(plan.steps.map((s) => s.key)).toEqual([
      'daily_stats[2024-01-03]',
      'daily_stats[2024-01-04]',
      'station_summary',
      'weekly_stats[2024-01-01]',
    ]);
    expect(plan.steps.filter((s) => s.blockedBy.length > 0).map((s) => s.key)).toContain(
      'daily_stats[2024-01-03]',
    );
  });

  test('bad partitions and ranges are explained', async () => {
    const { runtime } = await setup();
    await expect(
      runtime.plan({ selection: 'readings', partitions: { keys: ['2024-13-01'] } }),
    ).rejects.toMatchObject({ code: 'SF_BAD_PARTITION' });
    await expect(
      runtime.plan({ selection: 'readings', partitions: { from: '2024-01-05', to: '2024-01-02' } }),
    ).rejects.toMatchObject({
      code: 'SF_BAD_PARTITION_RANGE',
    });
    await expect(
      runtime.plan({ selection: 'stations', partitions: { keys: ['2024-01-02'] } }),
    ).rejects.toMatchObject({ code: 'SF_BAD_PARTITION' });
  });
});
