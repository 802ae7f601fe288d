import { describe, expect, it } from 'vitest';
import { type ErrorCode, ShopflowError } from '../../../framework/errors/error-catalog.js';
import {
  allPartitionsMapping,
  daily,
  defaultPartitionMapping,
  identityPartitionMapping,
  monthly,
  staticPartitions,
  timeWindowPartitionMapping,
  weekly,
} from '../../../framework/partitions/index.js';

function thrown(action: () => unknown, code: ErrorCode): ShopflowError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ShopflowError);
    expect((error as ShopflowError).code).toBe(code);
    return error as ShopflowError;
  }
  throw new Error('expected an error');
}

const days = daily({ start: '2024-01-01' });
const now = new Date('2024-01-04T00:00:00Z');

describe('defaultPartitionMapping', () => {
  it('uses identity for two unpartitioned assets', () => {
    const mapping = defaultPartitionMapping(undefined, undefined);
    expect(mapping).toBe(identityPartitionMapping());
    expect(mapping.upstreamFor(null, undefined, undefined, now)).toEqual({ valid: [null], missing: [] });
  });

  it('uses identity for static definitions with the same keys in any order', () => {
    expect(defaultPartitionMapping(staticPartitions(['a', 'b']), staticPartitions(['b', 'a']))).toBe(
      identityPartitionMapping(),
    );
  });

  it('uses all-partitions when the upstream is unpartitioned: each partition reads [null]', () => {
    const mapping = defaultPartitionMapping(undefined, days);
    expect(mapping).toBe(allPartitionsMapping());
    expect(mapping.upstreamFor('2024-01-02', days, undefined, now)).toEqual({ valid: [null], missing: [] });
  });

  it('uses all-partitions when only the downstream is unpartitioned: it reads every partition', () => {
    const mapping = defaultPartitionMapping(days, undefined);
    expect(mapping).toBe(allPartitionsMapping());
    expect(mapping.upstreamFor(null, undefined, days, now)).toEqual({
      valid: ['2024-01-01', '2024-01-02', '2024-01-03'],
      missing: [],
    });
    expect(defaultPartitionMapping(staticPartitions(['a']), undefined)).toBe(allPartitionsMapping());
  });

  it('uses the time-window mapping for two time-window definitions', () => {
    expect(defaultPartitionMapping(days, daily({ start: '2024-01-01', timezone: 'Europe/Berlin' }))).toBe(
      timeWindowPartitionMapping(),
    );
    expect(defaultPartitionMapping(days, weekly({ start: '2024-01-01' }))).toBe(timeWindowPartitionMapping());
    expect(defaultPartitionMapping(weekly({ start: '2024-01-01' }), monthly({ start: '2024-01-01' }))).toBe(
      timeWindowPartitionMapping(),
    );
  });

  it('refuses static definitions with different keys and says which mapping to declare', () => {
    const error = thrown(
      () => defaultPartitionMapping(staticPartitions(['a', 'b']), staticPartitions(['a', 'c'])),
      'SF_PARTITIONS_MISMATCH',
    );
    expect(error.message).toContain('static [a, b]');
    expect(error.message).toContain('static [a, c]');
    expect(error.message).toContain('identityPartitionMapping()');
    expect(error.message).toContain('allPartitionsMapping()');
  });

  it('refuses static against time windows, naming the assets', () => {
    const error = thrown(
      () =>
        defaultPartitionMapping(staticPartitions(['eu', 'us']), days, {
          upstream: 'regional_prices',
          downstream: 'daily_sales',
        }),
      'SF_PARTITIONS_MISMATCH',
    );
    expect(error.message).toContain('`regional_prices`');
    expect(error.message).toContain('`daily_sales`');
    expect(error.message).toContain('daily from 2024-01-01 (UTC)');
    expect(error.message).toContain('allPartitionsMapping()');
  });
});
