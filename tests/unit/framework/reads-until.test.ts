import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  changedFromColumn,
  type Definitions,
  daily,
  defineAsset,
  defineDefinitions,
  type ShopflowRuntime,
  sql,
} from '../../../framework/index.js';
import { readWindow } from '../../../framework/planner/read-window.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

// `events` has one row per day; `versions` is unpartitioned and dated by `updated_at`. `weekly`
// reads both only up to the Monday of the week of the last day with events: a new day of the same
// week changes nothing it reads, a new week moves its instants.

const days = daily({ start: '2024-01-01' });
const DAY_MS = 86_400_000;

interface Version {
  id: number;
  updated_at: string;
}

/** The Monday (UTC midnight) of the week of the latest key. */
function mondayOf(keys: readonly string[]): string | undefined {
  const last = [...keys].sort().at(-1);
  if (!last) return undefined;
  const t = Date.parse(`${last}T00:00:00Z`);
  const monday = t - ((new Date(t).getUTCDay() + 6) % 7) * DAY_MS;
  return new Date(monday).toISOString();
}

/** `weekly`'s instants: the Monday of the last day with events, for both inputs. */
function mondayWindow({ events: keys }: { events: readonly string[] }) {
  const monday = mondayOf(keys);
  return monday ? { events: monday, versions: monday } : {};
}

function definitions(
  versionRows: Version[],
  versionsCode: string,
  seen: Array<Record<string, string>>,
  window: typeof mondayWindow = mondayWindow,
) {
  const events = defineAsset({
    key: 'events',
    description: 'One row per day.',
    partitions: days,
    schema: z.object({ day: z.iso.date() }),
    materialize: ({ partitionKey }) => sql`select ${partitionKey}::DATE as day`,
  });
  const versions = defineAsset({
    key: 'versions',
    description: 'Versions dated by updated_at.',
    codeVersion: versionsCode,
    schema: z.object({ id: z.int(), updated_at: z.iso.datetime() }),
    changedFrom: changedFromColumn('updated_at'),
    materialize: () =>
      sql.raw(
        `select id::BIGINT as id, updated_at from (values ${versionRows
          .map((r) => `(${r.id}, TIMESTAMPTZ '${r.updated_at}')`)
          .join(', ')}) t(id, updated_at) order by id`,
      ),
  });
  const weekly = defineAsset({
    key: 'weekly',
    description: 'Days and versions before the Monday of the last week.',
    deps: { events, versions },
    schema: z.object({ days: z.int(), versions: z.int(), until: z.iso.datetime() }),
    readsUntil: window,
    materialize: ({ deps, readsUntil }) => {
      seen.push({ ...readsUntil });
      return sql`select (select count(*) from ${deps.events})::INTEGER as days,
          (select count(*) from ${deps.versions} where updated_at < ${readsUntil.versions}::TIMESTAMPTZ)::INTEGER as versions,
          ${readsUntil.versions}::TIMESTAMPTZ as until`;
    },
  });
  return defineDefinitions({ assets: [events, versions, weekly] });
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function open(defs: Definitions, home: string, now: string): Promise<ShopflowRuntime> {
  const runtime = await openTestRuntime(defs, home, { now: () => new Date(now) });
  cleanups.push(() => runtime.close());
  return runtime;
}

/** Plans and runs everything stale; what `weekly` did (ran, skipped with a reason, or not planned). */
async function run(runtime: ShopflowRuntime) {
  const plan = await runtime.plan();
  const result = await runtime.execute(plan);
  expect(result.status).toBe('success');
  const events = await runtime.store.listEvents({
    runId: result.runId,
    types: ['step_success', 'step_skipped'],
  });
  const weekly = events.find((e) => e.assetKey === 'weekly');
  return {
    planned: plan.steps.some((s) => s.assetKey === 'weekly'),
    weekly: weekly ? (weekly.type === 'step_skipped' ? String(weekly.data.reason) : 'ran') : 'not run',
  };
}

async function weeklyRow(runtime: ShopflowRuntime) {
  return (await runtime.preview('weekly', null, 1)).rows[0];
}

describe('an unpartitioned asset that reads its inputs up to an instant (readsUntil)', () => {
  test('runs only when its instants move or something before them changes', async () => {
    const { home, cleanup } = tempHome('shopflow-reads-until-');
    cleanups.push(cleanup);
    const seen: Array<Record<string, string>> = [];
    const rows: Version[] = [{ id: 1, updated_at: '2024-01-02T00:00:00Z' }];

    // Days 2024-01-01 … 01-09 (Tuesday): reads the 7 days before Monday 01-08.
    let runtime = await open(definitions(rows, '1', seen), home, '2024-01-10T12:00:00Z');
    expect(await run(runtime)).toEqual({ planned: true, weekly: 'ran' });
    expect(seen.at(-1)).toEqual({ events: '2024-01-08T00:00:00.000Z', versions: '2024-01-08T00:00:00.000Z' });
    expect(await weeklyRow(runtime)).toMatchObject({ days: 7, versions: 1 });
    const [state] = await runtime.store.listAssetPartitionStates(['weekly']);
    expect(state.inputs.filter((i) => i.assetKey === 'events').map((i) => i.partitionKey)).toHaveLength(7);
    await runtime.close();

    // A new day of the same week: `weekly` waits for it (a new day may move its instants), then
    // is skipped; the day already materialized does not make it stale.
    runtime = await open(definitions(rows, '1', seen), home, '2024-01-11T12:00:00Z');
    expect(await run(runtime)).toEqual({ planned: true, weekly: 'change_outside_window' });
    expect(seen).toHaveLength(1);
    expect((await runtime.plan()).steps).toEqual([]);
    await runtime.close();

    // A version dated after the instant: planned behind `versions`, skipped at run time.
    rows.push({ id: 2, updated_at: '2024-01-09T00:00:00Z' });
    runtime = await open(definitions(rows, '2', seen), home, '2024-01-11T12:00:00Z');
    expect(await run(runtime)).toEqual({ planned: true, weekly: 'change_outside_window' });
    expect((await runtime.plan()).steps).toEqual([]);
    await runtime.close();

    // A version dated before it: read, so `weekly` runs.
    rows.push({ id: 3, updated_at: '2024-01-05T00:00:00Z' });
    runtime = await open(definitions(rows, '3', seen), home, '2024-01-11T12:00:00Z');
    expect(await run(runtime)).toEqual({ planned: true, weekly: 'ran' });
    expect(await weeklyRow(runtime)).toMatchObject({ days: 7, versions: 2 });
    await runtime.close();

    // The next Monday moves the instants: 14 days and every version before 01-15.
    runtime = await open(definitions(rows, '3', seen), home, '2024-01-16T12:00:00Z');
    expect(await run(runtime)).toEqual({ planned: true, weekly: 'ran' });
    expect(seen.at(-1)).toEqual({ events: '2024-01-15T00:00:00.000Z', versions: '2024-01-15T00:00:00.000Z' });
    expect(await weeklyRow(runtime)).toMatchObject({ days: 14, versions: 3 });
    expect((await runtime.plan()).steps).toEqual([]);
  });

  test('a readsUntil that throws fails its step, not the plans of everything else', async () => {
    const { home, cleanup } = tempHome('shopflow-reads-until-');
    cleanups.push(cleanup);
    const broken = definitions([{ id: 1, updated_at: '2024-01-02T00:00:00Z' }], '1', [], () => {
      throw new Error('no calendar');
    });
    const runtime = await open(broken, home, '2024-01-10T12:00:00Z');
    const plan = await runtime.plan();
    expect(plan.steps.map((s) => s.assetKey)).toContain('weekly');
    const result = await runtime.execute(plan);
    expect(result.status).toBe('failed');
    const failures = await runtime.store.listEvents({ runId: result.runId, types: ['step_failure'] });
    expect(failures.map((e) => [e.assetKey, e.message])).toEqual([
      ['weekly', expect.stringContaining('readsUntil of asset `weekly` failed: no calendar')],
    ]);
    expect(await runtime.store.listAssetPartitionStates(['events'])).toHaveLength(9);
  });

  test('a partitioned asset may not declare it', () => {
    expect(() =>
      defineAsset({
        key: 'daily_reader',
        description: 'Partitioned.',
        partitions: days,
        schema: z.object({ x: z.int() }),
        readsUntil: () => ({}),
        materialize: () => sql`select 1 as x`,
      }),
    ).toThrow(/partitioned and declares readsUntil/);
  });

  test('an instant that is not ISO-8601, or names no dependency, is an error naming both', () => {
    const defs = definitions([], '1', []);
    const weekly = defs.graph.get('weekly');
    const bad = { ...weekly, readsUntil: () => ({ events: 'next monday' }) } as typeof weekly;
    expect(() => readWindow(defs.graph, bad, { events: ['2024-01-01'] })).toThrow(
      /readsUntil of asset `weekly` returned "next monday" for `events`/,
    );
    const unknown = { ...weekly, readsUntil: () => ({ clicks: '2024-01-01T00:00:00Z' }) } as typeof weekly;
    expect(() => readWindow(defs.graph, unknown, {})).toThrow(/for `clicks`/);
  });
});
