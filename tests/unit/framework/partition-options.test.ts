import { describe, expect, test } from 'vitest';
import { partitionFilterFrom, singlePartitionOption } from '../../../framework/cli/partition-options.js';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';

function usageError(options: Parameters<typeof partitionFilterFrom>[0]): string {
  try {
    partitionFilterFrom(options);
  } catch (error) {
    // NOTE: the message without the hint ShopflowError appends after '; '.
    if (isShopflowError(error, 'SF_BAD_USAGE')) return error.message.split('; ')[0];
    throw error;
  }
  throw new Error(`no error for ${JSON.stringify(options)}`);
}

describe('partitionFilterFrom', () => {
  test('keys, ranges and no flag at all', () => {
    expect(partitionFilterFrom({ partition: '2024-01-15, 2024-01-16' })).toEqual({
      keys: ['2024-01-15', '2024-01-16'],
    });
    expect(partitionFilterFrom({ from: '2024-01-01', to: '2024-01-31' })).toEqual({
      from: '2024-01-01',
      to: '2024-01-31',
    });
    expect(partitionFilterFrom({})).toBeNull();
  });

  test('an empty flag or an empty key is an error, never every partition', () => {
    expect(usageError({ partition: '' })).toBe('--partition was given an empty value');
    expect(usageError({ partition: '  ' })).toBe('--partition was given an empty value');
    expect(usageError({ from: '', to: '' })).toBe('--from was given an empty value');
    expect(usageError({ from: '2024-01-01', to: '' })).toBe('--to was given an empty value');
    expect(usageError({ partition: ',' })).toBe('--partition "," has an empty key');
    expect(usageError({ partition: '2024-01-15,,2024-01-16' })).toBe(
      '--partition "2024-01-15,,2024-01-16" has an empty key',
    );
  });

  test('a range needs both ends, and does not mix with keys', () => {
    expect(usageError({ from: '2024-01-01' })).toBe('--to is missing');
    expect(usageError({ to: '2024-01-01' })).toBe('--from is missing');
    expect(usageError({ partition: '2024-01-01', from: '2024-01-01' })).toBe(
      '--partition cannot be combined with --from/--to',
    );
  });
});

describe('singlePartitionOption (show, explain, lineage)', () => {
  test('absent is undefined, a key is kept, an empty value is an error rather than the latest', () => {
    expect(singlePartitionOption(undefined)).toBeUndefined();
    expect(singlePartitionOption(' 2024-01-15 ')).toBe('2024-01-15');
    expect(() => singlePartitionOption('')).toThrow('--partition was given an empty value');
  });
});
