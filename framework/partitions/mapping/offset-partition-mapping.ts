import { ShopflowError } from '../../errors/error-catalog.js';
import type {
  PartitionMapping,
  PartitionMappingResult,
  PartitionsDefinition,
} from '../partitions-definition.js';
import { checkMappingKey } from './mapping-sides.js';

/**
 * Window `k` of the downstream reads upstream windows `k + from` … `k + to` of the same cadence.
 * With `{ from: 0, to: 3 }` a sale day reads the delivery days on which its late records can still
 * arrive; a new delivery day makes only the days it can belong to stale, and those whose data did
 * not change are skipped at run time (identical content hash). Windows past the upstream's last
 * one do not exist yet and are left out.
 *
 * @example
 * partitionMappings: { deliveries: offsetPartitionMapping({ from: 0, to: 3 }) }
 */
export class OffsetPartitionMapping implements PartitionMapping {
  readonly name = 'offset';

  constructor(
    readonly from: number,
    readonly to: number,
  ) {
    if (!Number.isInteger(from) || !Number.isInteger(to) || from > to) {
      throw new ShopflowError(
        'SF_INVALID_ASSET',
        `offset partition mapping from ${from} to ${to} is not a range`,
        {
          hint: 'use integers with from ≤ to, e.g. { from: 0, to: 3 }',
        },
      );
    }
  }

  upstreamFor(
    downstreamKey: string | null,
    downstream: PartitionsDefinition | undefined,
    upstream: PartitionsDefinition | undefined,
    now?: Date,
  ): PartitionMappingResult {
    checkMappingKey(downstreamKey, downstream, 'downstream', this.name);
    return shift(downstreamKey as string, sameCadence(downstream, upstream), this.from, this.to, now);
  }

  downstreamFor(
    upstreamKey: string | null,
    upstream: PartitionsDefinition | undefined,
    downstream: PartitionsDefinition | undefined,
    now?: Date,
  ): PartitionMappingResult {
    checkMappingKey(upstreamKey, upstream, 'upstream', this.name);
    return shift(upstreamKey as string, sameCadence(upstream, downstream), -this.to, -this.from, now);
  }
}

function sameCadence(
  a: PartitionsDefinition | undefined,
  b: PartitionsDefinition | undefined,
): PartitionsDefinition {
  if (!a || !b || a.kind !== b.kind || a.description !== b.description) {
    throw new ShopflowError(
      'SF_PARTITIONS_MISMATCH',
      'the offset partition mapping needs the same partitions on both sides',
      {
        hint: 'give both assets the same partitions definition',
      },
    );
  }
  return b;
}

function shift(
  key: string,
  other: PartitionsDefinition,
  from: number,
  to: number,
  now?: Date,
): PartitionMappingResult {
  const keys = other.keys(now);
  const index = keys.indexOf(key);
  const valid: string[] = [];
  // NOTE: windows after the last existing one do not exist yet; they are neither valid nor missing.
  for (let i = Math.max(0, index + from); i <= index + to && i < keys.length; i++) valid.push(keys[i]);
  return { valid, missing: [] };
}

export function offsetPartitionMapping(range: { from: number; to: number }): OffsetPartitionMapping {
  return new OffsetPartitionMapping(range.from, range.to);
}
