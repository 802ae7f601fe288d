import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  asOfWindowMapping,
  changedFromColumn,
  type Definitions,
  daily,
  defineAsset,
  defineDefinitions,
  type IoTarget,
  materialized,
  type ShopflowRuntime,
  sql,
} from '../../../framework/index.js';
import { type ChangeLog, changeLogCheckpointName, NEVER } from '../../../framework/planner/change-log.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

// `versions` is an unpartitioned, time-indexed asset (one row per version, dated by `updated_at`);
// `by_day` counts, for each day of 2024-01-01 … 2024-01-05, the versions dated before the day ends.
// A new version re-runs only the days that end after it; the others are skipped at run time.

const NOW = new Date('2024-01-10T12:00:00Z');
const DAYS = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'];
const days = daily({ start: '2024-01-01', end: '2024-01-06' });

interface Version {
  id: number;
  updated_at: string;
}

const BASE: Version[] = [
  { id: 1, updated_at: '2024-01-01T06:00:00Z' },
  { id: 2, updated_at: '2024-01-02T12:00:00Z' },
  { id: 3, updated_at: '2024-01-04T01:00:00Z' },
];

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function versionsQuery(rows: Version[]) {
  const values = rows.map((r) => `(${r.id}, TIMESTAMPTZ '${r.updated_at}')`).join(', ');
  return sql.raw(`select id::BIGINT as id, updated_at from (values ${values}) t(id, updated_at) order by id`);
}

/** The lake-table graph; `rows` is read whenever `versions` is materialized. */
function lakeDefinitions(rows: Version[], codeVersion: string): Definitions {
  const versions = defineAsset({
    key: 'versions',
    description: 'Versions dated by updated_at.',
    codeVersion,
    schema: z.object({ id: z.int(), updated_at: z.iso.datetime() }),
    changedFrom: changedFromColumn('updated_at'),
    materialize: () => versionsQuery(rows),
  });
  const byDay = defineAsset({
    key: 'by_day',
    description: 'Versions known at the end of each day.',
    deps: { versions },
    partitions: days,
    partitionMappings: { versions: asOfWindowMapping({ lookaheadDays: 0 }) },
    schema: z.object({ known: z.int(), last_id: z.int() }),
    materialize: ({ deps, partition }) =>
      sql`select count(*)::INTEGER as known, coalesce(max(id), 0)::INTEGER as last_id
          from ${deps.versions} where updated_at < ${partition!.end}`,
  });
  return defineDefinitions({ assets: [versions, byDay] });
}

/** A graph whose upstream writes itself and reports `changedFrom` in its result. */
function selfWritingDefinitions(
  current: { version: string; changedFrom: string | null | undefined },
  codeVersion: string,
): Definitions {
  const io: IoTarget = {
    kind: 'none',
    supportsQuarantine: false,
    location: () => 'nowhere',
    write: async () => {
      throw new Error('calendar writes itself');
    },
    input: async (context, partitionKeys) => ({
      assetKey: context.assetKey,
      partitionKeys,
      toSql: () => `(select 1 as x)`,
    }),
    preview: async () => ({ columns: [], rows: [] }),
  };
  const calendar = defineAsset({
    key: 'calendar',
    description: 'A calendar kept outside the lake.',
    codeVersion,
    schema: z.object({ x: z.int() }),
    io,
    materialize: () =>
      materialized({ rowCount: 1, dataVersion: current.version, changedFrom: current.changedFrom }),
  });
  const byDay = defineAsset({
    key: 'by_day',
    description: 'Reads the calendar as of each day.',
    deps: { calendar },
    partitions: days,
    partitionMappings: { calendar: asOfWindowMapping() },
    schema: z.object({ x: z.int() }),
    materialize: ({ deps }) => sql`select x::BIGINT as x from ${deps.calendar}`,
  });
  return defineDefinitions({ assets: [calendar, byDay] });
}

async function open(definitions: Definitions, home: string): Promise<ShopflowRuntime> {
  const runtime = await openTestRuntime(definitions, home, { now: () => NOW });
  cleanups.push(() => runtime.close());
  return runtime;
}

function newHome(): string {
  const { home, cleanup } = tempHome('shopflow-as-of-');
  cleanups.push(cleanup);
  return home;
}

/** Plans everything stale and runs it; returns what happened to each step. */
async function materializeAll(runtime: ShopflowRuntime) {
  const result = await runtime.execute(await runtime.plan());
  expect(result.status).toBe('success');
  const events = await runtime.store.listEvents({
    runId: result.runId,
    types: ['step_success', 'step_skipped'],
  });
  const ran = events
    .filter((e) => e.type === 'step_success' && e.assetKey === 'by_day')
    .map((e) => e.partitionKey)
    .sort();
  const skipped = Object.fromEntries(
    events.filter((e) => e.type === 'step_skipped').map((e) => [e.partitionKey, e.data.reason]),
  );
  return { result, ran, skipped };
}

async function dataVersions(runtime: ShopflowRuntime) {
  const states = await runtime.store.listAssetPartitionStates(['versions', 'by_day']);
  return Object.fromEntries(states.map((s) => [`${s.assetKey}[${s.partitionKey ?? ''}]`, s.dataVersion]));
}

async function rowsByDay(runtime: ShopflowRuntime) {
  const out: Record<string, unknown> = {};
  for (const day of DAYS) out[day] = (await runtime.preview('by_day', day, 10)).rows;
  return out;
}

async function changeLog(runtime: ShopflowRuntime, assetKey: string) {
  return await runtime.store.getCheckpoint<ChangeLog>(changeLogCheckpointName(assetKey));
}

/** Runs the lake graph from scratch in a fresh home with `rows`. */
async function fromScratch(rows: Version[]) {
  const runtime = await open(lakeDefinitions(rows, '1'), newHome());
  await materializeAll(runtime);
  return runtime;
}

/** `versions` with an extra column: its previous and current data cannot be compared row by row. */
function widenedDefinitions(rows: Version[]): Definitions {
  const base = lakeDefinitions(rows, '3');
  const versions = defineAsset({
    key: 'versions',
    description: 'Versions dated by updated_at, with a source column.',
    codeVersion: '3',
    schema: z.object({ id: z.int(), updated_at: z.iso.datetime(), source: z.string() }),
    changedFrom: changedFromColumn('updated_at'),
    materialize: () => sql`select *, 'crm' as source from (${versionsQuery(rows)})`,
  });
  const byDay = base.graph.get('by_day');
  return defineDefinitions({ assets: [versions, { ...byDay, deps: { versions } }] });
}

describe('as-of-window execution', () => {
  test('a changedFrom query that cannot compare the versions re-runs every reader, the step succeeds', async () => {
    const rows = [...BASE];
    const home = newHome();
    await materializeAll(await open(lakeDefinitions(rows, '1'), home));
    const widened = await open(widenedDefinitions(rows), home);
    const { result, ran } = await materializeAll(widened);
    expect(result.status).toBe('success');
    expect(ran).toEqual(DAYS);
    const log = await changeLog(widened, 'versions');
    expect(log?.entries).toHaveLength(2);
    expect(log?.entries[1].changedFrom).toBeNull();
  });

  test('a version dated on the last day re-runs only the days that end after it', async () => {
    const rows = [...BASE];
    const home = newHome();
    const first = await open(lakeDefinitions(rows, '1'), home);
    const initial = await materializeAll(first);
    expect(initial.ran).toEqual(DAYS);
    const [{ dataVersion: v1 }] = await first.store.listAssetPartitionStates(['versions']);
    expect(await changeLog(first, 'versions')).toEqual({ entries: [{ version: v1, changedFrom: null }] });

    rows.push({ id: 4, updated_at: '2024-01-05T08:00:00Z' });
    // A new code version makes `versions` re-run, and every day wait for it.
    const second = await open(lakeDefinitions(rows, '2'), home);
    const plan = await second.plan();
    expect(plan.steps.map((s) => [s.key, s.reasons.map((r) => r.code)])).toEqual([
      ['versions', ['code_version_changed']],
      ...DAYS.map((day) => [`by_day[${day}]`, ['upstream_planned']]),
    ]);
    const { ran, skipped } = await materializeAll(second);
    expect(ran).toEqual(['2024-01-05']);
    expect(skipped).toEqual({
      '2024-01-01': 'change_outside_window',
      '2024-01-02': 'change_outside_window',
      '2024-01-03': 'change_outside_window',
      '2024-01-04': 'change_outside_window',
    });
    const [{ dataVersion: v2 }] = await second.store.listAssetPartitionStates(['versions']);
    expect(v2).not.toBe(v1);
    expect(await changeLog(second, 'versions')).toEqual({
      entries: [
        { version: v1, changedFrom: null },
        { version: v2, changedFrom: '2024-01-05T08:00:00.000Z' },
      ],
    });
    expect(await rowsByDay(second)).toEqual({
      '2024-01-01': [{ known: 1, last_id: 1 }],
      '2024-01-02': [{ known: 2, last_id: 2 }],
      '2024-01-03': [{ known: 2, last_id: 2 }],
      '2024-01-04': [{ known: 3, last_id: 3 }],
      '2024-01-05': [{ known: 4, last_id: 4 }],
    });

    // The skipped days still read v1, and are up to date.
    expect((await second.plan()).steps).toEqual([]);

    const scratch = await fromScratch(rows);
    expect(await dataVersions(second)).toEqual(await dataVersions(scratch));
    expect(await rowsByDay(second)).toEqual(await rowsByDay(scratch));
  });

  test('a version dated on the first day re-runs every day', async () => {
    const rows = [...BASE];
    const home = newHome();
    await materializeAll(await open(lakeDefinitions(rows, '1'), home));

    rows.push({ id: 4, updated_at: '2024-01-01T12:00:00Z' });
    const second = await open(lakeDefinitions(rows, '2'), home);
    const { ran, skipped } = await materializeAll(second);
    expect(ran).toEqual(DAYS);
    expect(skipped).toEqual({});
    expect((await changeLog(second, 'versions'))?.entries.at(-1)?.changedFrom).toBe(
      '2024-01-01T12:00:00.000Z',
    );
    const scratch = await fromScratch(rows);
    expect(await dataVersions(second)).toEqual(await dataVersions(scratch));
    expect(await rowsByDay(second)).toEqual(await rowsByDay(scratch));
  });

  test('a removed or altered version counts from its date', async () => {
    const rows = [...BASE];
    const home = newHome();
    await materializeAll(await open(lakeDefinitions(rows, '1'), home));

    // Version 3 (dated 2024-01-04T01:00) moves to 2024-01-03T20:00: the change starts at the earlier date.
    rows[2] = { id: 3, updated_at: '2024-01-03T20:00:00Z' };
    const second = await open(lakeDefinitions(rows, '2'), home);
    const { ran, skipped } = await materializeAll(second);
    expect(ran).toEqual(['2024-01-03', '2024-01-04', '2024-01-05']);
    expect(skipped).toEqual({
      '2024-01-01': 'change_outside_window',
      '2024-01-02': 'change_outside_window',
    });
    expect((await changeLog(second, 'versions'))?.entries.at(-1)?.changedFrom).toBe(
      '2024-01-03T20:00:00.000Z',
    );
    const scratch = await fromScratch(rows);
    expect(await dataVersions(second)).toEqual(await dataVersions(scratch));
  });

  test('identical data re-materialized leaves the log and the readers as they were', async () => {
    const home = newHome();
    const first = await open(lakeDefinitions(BASE, '1'), home);
    await materializeAll(first);
    const before = await changeLog(first, 'versions');
    const second = await open(lakeDefinitions(BASE, '2'), home);
    const { ran, skipped } = await materializeAll(second);
    expect(ran).toEqual([]);
    expect(skipped).toEqual(Object.fromEntries(DAYS.map((day) => [day, 'upstream_unchanged'])));
    expect(await changeLog(second, 'versions')).toEqual(before);
  });

  test('a plan after a late change of the upstream alone reports the early days as up to date', async () => {
    const rows = [...BASE];
    const home = newHome();
    await materializeAll(await open(lakeDefinitions(rows, '1'), home));

    rows.push({ id: 4, updated_at: '2024-01-04T00:00:00Z' });
    const second = await open(lakeDefinitions(rows, '2'), home);
    const alone = await second.execute(await second.plan({ selection: 'versions' }));
    expect(alone.status).toBe('success');
    const plan = await second.plan();
    // 2024-01-03 ends at 2024-01-04T00:00, exactly when the new version starts: it does not see it.
    expect(plan.steps.map((s) => [s.key, s.reasons.map((r) => r.code)])).toEqual([
      ['by_day[2024-01-04]', ['upstream_changed']],
      ['by_day[2024-01-05]', ['upstream_changed']],
    ]);
    expect(plan.upToDate).toBe(4);
    const { ran } = await materializeAll(second);
    expect(ran).toEqual(['2024-01-04', '2024-01-05']);
    const scratch = await fromScratch(rows);
    expect(await dataVersions(second)).toEqual(await dataVersions(scratch));
  });

  test('materialized({ changedFrom }) is recorded as it is', async () => {
    const current: { version: string; changedFrom: string | null | undefined } = {
      version: 'c1',
      changedFrom: undefined,
    };
    const home = newHome();
    const first = await open(selfWritingDefinitions(current, '1'), home);
    expect((await materializeAll(first)).ran).toEqual(DAYS);
    // Without changedFrom and without a query, nothing is logged.
    expect(await changeLog(first, 'calendar')).toBeUndefined();

    current.version = 'c2';
    current.changedFrom = NEVER;
    const second = await open(selfWritingDefinitions(current, '2'), home);
    // The log starts here: the readers cannot tell what c1 → c2 changed, so every day re-runs.
    expect((await materializeAll(second)).ran).toEqual(DAYS);
    expect(await changeLog(second, 'calendar')).toEqual({ entries: [{ version: 'c2', changedFrom: null }] });

    current.version = 'c3';
    const third = await open(selfWritingDefinitions(current, '3'), home);
    const never = await materializeAll(third);
    expect(never.ran).toEqual([]);
    expect(never.skipped).toEqual(Object.fromEntries(DAYS.map((day) => [day, 'change_outside_window'])));
    expect((await changeLog(third, 'calendar'))?.entries).toEqual([
      { version: 'c2', changedFrom: null },
      { version: 'c3', changedFrom: NEVER },
    ]);

    current.version = 'c4';
    current.changedFrom = '2024-01-03T00:00:00.000Z';
    const fourth = await open(selfWritingDefinitions(current, '4'), home);
    const dated = await materializeAll(fourth);
    // The days still read c2: c2 → c4 changed from 2024-01-03, which the days ending after it see.
    expect(dated.ran).toEqual(['2024-01-03', '2024-01-04', '2024-01-05']);
    expect(dated.skipped).toEqual({
      '2024-01-01': 'change_outside_window',
      '2024-01-02': 'change_outside_window',
    });
    expect((await changeLog(fourth, 'calendar'))?.entries.at(-1)).toEqual({
      version: 'c4',
      changedFrom: '2024-01-03T00:00:00.000Z',
    });
    expect((await fourth.plan()).steps).toEqual([]);
  });
});
