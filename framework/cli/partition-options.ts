import { ShopflowError } from '../errors/error-catalog.js';
import type { PartitionFilter } from '../planner/plan-materialization.js';

/**
 * Turns `--partition P[,Q]` or `--from A --to B` into a filter (or null for all partitions). A flag
 * given with nothing in it (`--partition ""`, as a script passes an unset `"$DAY"`) is an error,
 * never "every partition".
 */
export function partitionFilterFrom(options: {
  partition?: string;
  from?: string;
  to?: string;
}): PartitionFilter | null {
  for (const flag of ['partition', 'from', 'to'] as const) {
    const value = options[flag];
    if (value !== undefined && value.trim() === '') throw emptyFlag(flag, 'to select every partition');
  }
  if (options.partition !== undefined && (options.from !== undefined || options.to !== undefined)) {
    throw new ShopflowError('SF_BAD_USAGE', '--partition cannot be combined with --from/--to', {
      hint: 'use either --partition P or --from A --to B',
    });
  }
  if (options.partition !== undefined) {
    const keys = options.partition.split(',').map((k) => k.trim());
    if (keys.some((key) => key === '')) {
      throw new ShopflowError(
        'SF_BAD_USAGE',
        `--partition ${JSON.stringify(options.partition)} has an empty key`,
        {
          hint: 'separate partition keys by single commas, e.g. --partition 2024-01-15,2024-01-16',
        },
      );
    }
    return { keys };
  }
  if (options.from !== undefined || options.to !== undefined) {
    if (options.from === undefined || options.to === undefined) {
      throw new ShopflowError('SF_BAD_USAGE', `--${options.from !== undefined ? 'to' : 'from'} is missing`, {
        hint: 'give both ends of the range: --from A --to B',
      });
    }
    return { from: options.from.trim(), to: options.to.trim() };
  }
  return null;
}

/**
 * The `--partition KEY` of a command that reads one partition (`show`, `explain`, `lineage`):
 * undefined when the flag is absent; an empty value is an error, not "the latest".
 */
export function singlePartitionOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw emptyFlag('partition', 'for the latest materialized one');
  return value.trim();
}

/** A partition flag given with nothing in it; `absent` says what leaving the flag out does. */
function emptyFlag(flag: string, absent: string): ShopflowError {
  return new ShopflowError('SF_BAD_USAGE', `--${flag} was given an empty value`, {
    hint: `give --${flag} a partition key (e.g. 2024-01-15), or leave the flag out ${absent}`,
  });
}
