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

  test('an end before the start is a definition error', () => {
    expect(() => daily({ start: '2024-01-05', end: '2024-01-01' })).toThrow(/end `2024-01-01`/);
  });
});
