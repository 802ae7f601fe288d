import { describe, expect, it } from 'vitest';
import { daily, monthly, TimeWindowPartitions, weekly } from '../../../framework/partitions/index.js';

const HOUR = 3_600_000;

function hours(partition: { start?: Date; end?: Date }): number {
  return (partition.end!.getTime() - partition.start!.getTime()) / HOUR;
}

describe('daily partitions', () => {
  const days = daily({ start: '2024-01-01' });

  it('lists the days that have fully ended by now', () => {
    expect(days.keys(new Date('2024-01-03T12:00:00Z'))).toEqual(['2024-01-01', '2024-01-02']);
    expect(days.keys(new Date('2024-01-03T00:00:00Z'))).toEqual(['2024-01-01', '2024-01-02']);
    expect(days.keys(new Date('2024-01-02T23:59:59.999Z'))).toEqual(['2024-01-01']);
    expect(days.keys(new Date('2024-01-01T12:00:00Z'))).toEqual([]);
    expect(days.keys(new Date('2023-06-01T00:00:00Z'))).toEqual([]);
  });

  it('adds the current day with endOffset 1 and holds back with a negative endOffset', () => {
    const now = new Date('2024-01-03T12:00:00Z');
    expect(daily({ start: '2024-01-01', endOffset: 1 }).keys(now)).toEqual([
      '2024-01-01',
      '2024-01-02',
      '2024-01-03',
    ]);
    expect(daily({ start: '2024-01-01', endOffset: -1 }).keys(now)).toEqual(['2024-01-01']);
    expect(daily({ start: '2024-01-01', endOffset: 1 }).keys(new Date('2024-01-01T00:00:00Z'))).toEqual([
      '2024-01-01',
    ]);
  });

  it('cuts days in the definition time zone', () => {
    const now = new Date('2024-01-02T23:30:00Z'); // 00:30 on 2024-01-03 in Berlin
    expect(daily({ start: '2024-01-01', timezone: 'Europe/Berlin' }).keys(now)).toEqual([
      '2024-01-01',
      '2024-01-02',
    ]);
    expect(days.keys(now)).toEqual(['2024-01-01']);
    expect(
      daily({ start: '2024-01-01', timezone: 'America/New_York' }).keys(new Date('2024-01-03T04:59:59Z')),
    ).toEqual(['2024-01-01']);
  });

  it('lists a year of keys, leap years included', () => {
    const keys = daily({ start: '2023-01-01' }).keys(new Date('2024-01-01T00:00:00Z'));
    expect(keys).toHaveLength(365);
    expect(keys[0]).toBe('2023-01-01');
    expect(keys[58]).toBe('2023-02-28');
    expect(keys[59]).toBe('2023-03-01');
    expect(keys.at(-1)).toBe('2023-12-31');
    const leap = daily({ start: '2024-01-01' }).keys(new Date('2025-01-01T00:00:00Z'));
    expect(leap).toHaveLength(366);
    expect(leap[59]).toBe('2024-02-29');
    expect(daily({ start: '1999-12-01' }).keys(new Date('2000-03-01T00:00:00Z'))).toHaveLength(31 + 31 + 29);
  });

  it('returns fresh arrays that callers may change, for any order of now values', () => {
    const definition = daily({ start: '2024-01-01' });
    const first = definition.keys(new Date('2024-01-11T00:00:00Z'));
    first.push('changed');
    expect(definition.keys(new Date('2024-01-11T00:00:00Z'))).toHaveLength(10);
    expect(definition.keys(new Date('2024-01-06T00:00:00Z'))).toHaveLength(5);
    expect(definition.keys(new Date('2024-01-11T05:00:00Z'))).toHaveLength(10);
    expect(definition.keys(new Date('2023-12-01T05:00:00Z'))).toEqual([]);
  });

  it('gives every one of many definitions its own keys', () => {
    const now = new Date('2024-01-01T06:00:00Z');
    for (let i = 0; i < 1000; i++) {
      const start = `2023-${String((i % 12) + 1).padStart(2, '0')}-01`;
      const keys = daily({ start, timezone: i % 2 ? 'UTC' : 'Europe/Berlin' }).keys(now);
      expect(keys[0]).toBe(start);
      expect(keys.at(-1)).toBe('2023-12-31');
    }
  });

  it('has 23 h and 25 h windows on DST days in Berlin and New York', () => {
    const berlin = daily({ start: '2024-01-01', timezone: 'Europe/Berlin' });
    expect(berlin.partition('2024-03-31')).toEqual({
      key: '2024-03-31',
      start: new Date('2024-03-30T23:00:00Z'),
      end: new Date('2024-03-31T22:00:00Z'),
    });
    expect(hours(berlin.partition('2024-03-31'))).toBe(23);
    expect(hours(berlin.partition('2024-10-27'))).toBe(25);
    expect(hours(berlin.partition('2024-10-28'))).toBe(24);
    const newYork = daily({ start: '2024-01-01', timezone: 'America/New_York' });
    expect(hours(newYork.partition('2024-03-10'))).toBe(23);
    expect(hours(newYork.partition('2024-11-03'))).toBe(25);
    expect(newYork.partition('2024-11-03').start).toEqual(new Date('2024-11-03T04:00:00Z'));
  });

  it('ends a Berlin day at local midnight across the DST change', () => {
    const berlin = daily({ start: '2024-03-01', timezone: 'Europe/Berlin' });
    expect(berlin.keys(new Date('2024-03-31T21:59:59Z')).at(-1)).toBe('2024-03-30');
    expect(berlin.keys(new Date('2024-03-31T22:00:00Z')).at(-1)).toBe('2024-03-31');
  });

  it('answers has() for existing, future, early and malformed keys', () => {
    const now = new Date('2024-01-10T12:00:00Z');
    expect(days.has('2024-01-01', now)).toBe(true);
    expect(days.has('2024-01-09', now)).toBe(true);
    expect(days.has('2024-01-10', now)).toBe(false);
    expect(days.has('2023-12-31', now)).toBe(false);
    expect(days.has('2024-1-5', now)).toBe(false);
    expect(days.has('2024-02-30', now)).toBe(false);
  });

  it('gives the key of the window containing an instant', () => {
    expect(
      daily({ start: '2024-01-01', timezone: 'Europe/Berlin' }).keyAt(new Date('2024-01-01T23:30:00Z')),
    ).toBe('2024-01-02');
    expect(days.keyAt(new Date('2020-05-05T10:00:00Z'))).toBe('2020-05-05');
  });

  it('describes itself and canonicalizes the time zone', () => {
    expect(days.description).toBe('daily from 2024-01-01 (UTC)');
    const berlin = daily({ start: '2024-01-01', timezone: 'europe/berlin', endOffset: 1 });
    expect(berlin.timezone).toBe('Europe/Berlin');
    expect(berlin.description).toBe('daily from 2024-01-01 (Europe/Berlin), end offset 1');
    expect(berlin.kind).toBe('time-window');
    expect(berlin).toBeInstanceOf(TimeWindowPartitions);
  });
});

describe('weekly partitions', () => {
  it('keys weeks by their Monday and lists ended weeks', () => {
    const weeks = weekly({ start: '2024-01-01' });
    expect(weeks.keys(new Date('2024-01-17T00:00:00Z'))).toEqual(['2024-01-01', '2024-01-08']);
    expect(weeks.keys(new Date('2024-01-15T00:00:00Z'))).toEqual(['2024-01-01', '2024-01-08']);
    expect(weeks.keys(new Date('2024-01-14T23:59:59Z'))).toEqual(['2024-01-01']);
    expect(weekly({ start: '2024-01-01', endOffset: 1 }).keys(new Date('2024-01-10T00:00:00Z'))).toEqual([
      '2024-01-01',
      '2024-01-08',
    ]);
    expect(weeks.description).toBe('weekly on Mondays from 2024-01-01 (UTC)');
  });

  it('starts weeks on another weekday when asked', () => {
    const sundays = weekly({ start: '2023-12-31', weekStartsOn: 0 });
    expect(sundays.keys(new Date('2024-01-14T00:00:00Z'))).toEqual(['2023-12-31', '2024-01-07']);
    expect(sundays.partition('2024-01-07')).toEqual({
      key: '2024-01-07',
      start: new Date('2024-01-07T00:00:00Z'),
      end: new Date('2024-01-14T00:00:00Z'),
    });
    expect(sundays.keyAt(new Date('2024-01-13T12:00:00Z'))).toBe('2024-01-07');
  });

  it('has a 167 h week across the Berlin spring DST change', () => {
    const weeks = weekly({ start: '2024-01-01', timezone: 'Europe/Berlin' });
    expect(hours(weeks.partition('2024-03-25'))).toBe(7 * 24 - 1);
    expect(hours(weeks.partition('2024-10-21'))).toBe(7 * 24 + 1);
    expect(hours(weeks.partition('2024-01-08'))).toBe(7 * 24);
  });

  it('rolls over years', () => {
    const weeks = weekly({ start: '2024-12-23' });
    expect(weeks.keys(new Date('2025-01-13T00:00:00Z'))).toEqual(['2024-12-23', '2024-12-30', '2025-01-06']);
  });
});

describe('monthly partitions', () => {
  const months = monthly({ start: '2023-11-01' });

  it('keys months by their 1st and lists ended months across years', () => {
    expect(months.keys(new Date('2024-02-01T00:00:00Z'))).toEqual(['2023-11-01', '2023-12-01', '2024-01-01']);
    expect(months.keys(new Date('2024-01-31T23:59:59Z'))).toEqual(['2023-11-01', '2023-12-01']);
    expect(monthly({ start: '2023-11-01', endOffset: 1 }).keys(new Date('2023-11-15T00:00:00Z'))).toEqual([
      '2023-11-01',
    ]);
    expect(months.description).toBe('monthly from 2023-11-01 (UTC)');
  });

  it('makes windows as long as the month, leap years included', () => {
    const days = (key: string) => hours(monthly({ start: '1900-01-01' }).partition(key)) / 24;
    expect(days('2024-02-01')).toBe(29);
    expect(days('2023-02-01')).toBe(28);
    expect(days('2000-02-01')).toBe(29);
    expect(days('1900-02-01')).toBe(28);
    expect(days('2024-04-01')).toBe(30);
    expect(days('2024-01-01')).toBe(31);
    expect(monthly({ start: '2024-01-01' }).partition('2024-12-01').end).toEqual(
      new Date('2025-01-01T00:00:00Z'),
    );
  });

  it('has 743 h and 745 h months in Berlin', () => {
    const berlin = monthly({ start: '2024-01-01', timezone: 'Europe/Berlin' });
    expect(hours(berlin.partition('2024-03-01'))).toBe(31 * 24 - 1);
    expect(hours(berlin.partition('2024-10-01'))).toBe(31 * 24 + 1);
    expect(berlin.partition('2024-03-01').start).toEqual(new Date('2024-02-29T23:00:00Z'));
  });

  it('lists more than a decade of months', () => {
    const keys = monthly({ start: '2010-01-01' }).keys(new Date('2024-06-15T00:00:00Z'));
    expect(keys).toHaveLength(14 * 12 + 5);
    expect(keys.at(-1)).toBe('2024-05-01');
  });
});

describe('ranges', () => {
  const now = new Date('2024-03-10T10:00:00Z');

  it('lists keys from one end to the other, both included', () => {
    expect(daily({ start: '2024-01-01' }).range('2024-01-05', '2024-01-07', now)).toEqual([
      '2024-01-05',
      '2024-01-06',
      '2024-01-07',
    ]);
    expect(daily({ start: '2024-01-01' }).range('2024-02-28', '2024-03-01', now)).toEqual([
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
    ]);
    expect(daily({ start: '2024-01-01' }).range('2024-01-05', '2024-01-05', now)).toEqual(['2024-01-05']);
    expect(weekly({ start: '2024-01-01' }).range('2024-01-08', '2024-01-22', now)).toEqual([
      '2024-01-08',
      '2024-01-15',
      '2024-01-22',
    ]);
    expect(monthly({ start: '2023-01-01' }).range('2023-11-01', '2024-02-01', now)).toEqual([
      '2023-11-01',
      '2023-12-01',
      '2024-01-01',
      '2024-02-01',
    ]);
  });

  it('lists a year of keys in a range', () => {
    expect(daily({ start: '2020-01-01' }).range('2023-01-01', '2023-12-31', now)).toHaveLength(365);
  });
});
