import { describe, expect, test } from 'vitest';
import { daily, monthly, weekly } from '../../../framework/partitions/index.js';

describe('time windows with an end date', () => {
  const later = new Date('2030-01-01T00:00:00Z');

  test('daily keys stop the day before the end', () => {
    const days = daily({ start: '2024-01-01', end: '2024-01-05' });
    expect(days.keys(later)).toEqual(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04']);
    expect(days.has('2024-01-05', later)).toBe(false);
    expect(days.description).toBe('daily from 2024-01-01 until 2024-01-05 (UTC)');
  });

  test('weeks and months exist only when they have ended by the end date', () => {
    expect(weekly({ start: '2024-01-01', end: '2024-01-20' }).keys(later)).toEqual([
      '2024-01-01',
      '2024-01-08',
    ]);
    expect(monthly({ start: '2024-01-01', end: '2024-03-31' }).keys(later)).toEqual([
      '2024-01-01',
      '2024-02-01',
    ]);
  });

  test('before the end, `now` still limits the keys', () => {
    expect(daily({ start: '2024-01-01', end: '2024-02-01' }).keys(new Date('2024-01-03T12:00:00Z'))).toEqual([
      '2024-01-01',
      '2024-01-02',
    ]);
  });

  test('endOffset counts from the end as from now: 1 adds the window still open at the end', () => {
    const weeks = weekly({ start: '2024-01-01', end: '2024-01-20', endOffset: 1 });
    expect(weeks.keys(later)).toEqual(['2024-01-01', '2024-01-08', '2024-01-15']);
    expect(weeks.has('2024-01-15', later)).toBe(true);
    expect(weeks.has('2024-01-22', later)).toBe(false);
    expect(weeks.description).toBe('weekly on Mondays from 2024-01-01 until 2024-01-20 (UTC), end offset 1');
    const months = monthly({ start: '2024-01-01', end: '2024-03-31', endOffset: 1 });
    expect(months.keys(later)).toEqual(['2024-01-01', '2024-02-01', '2024-03-01']);
    expect(() => months.validate('2024-04-01', later)).toThrow(/`2024-04-01`.*end offset 1/);
    // An end on a window boundary: the window opening at the end is the open one.
    expect(monthly({ start: '2024-01-01', end: '2024-03-01', endOffset: 1 }).keys(later)).toEqual([
      '2024-01-01',
      '2024-02-01',
      '2024-03-01',
    ]);
    expect(daily({ start: '2024-01-01', end: '2024-01-05', endOffset: -1 }).keys(later)).toEqual([
      '2024-01-01',
      '2024-01-02',
      '2024-01-03',
    ]);
  });

  test('before the end, an end offset counts from now', () => {
    const weeks = weekly({ start: '2024-01-01', end: '2024-03-31', endOffset: 1 });
    expect(weeks.keys(new Date('2024-01-10T12:00:00Z'))).toEqual(['2024-01-01', '2024-01-08']);
    // The open week is the same key at every instant of the week, and becomes a closed week after it.
    expect(weeks.keys(new Date('2024-01-14T23:59:59Z')).at(-1)).toBe('2024-01-08');
    expect(weeks.keys(new Date('2024-01-15T00:00:00Z'))).toEqual(['2024-01-01', '2024-01-08', '2024-01-15']);
  });

  test('an end before the start is a definition error', () => {
    expect(() => daily({ start: '2024-01-05', end: '2024-01-01' })).toThrow(/end `2024-01-01`/);
  });
});
