import { describe, expect, it } from 'vitest';
import { type ErrorCode, ShopflowError } from '../../../framework/errors/error-catalog.js';
import {
  allPartitionsMapping,
  daily,
  identityPartitionMapping,
  staticPartitions,
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

const now = new Date('2024-01-10T12:00:00Z');

describe('identity partition mapping', () => {
  const identity = identityPartitionMapping();

  it('maps unpartitioned to unpartitioned', () => {
    expect(identity.name).toBe('identity');
    expect(identity.upstreamFor(null, undefined, undefined, now)).toEqual({ valid: [null], missing: [] });
    expect(identity.downstreamFor(null, undefined, undefined, now)).toEqual({ valid: [null], missing: [] });
  });

  it('maps a day to the same day, and reports days the other side lacks as missing', () => {
    const upstream = daily({ start: '2024-01-05' });
    const downstream = daily({ start: '2024-01-01' });
    expect(identity.upstreamFor('2024-01-06', downstream, upstream, now)).toEqual({
      valid: ['2024-01-06'],
      missing: [],
    });
    expect(identity.upstreamFor('2024-01-03', downstream, upstream, now)).toEqual({
      valid: [],
      missing: ['2024-01-03'],
    });
    expect(identity.downstreamFor('2024-01-09', upstream, downstream, now)).toEqual({
      valid: ['2024-01-09'],
      missing: [],
    });
    expect(identity.downstreamFor('2024-01-10', upstream, downstream, now)).toEqual({
      valid: [],
      missing: ['2024-01-10'],
    });
  });

  it('maps static keys by name', () => {
    const upstream = staticPartitions(['eu', 'us', 'ap']);
    const downstream = staticPartitions(['eu', 'us']);
    expect(identity.upstreamFor('us', downstream, upstream)).toEqual({ valid: ['us'], missing: [] });
    expect(identity.downstreamFor('ap', upstream, downstream)).toEqual({ valid: [], missing: ['ap'] });
  });

  it('refuses partitioned on one side only, different kinds and different cadences', () => {
    const days = daily({ start: '2024-01-01' });
    expect(
      thrown(() => identity.upstreamFor(null, undefined, days, now), 'SF_PARTITIONS_MISMATCH').message,
    ).toContain('allPartitionsMapping()');
    const kinds = thrown(
      () => identity.upstreamFor('eu', staticPartitions(['eu']), days, now),
      'SF_PARTITIONS_MISMATCH',
    );
    expect(kinds.message).toContain('static [eu]');
    const cadences = thrown(
      () => identity.upstreamFor('2024-01-01', weekly({ start: '2024-01-01' }), days, now),
      'SF_PARTITIONS_MISMATCH',
    );
    expect(cadences.message).toContain('timeWindowPartitionMapping()');
  });

  it('rejects a key that does not belong to its own side', () => {
    const days = daily({ start: '2024-01-01' });
    expect(
      thrown(() => identity.upstreamFor('2024-13-01', days, days, now), 'SF_BAD_PARTITION').message,
    ).toContain('`2024-13-01`');
    expect(thrown(() => identity.upstreamFor(null, days, days, now), 'SF_BAD_PARTITION').message).toContain(
      'given no partition key',
    );
    expect(
      thrown(() => identity.upstreamFor('x', undefined, undefined, now), 'SF_BAD_PARTITION').message,
    ).toContain('unpartitioned');
  });
});

describe('all-partitions mapping', () => {
  const all = allPartitionsMapping();
  const days = daily({ start: '2024-01-05' });

  it('gives an unpartitioned downstream every existing upstream partition', () => {
    expect(all.name).toBe('all-partitions');
    expect(all.upstreamFor(null, undefined, days, now)).toEqual({
      valid: ['2024-01-05', '2024-01-06', '2024-01-07', '2024-01-08', '2024-01-09'],
      missing: [],
    });
    expect(all.upstreamFor(null, undefined, staticPartitions(['a', 'b']), now)).toEqual({
      valid: ['a', 'b'],
      missing: [],
    });
  });

  it('maps every upstream partition to the unpartitioned downstream', () => {
    expect(all.downstreamFor('2024-01-06', days, undefined, now)).toEqual({ valid: [null], missing: [] });
  });

  it('gives every downstream partition the single unpartitioned upstream, and the reverse', () => {
    expect(all.upstreamFor('2024-01-06', days, undefined, now)).toEqual({ valid: [null], missing: [] });
    expect(all.downstreamFor(null, undefined, days, now).valid).toEqual([
      '2024-01-05',
      '2024-01-06',
      '2024-01-07',
      '2024-01-08',
      '2024-01-09',
    ]);
  });

  it('rejects a key that does not belong to its own side', () => {
    expect(
      thrown(() => all.upstreamFor('2024-01-01', days, undefined, now), 'SF_BAD_PARTITION').message,
    ).toContain('before the first partition');
    expect(
      thrown(() => all.downstreamFor('2024-01-06', undefined, days, now), 'SF_BAD_PARTITION').message,
    ).toContain('pass null');
  });
});
