import { describe, expect, it } from 'vitest';
import { type ErrorCode, ShopflowError } from '../../../framework/errors/error-catalog.js';
import {
  daily,
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

/** `count` consecutive UTC dates from `first`. */
function dates(first: string, count: number): string[] {
  const day = new Date(`${first}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) =>
    new Date(day.getTime() + i * 86_400_000).toISOString().slice(0, 10),
  );
}

const now = new Date('2024-03-10T10:00:00Z');
const mapping = timeWindowPartitionMapping();

describe('time-window mapping: upstream windows a downstream window reads', () => {
  it('rolls days up into a week', () => {
    const days = daily({ start: '2024-01-01' });
    const weeks = weekly({ start: '2024-01-01' });
    expect(mapping.name).toBe('time-window');
    expect(mapping.upstreamFor('2024-01-08', weeks, days, now)).toEqual({
      valid: dates('2024-01-08', 7),
      missing: [],
    });
  });

  it('reports the days before a Wednesday start as missing from the first week', () => {
    const days = daily({ start: '2024-01-03' });
    const weeks = weekly({ start: '2024-01-01' });
    expect(mapping.upstreamFor('2024-01-01', weeks, days, now)).toEqual({
      valid: dates('2024-01-03', 5),
      missing: ['2024-01-01', '2024-01-02'],
    });
  });

  it('rolls days up into months of every length', () => {
    const days = daily({ start: '2023-01-01' });
    const months = monthly({ start: '2023-01-01' });
    expect(mapping.upstreamFor('2024-02-01', months, days, now)).toEqual({
      valid: dates('2024-02-01', 29),
      missing: [],
    });
    expect(mapping.upstreamFor('2023-02-01', months, days, now).valid).toHaveLength(28);
    expect(mapping.upstreamFor('2023-04-01', months, days, now).valid).toHaveLength(30);
    expect(mapping.upstreamFor('2023-12-01', months, days, now).valid).toEqual(dates('2023-12-01', 31));
  });

  it('reports days before the upstream start and days not yet ended as missing', () => {
    const days = daily({ start: '2024-01-15' });
    const months = monthly({ start: '2024-01-01', endOffset: 1 });
    expect(mapping.upstreamFor('2024-01-01', months, days, now)).toEqual({
      valid: dates('2024-01-15', 17),
      missing: dates('2024-01-01', 14),
    });
    expect(mapping.upstreamFor('2024-03-01', months, days, now)).toEqual({
      valid: dates('2024-03-01', 9),
      missing: dates('2024-03-10', 22),
    });
  });

  it('reads every week overlapping a month', () => {
    const weeks = weekly({ start: '2024-01-01' });
    const months = monthly({ start: '2024-01-01' });
    expect(mapping.upstreamFor('2024-02-01', months, weeks, now)).toEqual({
      valid: ['2024-01-29', '2024-02-05', '2024-02-12', '2024-02-19', '2024-02-26'],
      missing: [],
    });
    expect(mapping.upstreamFor('2024-03-01', months, weeks, now)).toEqual({
      valid: ['2024-02-26'],
      missing: ['2024-03-04', '2024-03-11', '2024-03-18', '2024-03-25'],
    });
  });

  it('maps a window to itself for the same cadence', () => {
    const downstream = daily({ start: '2024-01-01' });
    const upstream = daily({ start: '2024-01-05' });
    expect(mapping.upstreamFor('2024-01-06', downstream, upstream, now)).toEqual({
      valid: ['2024-01-06'],
      missing: [],
    });
    expect(mapping.upstreamFor('2024-01-02', downstream, upstream, now)).toEqual({
      valid: [],
      missing: ['2024-01-02'],
    });
    const months = monthly({ start: '2024-01-01' });
    expect(mapping.upstreamFor('2024-02-01', months, months, now)).toEqual({
      valid: ['2024-02-01'],
      missing: [],
    });
  });

  it('maps by instants across time zones and DST', () => {
    const berlinDays = daily({ start: '2024-01-01', timezone: 'Europe/Berlin' });
    const utcDays = daily({ start: '2024-01-01' });
    expect(mapping.upstreamFor('2024-01-02', berlinDays, utcDays, now)).toEqual({
      valid: ['2024-01-01', '2024-01-02'],
      missing: [],
    });
    const berlinWeeks = weekly({ start: '2024-01-01', timezone: 'Europe/Berlin' });
    expect(mapping.upstreamFor('2024-01-08', berlinWeeks, utcDays, now).valid).toEqual(
      dates('2024-01-07', 8),
    );
    const dstWeek = mapping.upstreamFor(
      '2024-03-25',
      berlinWeeks,
      berlinDays,
      new Date('2024-05-01T00:00:00Z'),
    );
    expect(dstWeek).toEqual({ valid: dates('2024-03-25', 7), missing: [] });
  });
});

describe('time-window mapping: downstream windows an upstream window feeds', () => {
  const days = daily({ start: '2024-01-01' });
  const weeks = weekly({ start: '2024-01-01' });
  const months = monthly({ start: '2024-01-01' });

  it('sends a day to the week and the month containing it', () => {
    expect(mapping.downstreamFor('2024-01-10', days, weeks, now)).toEqual({
      valid: ['2024-01-08'],
      missing: [],
    });
    expect(mapping.downstreamFor('2024-02-29', days, months, now)).toEqual({
      valid: ['2024-02-01'],
      missing: [],
    });
    expect(mapping.downstreamFor('2024-01-07', days, weeks, now)).toEqual({
      valid: ['2024-01-01'],
      missing: [],
    });
  });

  it('reports a containing window that has not ended as missing', () => {
    expect(mapping.downstreamFor('2024-03-05', days, weeks, now)).toEqual({
      valid: [],
      missing: ['2024-03-04'],
    });
    expect(
      mapping.downstreamFor('2024-03-05', days, monthly({ start: '2024-01-01', endOffset: 1 }), now),
    ).toEqual({
      valid: ['2024-03-01'],
      missing: [],
    });
  });

  it('sends a week spanning two months to both', () => {
    expect(mapping.downstreamFor('2024-01-29', weeks, months, now)).toEqual({
      valid: ['2024-01-01', '2024-02-01'],
      missing: [],
    });
  });

  it('sends a week to its days', () => {
    expect(mapping.downstreamFor('2024-01-15', weeks, days, now)).toEqual({
      valid: dates('2024-01-15', 7),
      missing: [],
    });
  });
});

describe('time-window mapping errors', () => {
  const days = daily({ start: '2024-01-01' });

  it('refuses definitions that are not both time windows', () => {
    const statics = thrown(
      () => mapping.upstreamFor('a', staticPartitions(['a']), days, now),
      'SF_PARTITIONS_MISMATCH',
    );
    expect(statics.message).toContain('static [a]');
    expect(statics.message).toContain('daily from 2024-01-01 (UTC)');
    const unpartitioned = thrown(
      () => mapping.upstreamFor(null, undefined, days, now),
      'SF_PARTITIONS_MISMATCH',
    );
    expect(unpartitioned.message).toContain('allPartitionsMapping()');
  });

  it('rejects a key that is not a window of its own side', () => {
    const error = thrown(
      () => mapping.upstreamFor('2024-01-10', weekly({ start: '2024-01-01' }), days, now),
      'SF_BAD_PARTITION',
    );
    expect(error.message).toContain('`2024-01-10`');
    expect(error.message).toContain('`2024-01-08`');
  });
});
