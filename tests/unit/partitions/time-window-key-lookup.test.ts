import { describe, expect, it } from 'vitest';
import { daily, monthly, weekly } from '../../../framework/partitions/index.js';

// Keys a definition has listed are looked up rather than parsed; both ways must give one answer.

const NOW = new Date('2024-03-10T12:00:00Z');

const CANDIDATES = [
  '2024-01-01',
  '2024-01-08',
  '2024-02-01',
  '2024-02-29',
  '2024-03-04',
  '2024-03-09',
  '2024-03-10',
  '2024-03-11',
  '2023-12-31',
  '2023-12-25',
  '2024-1-5',
  '2024-02-30',
  '2024-13-01',
  'not a day',
  '',
];

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe.each([
  ['daily', daily({ start: '2024-01-01' })],
  ['daily in Berlin', daily({ start: '2024-01-01', timezone: 'Europe/Berlin' })],
  ['weekly', weekly({ start: '2024-01-01' })],
  ['monthly', monthly({ start: '2024-01-01' })],
])('%s partitions', (_name, definition) => {
  it('has exactly the keys it lists, before and after listing them', () => {
    const expected = (keys: string[]) => CANDIDATES.map((key) => keys.includes(key));
    const before = CANDIDATES.map((key) => definition.has(key, NOW));
    const keys = definition.keys(NOW);
    expect(before).toEqual(expected(keys));
    expect(CANDIDATES.map((key) => definition.has(key, NOW))).toEqual(expected(keys));
  });

  it('checkKey throws what partition throws, and nothing for keys of windows yet to end', () => {
    definition.keys(NOW);
    for (const key of [...CANDIDATES, '2030-01-01']) {
      const expected = errorOf(() => definition.partition(key));
      const actual = errorOf(() => definition.checkKey(key));
      expect(actual === undefined ? undefined : (actual as Error).message, key).toBe(
        expected === undefined ? undefined : (expected as Error).message,
      );
    }
  });
});

describe('keys outside YYYY-MM-DD', () => {
  it('a listed day after 9999-12-31 is not a key, as when it is parsed', () => {
    const last = daily({ start: '9999-12-30' });
    const now = new Date('+010000-01-03T00:00:00Z');
    expect(last.keys(now)).toContain('10000-01-01');
    expect(last.has('9999-12-31', now)).toBe(true);
    expect(last.has('10000-01-01', now)).toBe(false);
  });
});
