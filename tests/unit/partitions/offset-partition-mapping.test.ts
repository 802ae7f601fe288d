import { expect, test } from 'vitest';
import { daily, offsetPartitionMapping, weekly } from '../../../framework/index.js';

const now = new Date('2024-01-10T12:00:00Z');
const days = daily({ start: '2024-01-01' });
const mapping = offsetPartitionMapping({ from: 0, to: 3 });

test('a day reads itself and the next three days that exist', () => {
  expect(mapping.upstreamFor('2024-01-02', days, days, now).valid).toEqual([
    '2024-01-02',
    '2024-01-03',
    '2024-01-04',
    '2024-01-05',
  ]);
  expect(mapping.upstreamFor('2024-01-08', days, days, now).valid).toEqual(['2024-01-08', '2024-01-09']);
});

test('a day is read by itself and the three days before it', () => {
  expect(mapping.downstreamFor('2024-01-05', days, days, now).valid).toEqual([
    '2024-01-02',
    '2024-01-03',
    '2024-01-04',
    '2024-01-05',
  ]);
  expect(mapping.downstreamFor('2024-01-02', days, days, now).valid).toEqual(['2024-01-01', '2024-01-02']);
});

test('bad ranges and different cadences are refused', () => {
  expect(() => offsetPartitionMapping({ from: 2, to: 1 })).toThrow(/not a range/);
  expect(() => mapping.upstreamFor('2024-01-01', weekly({ start: '2024-01-01' }), days, now)).toThrow(
    /same partitions/,
  );
});
