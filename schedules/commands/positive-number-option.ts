import { ShopflowError } from '../../framework/index.js';

/**
 * Parses a CLI option that must be a positive number (an integer unless `fraction`); undefined
 * stays undefined.
 *
 * @example
 * positiveNumberOption('--max-concurrent-runs', options.maxConcurrentRuns); // 2
 */
export function positiveNumberOption(
  flag: string,
  value: unknown,
  options: { fraction?: boolean } = {},
): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (!options.fraction && !Number.isInteger(n))) {
    throw new ShopflowError(
      'SF_BAD_USAGE',
      `${flag} ${String(value)} is not a positive ${options.fraction ? 'number' : 'integer'}`,
      { hint: `e.g. ${flag} 2` },
    );
  }
  return n;
}
