import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createServer } from '../../../server/create-server.js';
import { type ExampleOptions, exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, silentLog, tempHome } from '../../support/example-runtime.js';
import { jsonLines, runShopflow, writeTestConfig } from '../../support/run-shopflow.js';

const DAY_MS = 86_400_000;

/**
 * How many days before today the daily partitions start: five, or six or seven on a weekend, so
 * that the week the first day falls in is over and `weekly_stats` has a partition (weeks start on
 * Mondays: five days before a Saturday is the Monday of a week that ends on the coming Monday).
 */
function daysBack(): number {
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  for (let n = 5; ; n++) {
    const start = new Date(today - n * DAY_MS);
    const monday = start.getTime() - ((start.getUTCDay() + 6) % 7) * DAY_MS;
    if (monday + 7 * DAY_MS <= today) return n;
  }
}

// NOTE: the CLI runs on the real clock, so the daily partitions end yesterday.
const BACK = daysBack();
const DAYS = Array.from({ length: BACK }, (_, i) =>
  new Date(Date.now() - (BACK - i) * DAY_MS).toISOString().slice(0, 10),
);
const TOKEN = 'agreement-token-0123456789abcdef';

let home: ReturnType<typeof tempHome>;
let config: string;
let optionsFile: string;
let options: ExampleOptions = {};

function setOptions(next: ExampleOptions): void {
  options = { start: DAYS[0], ...next };
  writeFileSync(optionsFile, JSON.stringify(options));
}

async function cli(args: string[]) {
  const result = await runShopflow(['--config', config, ...args], { EXAMPLE_OPTIONS_FILE: optionsFile });
  return result;
}

interface PartitionView {
  status: string;
  materialized: boolean;
}
interface AssetView {
  status: string;
  /** Where its staleness starts, when upstream. */
  rootCause: string | null;
  counts: Record<string, number>;
  partitions: Map<string, PartitionView>;
}

const partitionName = (key: string | null) => key ?? '(unpartitioned)';
const COUNT_FIELDS = ['materialized', 'fresh', 'stale', 'overdue', 'missing', 'failed', 'running', 'planned'];

/** What the web page shows, read from the API it renders (a server on the same home, same definitions). */
async function pageView(): Promise<Map<string, AssetView>> {
  const runtime = await openTestRuntime(exampleDefinitions(options), home.home);
  const app = createServer({
    runtime,
    token: TOKEN,
    host: '127.0.0.1',
    port: 0,
    log: silentLog,
    statusMaxAgeMs: 0,
  });
  try {
    const get = async (url: string) =>
      (await app.inject({ url, headers: { authorization: `Bearer ${TOKEN}` } })).json();
    const graph = await get('/api/graph');
    const out = new Map<string, AssetView>();
    for (const node of graph.nodes) {
      const detail = await get(`/api/assets/${node.key}`);
      expect(detail.status).toBe(node.status);
      expect(detail.counts).toEqual(node.partitions);
      expect(detail.rootCause).toEqual(node.rootCause);
      out.set(node.key, {
        status: node.status,
        rootCause: node.rootCause?.message ?? null,
        counts: Object.fromEntries(COUNT_FIELDS.map((f) => [f, node.partitions[f]])),
        partitions: new Map(
          detail.partitionStates.map((c: { key: string | null; state: string; materialized: boolean }) => [
            partitionName(c.key),
            { status: c.state, materialized: c.materialized },
          ]),
        ),
      });
    }
    return out;
  } finally {
    await app.close();
    await runtime.close();
  }
}

/** What `shopflow assets --json --partitions` says. */
async function assetsView(): Promise<Map<string, AssetView>> {
  const result = await cli(['assets', '--json', '--partitions']);
  expect(result.code, result.stderr).toBe(0);
  return new Map(
    jsonLines(result.stdout).map((a) => [
      a.key,
      {
        status: a.status,
        rootCause: a.rootCause?.message ?? null,
        counts: Object.fromEntries(COUNT_FIELDS.map((f) => [f, a[f]])),
        partitions: new Map(
          a.partitionStatuses.map(
            (p: { partitionKey: string | null; status: string; materialized: boolean }) => [
              partitionName(p.partitionKey),
              { status: p.status, materialized: p.materialized },
            ],
          ),
        ),
      },
    ]),
  );
}

/** The steps of `shopflow plan --json`, by asset. */
async function planView(): Promise<Map<string, Set<string>>> {
  const result = await cli(['plan', '--json']);
  expect(result.code, result.stderr).toBe(0);
  const plan = JSON.parse(result.stdout) as {
    steps: Array<{ assetKey: string; partitionKey: string | null }>;
  };
  const out = new Map<string, Set<string>>();
  for (const step of plan.steps) {
    if (!out.has(step.assetKey)) out.set(step.assetKey, new Set());
    out.get(step.assetKey)!.add(partitionName(step.partitionKey));
  }
  return out;
}

/** Asserts that the page, `shopflow assets` and `shopflow plan` agree asset by asset and partition by partition. */
async function expectAgreement(state: string): Promise<Map<string, AssetView>> {
  const [page, assets, plan] = [await pageView(), await assetsView(), await planView()];
  expect([...page.keys()].sort(), state).toEqual([...assets.keys()].sort());
  for (const [key, onPage] of page) {
    const inCli = assets.get(key)!;
    expect(onPage.status, `${state}: status of ${key}`).toBe(inCli.status);
    expect(onPage.rootCause, `${state}: root cause of ${key}`).toBe(inCli.rootCause);
    expect(onPage.counts, `${state}: counts of ${key}`).toEqual(inCli.counts);
    expect([...onPage.partitions.keys()], `${state}: partitions of ${key}`).toEqual([
      ...inCli.partitions.keys(),
    ]);
    const planned = plan.get(key) ?? new Set<string>();
    expect(onPage.counts.planned, `${state}: planned partitions of ${key}`).toBe(planned.size);
    for (const [partition, cell] of onPage.partitions) {
      const where = `${state}: ${key}[${partition}]`;
      expect(cell, where).toEqual(inCli.partitions.get(partition));
      expect(planned.has(partition), `${where} is ${cell.status}; planned?`).toBe(cell.status !== 'fresh');
      expect(cell.materialized, where).toBe(
        !['missing'].includes(cell.status) && (cell.status !== 'failed' || cell.materialized),
      );
    }
  }
  return page;
}

const statusOf = (view: Map<string, AssetView>, key: string, partition: string | null = null) =>
  view.get(key)!.partitions.get(partitionName(partition))!.status;

beforeAll(() => {
  home = tempHome('shopflow-agreement-');
  config = writeTestConfig(home.home);
  optionsFile = join(home.home, 'example-options.json');
  setOptions({});
});
afterAll(() => home?.cleanup());

test('the page, `shopflow assets` and `shopflow plan` agree through fresh, changed, failed, partial and re-delivered states', async () => {
  // never materialized: everything missing
  let view = await expectAgreement('empty');
  expect(view.get('daily_stats')!.status).toBe('missing');

  // fresh
  expect((await cli(['materialize'])).code).toBe(0);
  view = await expectAgreement('fresh');
  for (const [key, asset] of view) expect(asset.status, key).toBe('fresh');

  // upstream changed: readings has new data, so daily_stats is stale; what reads it waits for it
  setOptions({ readingScale: 2 });
  expect((await cli(['materialize', 'readings', '--force'])).code).toBe(0);
  view = await expectAgreement('upstream changed');
  expect(statusOf(view, 'daily_stats', DAYS[1])).toBe('stale');
  expect(view.get('daily_stats')!.counts).toMatchObject({
    materialized: DAYS.length,
    stale: DAYS.length,
    planned: DAYS.length,
  });
  expect(statusOf(view, 'station_summary')).toBe('stale');
  // the root cause, not the nearest upstream: readings has new data, two hops above station_summary
  expect(view.get('station_summary')!.rootCause).toMatch(
    /^readings\[\d{4}-\d{2}-\d{2}\] has new data \(2 hops up\)$/,
  );
  expect(view.get('weekly_stats')!.rootCause).toMatch(/has new data \(2 hops up\)$/);

  // code version bumped
  setOptions({ readingScale: 2, statsVersion: '2' });
  expect((await cli(['materialize', 'readings+'])).code).toBe(0);
  view = await expectAgreement('code version bumped, then run');
  expect(view.get('daily_stats')!.status).toBe('fresh');
  setOptions({ readingScale: 2, statsVersion: '3' });
  view = await expectAgreement('code version bumped');
  expect(view.get('daily_stats')!.counts).toMatchObject({ stale: DAYS.length, planned: DAYS.length });

  // a failed step
  setOptions({ readingScale: 2, statsVersion: '3', failDays: [DAYS[2]] });
  expect((await cli(['materialize', 'readings', '--partition', DAYS[2], '--force'])).code).toBe(1);
  view = await expectAgreement('failed step');
  expect(statusOf(view, 'readings', DAYS[2])).toBe('failed');
  expect(view.get('readings')!.status).toBe('failed');

  // a partial run: only two days of daily_stats and what reads them
  setOptions({ readingScale: 2, statsVersion: '3' });
  expect((await cli(['materialize', 'daily_stats+', '--from', DAYS[0], '--to', DAYS[1]])).code).toBe(0);
  view = await expectAgreement('partial run');
  expect(statusOf(view, 'daily_stats', DAYS[0])).toBe('fresh');
  expect(statusOf(view, 'daily_stats', DAYS[3])).toBe('stale');

  // everything fresh again, then one day's input re-delivered
  expect((await cli(['materialize'])).code).toBe(0);
  view = await expectAgreement('fresh again');
  for (const [key, asset] of view) expect(asset.status, key).toBe('fresh');
  setOptions({ readingScale: 2, statsVersion: '3', redeliveredDays: [DAYS[3]] });
  expect((await cli(['materialize', 'readings', '--partition', DAYS[3], '--force'])).code).toBe(0);
  view = await expectAgreement('re-delivered input');
  expect(
    [...view.get('daily_stats')!.partitions].filter(([, c]) => c.status !== 'fresh').map(([k]) => k),
  ).toEqual([DAYS[3]]);
  expect(view.get('daily_stats')!.counts).toMatchObject({
    materialized: DAYS.length,
    fresh: DAYS.length - 1,
    stale: 1,
    planned: 1,
  });

  // a lake file damaged on disk: that partition is missing — file corrupt everywhere
  expect((await cli(['materialize'])).code).toBe(0);
  const file = join(home.home, 'lake', 'daily_stats', `partition=${DAYS[1]}`, 'data.parquet');
  truncateSync(file, 10);
  view = await expectAgreement('corrupt lake file');
  expect(statusOf(view, 'daily_stats', DAYS[1])).toBe('missing');
  expect(view.get('daily_stats')!.counts).toMatchObject({
    materialized: DAYS.length - 1,
    missing: 1,
    planned: 1,
  });
  expect(view.get('daily_stats')!.status).toBe('stale');
});
