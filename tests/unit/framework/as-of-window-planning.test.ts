import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type AnyAsset,
  AsOfWindowMapping,
  type AssetPartitionState,
  asOfWindowMapping,
  changedFromColumn,
  daily,
  defineAsset,
  defineDefinitions,
  isShopflowError,
  type LineageInput,
  materialized,
  type PartitionFilter,
  planMaterialization,
  staticPartitions,
  storedByAsset,
  summarizeAssetStatus,
} from '../../../framework/index.js';
import { type ChangeLog, NEVER } from '../../../framework/planner/change-log.js';

// Five daily partitions read the unpartitioned `versions` as of their window end plus one day:
// by_day[2024-01-01] reads until 2024-01-03T00:00Z, …, by_day[2024-01-05] until 2024-01-07T00:00Z.

const NOW = new Date('2024-01-06T12:00:00Z');
const DAYS = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'];
const schema = z.object({ x: z.int() });
const days = daily({ start: '2024-01-01' });

function asset(key: string, options: Partial<Parameters<typeof defineAsset>[0]> = {}): AnyAsset {
  return defineAsset({
    key,
    description: '',
    schema,
    io: storedByAsset(),
    materialize: () => materialized({ rowCount: 0 }),
    ...options,
  } as Parameters<typeof defineAsset>[0]);
}

const versions = asset('versions', { changedFrom: changedFromColumn('updated_at') });
const byDay = asset('by_day', {
  partitions: days,
  deps: { versions },
  partitionMappings: { versions: asOfWindowMapping({ lookaheadDays: 1 }) },
});

function state(
  assetKey: string,
  partitionKey: string | null,
  dataVersion: string,
  inputs: LineageInput[] = [],
): AssetPartitionState {
  return {
    assetKey,
    partitionKey,
    materializationId: `m-${assetKey}-${partitionKey}-${dataVersion}`,
    dataVersion,
    codeVersion: '1',
    rowCount: 0,
    materializedAt: '2024-01-06T11:00:00.000Z',
    inputs,
    lastAttemptStatus: 'success',
    lastAttemptAt: '2024-01-06T11:00:00.000Z',
    lastRunId: 'run-1',
    lastError: null,
  };
}

/** `versions` is now at `current`; every day last read `recorded`. */
function states(recorded: string, current: string): AssetPartitionState[] {
  const read: LineageInput = {
    assetKey: 'versions',
    partitionKey: null,
    materializationId: `m-versions-null-${recorded}`,
    dataVersion: recorded,
  };
  return [state('versions', null, current), ...DAYS.map((day) => state('by_day', day, `d-${day}`, [read]))];
}

function log(...entries: Array<[version: string, changedFrom: string | null]>): ChangeLog {
  return { entries: entries.map(([version, changedFrom]) => ({ version, changedFrom })) };
}

function plan(
  current: AssetPartitionState[],
  options: {
    changeLogs?: ReadonlyMap<string, ChangeLog>;
    assetKeys?: string[];
    partitions?: PartitionFilter;
    assets?: AnyAsset[];
  } = {},
) {
  const { graph } = defineDefinitions({ assets: options.assets ?? [versions, byDay] });
  return planMaterialization({
    graph,
    states: current,
    assetKeys: options.assetKeys ?? graph.keys,
    partitions: options.partitions,
    changeLogs: options.changeLogs,
    now: NOW,
  });
}

function errorOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (isShopflowError(error)) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('as-of-window planning', () => {
  const changedOnJan5 = new Map([['versions', log(['v1', null], ['v2', '2024-01-05T00:00:00.000Z'])]]);

  it('is up to date where the window end plus the lookahead is at or before the change', () => {
    const result = plan(states('v1', 'v2'), { changeLogs: changedOnJan5 });
    expect(result.steps.map((step) => step.key)).toEqual(['by_day[2024-01-04]', 'by_day[2024-01-05]']);
    for (const step of result.steps) {
      expect(step.reasons).toEqual([
        {
          code: 'upstream_changed',
          message: 'upstream versions has new data since the last materialization',
          upstream: 'versions',
        },
      ]);
      expect(step.dependsOn).toEqual([]);
    }
    // versions and the first three days.
    expect(result.upToDate).toBe(4);
  });

  it('gives asset statuses the same answer as the plan', () => {
    const { graph } = defineDefinitions({ assets: [versions, byDay] });
    const withLogs = summarizeAssetStatus(graph, states('v1', 'v2'), NOW, changedOnJan5).get('by_day')!;
    expect(withLogs.status).toBe('stale');
    expect(withLogs.plannedPartitions).toEqual(['2024-01-04', '2024-01-05']);
    const withoutLogs = summarizeAssetStatus(graph, states('v1', 'v2'), NOW).get('by_day')!;
    expect(withoutLogs.plannedPartitions).toEqual(DAYS);
  });

  it('gives a single planned partition the same answer', () => {
    const keys = (day: string) =>
      plan(states('v1', 'v2'), { changeLogs: changedOnJan5, partitions: { keys: [day] } }).steps.map(
        (step) => step.key,
      );
    expect(keys('2024-01-03')).toEqual([]);
    expect(keys('2024-01-04')).toEqual(['by_day[2024-01-04]']);
  });

  it('counts the earliest of several changes since the version a partition read', () => {
    const changeLogs = new Map([
      ['versions', log(['v1', null], ['v2', '2024-01-06T00:00:00.000Z'], ['v3', '2024-01-04T00:00:00.000Z'])],
    ]);
    expect(plan(states('v1', 'v3'), { changeLogs }).steps.map((step) => step.partitionKey)).toEqual([
      '2024-01-03',
      '2024-01-04',
      '2024-01-05',
    ]);
    // Partitions that already read v2 see only the change to v3.
    const later = new Map([
      ['versions', log(['v1', null], ['v2', '2024-01-04T00:00:00.000Z'], ['v3', '2024-01-06T00:00:00.000Z'])],
    ]);
    expect(plan(states('v1', 'v3'), { changeLogs: later }).steps.map((step) => step.partitionKey)).toEqual([
      '2024-01-03',
      '2024-01-04',
      '2024-01-05',
    ]);
    expect(plan(states('v2', 'v3'), { changeLogs: later }).steps.map((step) => step.partitionKey)).toEqual([
      '2024-01-05',
    ]);
  });

  it('makes every partition stale without change logs', () => {
    for (const changeLogs of [undefined, new Map<string, ChangeLog>()]) {
      const result = plan(states('v1', 'v2'), { changeLogs });
      expect(result.steps.map((step) => step.partitionKey)).toEqual(DAYS);
      expect(result.steps.every((step) => step.reasons[0].code === 'upstream_changed')).toBe(true);
    }
  });

  it('makes every partition stale when the log cannot tell', () => {
    const cases = [
      // Changed from any time.
      log(['v1', null], ['v2', null]),
      // Restarted: the version the partitions read is no longer in it.
      log(['v2', null]),
      // Not written after the last materialization of versions.
      log(['v0', null], ['v1', '2024-01-05T00:00:00.000Z']),
    ];
    for (const entry of cases) {
      const result = plan(states('v1', 'v2'), { changeLogs: new Map([['versions', entry]]) });
      expect(result.steps.map((step) => step.partitionKey)).toEqual(DAYS);
    }
  });

  it('makes no partition stale when no time-bounded reader can see the change', () => {
    const changeLogs = new Map([['versions', log(['v1', null], ['v2', NEVER])]]);
    const result = plan(states('v1', 'v2'), { changeLogs });
    expect(result.steps).toEqual([]);
    expect(result.upToDate).toBe(6);
  });

  it('leaves the decision to the run when versions itself is planned', () => {
    const result = plan(states('v1', 'v2').slice(1), { changeLogs: changedOnJan5 });
    expect(result.steps.map((step) => step.key)).toEqual(['versions', ...DAYS.map((d) => `by_day[${d}]`)]);
    for (const step of result.steps.slice(1)) {
      expect(step.dependsOn).toEqual(['versions']);
      expect(step.reasons.map((reason) => reason.code)).toEqual(['upstream_planned']);
    }
  });

  it('still plans what is stale for other reasons', () => {
    const current = states('v1', 'v2');
    const failed = current.find((s) => s.partitionKey === '2024-01-01')!;
    failed.lastAttemptStatus = 'failed';
    const result = plan(current, { changeLogs: changedOnJan5, assetKeys: ['by_day'] });
    expect(result.steps.map((step) => [step.partitionKey, step.reasons.map((r) => r.code)])).toEqual([
      ['2024-01-01', ['failed']],
      ['2024-01-04', ['upstream_changed']],
      ['2024-01-05', ['upstream_changed']],
    ]);
  });

  it('reads the log of the upstream only, and only through an as-of mapping', () => {
    const other = asset('other');
    const mixed = asset('by_day', {
      partitions: days,
      deps: { versions, other },
      partitionMappings: { versions: asOfWindowMapping({ lookaheadDays: 1 }) },
    });
    const current = states('v1', 'v2').map((s) =>
      s.assetKey === 'by_day'
        ? {
            ...s,
            inputs: [
              ...s.inputs,
              { assetKey: 'other', partitionKey: null, materializationId: 'm-o1', dataVersion: 'o1' },
            ],
          }
        : s,
    );
    current.push(state('other', null, 'o2'));
    // `other` changed too and is read in full: every day is stale, named by `other`.
    const changeLogs = new Map([...changedOnJan5, ['other', log(['o1', null], ['o2', NEVER])]]);
    const result = plan(current, { changeLogs, assets: [versions, other, mixed] });
    expect(result.steps.map((step) => step.partitionKey)).toEqual(DAYS);
    expect(result.steps[0].reasons[0].message).toBe(
      'upstream other has new data since the last materialization',
    );
    expect(result.steps[4].reasons[0].message).toBe(
      'upstream versions, other has new data since the last materialization',
    );
  });
});

describe('as-of-window definitions', () => {
  it('maps every partition to the whole unpartitioned upstream', () => {
    const mapping = asOfWindowMapping({ lookaheadDays: 2 });
    expect(mapping).toBeInstanceOf(AsOfWindowMapping);
    expect(mapping.upstreamFor('2024-01-03', days, undefined, NOW)).toEqual({ valid: [null], missing: [] });
    expect(mapping.readsUntil(new Date('2024-01-04T00:00:00Z'))).toBe(Date.parse('2024-01-06T00:00:00Z'));
    expect(asOfWindowMapping().lookaheadDays).toBe(0);
  });

  it('rejects a lookahead that is not a whole number of days', () => {
    for (const lookaheadDays of [-1, 1.5, Number.NaN]) {
      const error = errorOf(() => asOfWindowMapping({ lookaheadDays }));
      expect(error.code).toBe('SF_INVALID_ASSET');
      expect(error.message).toContain(`lookahead ${lookaheadDays}`);
    }
  });

  it('rejects an as-of mapping from an unpartitioned or statically partitioned reader', () => {
    const readers = [
      asset('reader', { deps: { versions }, partitionMappings: { versions: asOfWindowMapping() } }),
      asset('reader', {
        partitions: staticPartitions(['eu', 'us']),
        deps: { versions },
        partitionMappings: { versions: asOfWindowMapping() },
      }),
    ];
    for (const reader of readers) {
      const error = errorOf(() => defineDefinitions({ assets: [versions, reader] }));
      expect(error.code).toBe('SF_INVALID_ASSET');
      expect(error.message).toContain('asset `reader` reads `versions` (deps.versions)');
    }
  });

  it('rejects an as-of mapping to a partitioned upstream', () => {
    const raw = asset('raw', { partitions: days });
    const reader = asset('reader', {
      partitions: days,
      deps: { raw },
      partitionMappings: { raw: asOfWindowMapping() },
    });
    const error = errorOf(() => defineDefinitions({ assets: [raw, reader] }));
    expect(error.code).toBe('SF_INVALID_ASSET');
    expect(error.message).toContain('asset `reader` reads `raw` (deps.raw) through an as-of-window mapping');
  });

  it('rejects changedFrom on a partitioned asset', () => {
    const error = errorOf(() =>
      asset('daily_versions', { partitions: days, changedFrom: changedFromColumn('updated_at') }),
    );
    expect(error.code).toBe('SF_INVALID_ASSET');
    expect(error.message).toContain('asset `daily_versions` is partitioned and declares changedFrom');
  });
});
