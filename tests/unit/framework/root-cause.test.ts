import { describe, expect, test } from 'vitest';
import { type PlanStep, rootCauseOf, type StalenessReason } from '../../../framework/index.js';

function step(key: string, reasons: StalenessReason[]): PlanStep {
  const match = /^([^[]+)(?:\[(.+)\])?$/.exec(key)!;
  return { key, assetKey: match[1], partitionKey: match[2] ?? null, reasons, dependsOn: [], blockedBy: [] };
}
const planned = (upstream: string): StalenessReason => ({
  code: 'upstream_planned',
  message: `upstream ${upstream} will be re-materialized first`,
  upstream,
});

describe('rootCauseOf', () => {
  const steps = [
    step('bronze[2024-02-10]', [
      {
        code: 'upstream_changed',
        message: 'upstream source_files[2024-02-10] has new data since the last materialization',
        upstream: 'source_files[2024-02-10]',
      },
    ]),
    step('silver', [planned('bronze[2024-02-10]')]),
    step('fact[2024-02-10]', [
      planned('silver'),
      { code: 'overdue', message: 'late', lagMinutes: 9, maxLagMinutes: 5 },
    ]),
    step('raw[2024-01-01]', [{ code: 'missing', message: 'never materialized' }]),
    step('clean[2024-01-01]', [planned('raw[2024-01-01]')]),
    step('alone', [{ code: 'overdue', message: 'late', lagMinutes: 9, maxLagMinutes: 5 }]),
  ];
  const byKey = new Map(steps.map((s) => [s.key, s]));

  test('follows planned upstreams to the partition with new data, counting hops', () => {
    expect(rootCauseOf(byKey.get('fact[2024-02-10]')!, byKey)).toEqual({
      assetKey: 'source_files',
      partitionKey: '2024-02-10',
      code: 'new_data',
      hops: 3,
      message: 'source_files[2024-02-10] has new data (3 hops up)',
    });
    expect(rootCauseOf(byKey.get('bronze[2024-02-10]')!, byKey)?.message).toBe(
      'source_files[2024-02-10] has new data (1 hop up)',
    );
  });

  test('names an upstream step stale for its own reason; none for a step stale on its own', () => {
    expect(rootCauseOf(byKey.get('clean[2024-01-01]')!, byKey)).toMatchObject({
      assetKey: 'raw',
      partitionKey: '2024-01-01',
      code: 'missing',
      hops: 1,
      message: 'raw[2024-01-01]: never materialized (1 hop up)',
    });
    expect(rootCauseOf(byKey.get('raw[2024-01-01]')!, byKey)).toBeNull();
    expect(rootCauseOf(byKey.get('alone')!, byKey)).toBeNull();
    expect(rootCauseOf(step('orphan', [planned('gone')]), byKey)).toBeNull();
  });
});
