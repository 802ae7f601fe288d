import { expect, test } from 'vitest';
import { cumulativePartitionMapping, daily, weekly } from '../../../framework/index.js';

const now = new Date('2024-01-20T00:00:00Z');
const days = daily({ start: '2024-01-01' });

test('a day reads every day up to and including itself', () => {
  expect(cumulativePartitionMapping().upstreamFor('2024-01-03', days, days, now)).toEqual({
    valid: ['2024-01-01', '2024-01-02', '2024-01-03'],
    missing: [],
  });
});

test('a day is read by itself and every later day', () => {
  expect(cumulativePartitionMapping().downstreamFor('2024-01-17', days, days, now).valid).toEqual([
    '2024-01-17',
    '2024-01-18',
    '2024-01-19',
  ]);
});

test('a week reads every day before its end', () => {
  expect(
    cumulativePartitionMapping().upstreamFor('2024-01-08', weekly({ start: '2024-01-01' }), days, now).valid,
  ).toHaveLength(14);
});

test('unpartitioned sides are refused with a hint', () => {
  expect(() => cumulativePartitionMapping().upstreamFor(null, undefined, days, now)).toThrow(
    /allPartitionsMapping/,
  );
});
