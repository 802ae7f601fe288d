import { describe, expect, test } from 'vitest';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
import { daily } from '../../../framework/partitions/index.js';
import { partitionsForFilter } from '../../../framework/planner/plan-materialization.js';

const now = new Date('2024-03-10T10:00:00Z');
const days = daily({ start: '2024-01-01' });

function errorOf(from: string, to: string): { code: string; message: string } {
  try {
    partitionsForFilter(days, { from, to }, now);
  } catch (error) {
    if (isShopflowError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`no error for ${from} … ${to}`);
}

describe('a partition range', () => {
  test('selects the partitions between its ends', () => {
    expect(partitionsForFilter(days, { from: '2024-01-02', to: '2024-01-04' }, now)).toEqual([
      '2024-01-02',
      '2024-01-03',
      '2024-01-04',
    ]);
  });

  test('a reversed range says to swap its ends', () => {
    const error = errorOf('2024-01-05', '2024-01-02');
    expect(error.code).toBe('SF_BAD_PARTITION_RANGE');
    expect(error.message).toContain('swap them: --from 2024-01-02 --to 2024-01-05');
  });

  test('an impossible key is named before the order is checked, never offered as a swap', () => {
    const error = errorOf('2024-13-01', '2024-01-02');
    expect(error.code).toBe('SF_BAD_PARTITION');
    expect(error.message).toContain('month 13 does not exist');
    expect(error.message).not.toContain('swap');
  });
});
