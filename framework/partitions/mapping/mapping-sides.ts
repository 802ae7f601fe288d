import { ShopflowError } from '../../errors/error-catalog.js';
import type { PartitionsDefinition } from '../partitions-definition.js';
import { TimeWindowPartitions } from '../time-window-partitions.js';

/** `static [a, b]`, `daily from … (UTC)` or `unpartitioned`, for messages. */
export function describePartitions(definition: PartitionsDefinition | undefined): string {
  return definition?.description ?? 'unpartitioned';
}

/**
 * Checks that `key` fits `definition` on one side of a mapping: `null` for an unpartitioned asset,
 * a key of the definition (format, alignment, membership; not whether it exists yet) otherwise.
 *
 * @example
 * checkMappingKey('2024-01-01', daily({ start: '2024-01-01' }), 'downstream', 'time-window');
 */
export function checkMappingKey(
  key: string | null,
  definition: PartitionsDefinition | undefined,
  side: 'upstream' | 'downstream',
  mapping: string,
): void {
  if (definition === undefined) {
    if (key === null) return;
    throw new ShopflowError(
      'SF_BAD_PARTITION',
      `the ${side} asset is unpartitioned, but the ${mapping} partition mapping was given its partition key \`${key}\``,
      { hint: 'pass null as the key of an unpartitioned asset', details: { key } },
    );
  }
  if (key === null) {
    const example = definition.keys()[0];
    throw new ShopflowError(
      'SF_BAD_PARTITION',
      `the ${side} asset is partitioned (${definition.description}), but the ${mapping} partition mapping was given no partition key`,
      { hint: example === undefined ? 'pass one of its keys' : `pass one of its keys, e.g. \`${example}\`` },
    );
  }
  // NOTE: planners check hundreds of thousands of keys; `checkKey` throws what `partition` would
  // without building the window.
  if (definition instanceof TimeWindowPartitions) definition.checkKey(key);
  else definition.partition(key);
}
