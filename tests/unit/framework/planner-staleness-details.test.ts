import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type AnyAsset,
  type AssetPartitionState,
  allPartitionsMapping,
  daily,
  defineAsset,
  defineDefinitions,
  type LineageInput,
  materialized,
  type PartitionMapping,
  planMaterialization,
  staticPartitions,
  storedByAsset,
} from '../../../framework/index.js';
import { AssetStateIndex } from '../../../framework/planner/asset-state-index.js';

// The planner's shortcuts (recorded inputs scanned or mapped, all-partitions answers asked once
// per asset, shared sentences, step lists per definition) must not change what a plan says.

const NOW = new Date('2024-01-05T12:00:00Z');
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

function state(
  assetKey: string,
  partitionKey: string | null,
  dataVersion: string | null,
  inputs: LineageInput[] = [],
  extra: Partial<AssetPartitionState> = {},
): AssetPartitionState {
  return {
    assetKey,
    partitionKey,
    materializationId: dataVersion === null ? null : `m-${assetKey}-${partitionKey}`,
    dataVersion,
    codeVersion: dataVersion === null ? null : '1',
    rowCount: 0,
    materializedAt: dataVersion === null ? null : '2024-01-05T11:00:00.000Z',
    inputs,
    lastAttemptStatus: dataVersion === null ? 'failed' : 'success',
    lastAttemptAt: '2024-01-05T11:00:00.000Z',
    lastRunId: 'run-1',
    lastError: null,
    ...extra,
  };
}

const read = (assetKey: string, partitionKey: string | null, dataVersion: string): LineageInput => ({
  assetKey,
  partitionKey,
  materializationId: `m-${assetKey}-${partitionKey}`,
  dataVersion,
});

function plan(assets: AnyAsset[], states: AssetPartitionState[], options: { keys?: string[] } = {}) {
  const { graph } = defineDefinitions({ assets });
  return planMaterialization({ graph, states, assetKeys: options.keys ?? graph.keys, now: NOW });
}

describe('recorded inputs', () => {
  const up = asset('up');
  const down = asset('down', { deps: { up } });

  it('the last record of an upstream partition counts when it was recorded twice', () => {
    const stale = [read('up', null, 'old'), read('up', null, 'v1')];
    const fresh = [read('up', null, 'v1'), read('up', null, 'old')];
    expect(plan([up, down], [state('up', null, 'v1'), state('down', null, 'd', stale)]).steps).toEqual([]);
    expect(plan([up, down], [state('up', null, 'v1'), state('down', null, 'd', fresh)]).steps).toEqual([
      expect.objectContaining({
        key: 'down',
        reasons: [
          {
            code: 'upstream_changed',
            message: 'upstream up has new data since the last materialization',
            upstream: 'up',
          },
        ],
      }),
    ]);
  });

  it('an upstream partition missing from the record has new data', () => {
    const steps = plan([up, down], [state('up', null, 'v1'), state('down', null, 'd', [])]).steps;
    expect(steps.map((step) => step.reasons[0].code)).toEqual(['upstream_changed']);
  });

  it('names the first three changed upstream partitions of a long record and counts the rest', () => {
    const daysUp = asset('days', { partitions: days });
    const summary = asset('summary', { deps: { days: daysUp } });
    const keys = days.keys(NOW);
    // 4 days, recorded 8 times each: more records than the planner scans before it builds a map.
    const recorded = [...keys, ...keys, ...keys, ...keys, ...keys, ...keys, ...keys, ...keys].map((key) =>
      read('days', key, key === '2024-01-02' ? `v-${key}` : 'old'),
    );
    const states = [
      ...keys.map((key) => state('days', key, `v-${key}`)),
      state('summary', null, 's', recorded),
    ];
    const [step] = plan([daysUp, summary], states).steps;
    expect(step.reasons).toEqual([
      {
        code: 'upstream_changed',
        message:
          'upstream days[2024-01-01], days[2024-01-03], days[2024-01-04] has new data since the last materialization',
        upstream: 'days[2024-01-01]',
      },
    ]);
    const five = [...keys, '2024-01-05'];
    const more = plan(
      [daysUp, summary],
      [...five.map((key) => state('days', key, `v-${key}`)), state('summary', null, 's', [])],
    );
    expect(more.steps.at(-1)!.reasons[0].message).toBe(
      'upstream days[2024-01-01], days[2024-01-02], days[2024-01-03] and 1 more has new data since the last materialization',
    );
  });
});

describe('upstream partitions', () => {
  it('every partition of a daily asset waits for the unpartitioned upstream planned before it', () => {
    const lookup = asset('lookup');
    const other = asset('other');
    const byDay = asset('by_day', { partitions: days, deps: { lookup, other } });
    const states = [
      state('other', null, 'o'),
      ...days.keys(NOW).map((key) => state('by_day', key, `b-${key}`, [read('other', null, 'o')])),
    ];
    const { steps } = plan([lookup, other, byDay], states);
    expect(steps.map((step) => step.key)).toEqual([
      'lookup',
      'by_day[2024-01-01]',
      'by_day[2024-01-02]',
      'by_day[2024-01-03]',
      'by_day[2024-01-04]',
    ]);
    for (const step of steps.slice(1)) {
      expect(step.dependsOn).toEqual(['lookup']);
      expect(step.reasons).toEqual([
        {
          code: 'upstream_planned',
          message: 'upstream lookup will be re-materialized first',
          upstream: 'lookup',
        },
      ]);
    }
  });

  it('writes each partition its own sentence when the upstreams they wait for differ', () => {
    const raw = asset('raw', { partitions: days });
    const clean = asset('clean', { partitions: days, deps: { raw } });
    const states = days
      .keys(NOW)
      .flatMap((key) => [
        state('raw', key, key === '2024-01-03' ? `v-${key}` : null),
        state('clean', key, `c-${key}`, [read('raw', key, `v-${key}`)]),
      ]);
    const messages = plan([raw, clean], states)
      .steps.filter((step) => step.assetKey === 'clean')
      .map((step) => step.reasons.at(-1)!.message);
    expect(messages).toEqual([
      'upstream raw[2024-01-01] will be re-materialized first',
      'upstream raw[2024-01-02] will be re-materialized first',
      'upstream raw[2024-01-04] will be re-materialized first',
    ]);
  });

  it('lists upstream partitions that are neither planned nor materialized as blocking', () => {
    const lookup = asset('lookup');
    const byDay = asset('by_day', { partitions: days, deps: { lookup } });
    const { steps } = plan([lookup, byDay], [], { keys: ['by_day'] });
    expect(steps).toHaveLength(4);
    for (const step of steps) expect(step).toMatchObject({ dependsOn: [], blockedBy: ['lookup'] });
  });

  it('asks a mapping of its own for every partition', () => {
    const calls: Array<string | null> = [];
    const previousDay: PartitionMapping = {
      name: 'previous-day',
      upstreamFor(key) {
        calls.push(key);
        const day = days.keys(NOW).indexOf(key as string);
        return day > 0 ? { valid: [days.keys(NOW)[day - 1]], missing: [] } : { valid: [], missing: [] };
      },
      downstreamFor: () => ({ valid: [], missing: [] }),
    };
    const raw = asset('raw', { partitions: days });
    const lagged = asset('lagged', {
      partitions: days,
      deps: { raw },
      partitionMappings: { raw: previousDay },
    });
    const { steps } = plan([raw, lagged], []);
    expect(calls).toEqual(days.keys(NOW));
    expect(steps.find((step) => step.key === 'lagged[2024-01-03]')!.dependsOn).toEqual(['raw[2024-01-02]']);
  });

  it('plans a partition named twice in a filter twice, as before', () => {
    const raw = asset('raw', { partitions: days });
    const summary = asset('summary', { deps: { raw }, partitionMappings: { raw: allPartitionsMapping() } });
    const { graph } = defineDefinitions({ assets: [raw, summary] });
    const result = planMaterialization({
      graph,
      states: [],
      assetKeys: graph.keys,
      partitions: { keys: ['2024-01-02', '2024-01-02'] },
      now: NOW,
    });
    expect(result.steps.map((step) => step.key)).toEqual(['raw[2024-01-02]', 'raw[2024-01-02]', 'summary']);
    expect(result.steps[2]).toMatchObject({
      dependsOn: ['raw[2024-01-02]'],
      blockedBy: ['raw[2024-01-01]', 'raw[2024-01-03]', 'raw[2024-01-04]'],
    });
  });

  it('treats static partitions with quotes and backslashes like any other keys', () => {
    const regions = staticPartitions(['e"u', 'u\\s']);
    const raw = asset('raw', { partitions: regions });
    const clean = asset('clean', { partitions: regions, deps: { raw } });
    const states = [state('raw', 'e"u', 'v'), state('clean', 'e"u', 'c', [read('raw', 'e"u', 'v')])];
    expect(plan([raw, clean], states).steps.map((step) => [step.key, step.dependsOn])).toEqual([
      ['raw[u\\s]', []],
      ['clean[u\\s]', ['raw[u\\s]']],
    ]);
  });
});

describe('AssetStateIndex', () => {
  it('finds every state whether or not the states of an asset come together', () => {
    const index = new AssetStateIndex([state('a', '1', 'x'), state('b', null, 'y'), state('a', '2', 'z')]);
    expect(index.get('a', '1')?.dataVersion).toBe('x');
    expect(index.get('a', '2')?.dataVersion).toBe('z');
    expect(index.get('b', null)?.dataVersion).toBe('y');
    expect([...index.partitionsOf('a').keys()]).toEqual(['1', '2']);
    expect(index.partitionsOf('missing').size).toBe(0);
  });
});
