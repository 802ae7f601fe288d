import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  type AnyAsset,
  type AssetPartitionState,
  daily,
  defineAsset,
  defineDefinitions,
  identityPartitionMapping,
  materialized,
  planMaterialization,
  staticPartitions,
  storedByAsset,
} from '../../../framework/index.js';
import { PlanTargets } from '../../../framework/planner/planned-steps.js';

const NOW = new Date('2024-01-05T12:00:00Z');
const schema = z.object({ x: z.int() });

function asset(key: string, spec: Partial<Parameters<typeof defineAsset>[0]> = {}): AnyAsset {
  return defineAsset({
    key,
    description: '',
    schema,
    io: storedByAsset(),
    materialize: () => materialized({ rowCount: 0 }),
    ...spec,
  });
}

function state(
  assetKey: string,
  partitionKey: string | null,
  dataVersion: string,
  inputs: AssetPartitionState['inputs'] = [],
) {
  return {
    assetKey,
    partitionKey,
    materializationId: `${assetKey}-${partitionKey}-${dataVersion}`,
    dataVersion,
    codeVersion: '1',
    rowCount: 0,
    materializedAt: NOW.toISOString(),
    inputs,
    lastAttemptStatus: 'success',
    lastAttemptAt: NOW.toISOString(),
    lastRunId: 'r',
    lastError: null,
  } satisfies AssetPartitionState;
}

describe('PlanTargets.stepKey', () => {
  test('is `asset[partition]` for a partition and the asset key for the unpartitioned target', () => {
    const days = new PlanTargets(['2024-01-01', '2024-01-02']);
    expect(days.stepKey('orders', 1)).toBe('orders[2024-01-02]');
    expect(days.stepKey('returns', 1)).toBe('returns[2024-01-02]');
    expect(new PlanTargets([null]).stepKey('customers', 0)).toBe('customers');
  });
});

describe('partitions reading the same key of an upstream with the same partitions', () => {
  const days = daily({ start: '2024-01-01' });
  const raw = asset('raw', { partitions: days });
  const clean = asset('clean', { partitions: days, deps: { raw } });
  const graph = defineDefinitions({ assets: [raw, clean] }).graph;

  test('wait for the planned upstream partition of their own day, within a partition filter', () => {
    const plan = planMaterialization({
      graph,
      states: [],
      assetKeys: ['raw', 'clean'],
      partitions: { from: '2024-01-02', to: '2024-01-03' },
      now: NOW,
    });
    expect(plan.steps.map((s) => [s.key, s.dependsOn])).toEqual([
      ['raw[2024-01-02]', []],
      ['raw[2024-01-03]', []],
      ['clean[2024-01-02]', ['raw[2024-01-02]']],
      ['clean[2024-01-03]', ['raw[2024-01-03]']],
    ]);
  });

  test('compare the version of their own day only, and are blocked by a missing one', () => {
    const states = [
      state('raw', '2024-01-01', 'a1'),
      state('raw', '2024-01-02', 'b2'),
      state('clean', '2024-01-01', 'c1', [
        {
          assetKey: 'raw',
          partitionKey: '2024-01-01',
          materializationId: 'raw-2024-01-01-a1',
          dataVersion: 'a1',
        },
      ]),
      state('clean', '2024-01-02', 'c2', [
        { assetKey: 'raw', partitionKey: '2024-01-02', materializationId: 'old', dataVersion: 'b1' },
      ]),
    ];
    const plan = planMaterialization({ graph, states, assetKeys: ['clean'], now: NOW });
    const byKey = new Map(plan.steps.map((s) => [s.key, s]));
    expect(byKey.has('clean[2024-01-01]')).toBe(false);
    expect(byKey.get('clean[2024-01-02]')!.reasons.map((r) => r.code)).toEqual(['upstream_changed']);
    expect(byKey.get('clean[2024-01-03]')!.blockedBy).toEqual(['raw[2024-01-03]']);
  });

  test('an identity mapping over the same static partitions, and a daily upstream starting later, map as before', () => {
    const regions = staticPartitions(['eu', 'us']);
    const source = asset('source', { partitions: regions });
    const copy = asset('copy', {
      partitions: regions,
      deps: { source },
      partitionMappings: { source: identityPartitionMapping() },
    });
    const later = asset('later', { partitions: daily({ start: '2024-01-03' }) });
    const reader = asset('reader', { partitions: days, deps: { later } });
    const mixed = defineDefinitions({ assets: [source, copy, later, reader] }).graph;
    const plan = planMaterialization({
      graph: mixed,
      states: [],
      assetKeys: ['source', 'copy', 'later', 'reader'],
      now: NOW,
    });
    const dependsOn = Object.fromEntries(plan.steps.map((s) => [s.key, s.dependsOn]));
    expect(dependsOn['copy[us]']).toEqual(['source[us]']);
    expect(dependsOn['reader[2024-01-03]']).toEqual(['later[2024-01-03]']);
    // The days before `later` starts read nothing of it.
    expect(dependsOn['reader[2024-01-02]']).toEqual([]);
  });
});
