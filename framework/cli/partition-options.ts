import { ShopflowError } from '../errors/error-catalog.js';
import type { PartitionFilter } from '../planner/plan-materialization.js';

/** Turns `--partition P[,Q]` or `--from A --to B` into a filter (or null for all partitions). */
export function partitionFilterFrom(options: {
  partition?: string;
  from?: string;
  to?: string;
}): PartitionFilter | null {
  if (options.partition && (options.from || options.to)) {
    throw new ShopflowError('SF_BAD_USAGE', '--partition cannot be combined with --from/--to', {
      hint: 'use either --partition P or --from A --to B',
    });
  }
  if (options.partition)
    return {
      keys: options.partition
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    };
  if (options.from || options.to) {
    if (!options.from || !options.to) {
      throw new ShopflowError('SF_BAD_USAGE', `--${options.from ? 'to' : 'from'} is missing`, {
        hint: 'give both ends of the range: --from A --to B',
      });
    }
    return { from: options.from, to: options.to };
  }
  return null;
}
