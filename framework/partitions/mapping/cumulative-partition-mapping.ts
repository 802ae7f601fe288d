import { ShopflowError } from '../../errors/error-catalog.js';
import type {
  PartitionMapping,
  PartitionMappingResult,
  PartitionsDefinition,
} from '../partitions-definition.js';
import { TimeWindowPartitions } from '../time-window-partitions.js';
import { checkMappingKey } from './mapping-sides.js';

function timeWindows(definition: PartitionsDefinition | undefined, side: string): TimeWindowPartitions {
  if (definition instanceof TimeWindowPartitions) return definition;
  throw new ShopflowError(
    'SF_PARTITIONS_MISMATCH',
    `the cumulative partition mapping needs time-window partitions on the ${side} side`,
    {
      hint: 'use allPartitionsMapping() for unpartitioned or static assets',
    },
  );
}

/**
 * Every upstream window that starts before the downstream window ends: "everything up to and
 * including this window". A day reads all earlier days, so a new day makes only itself and later
 * days stale, never the past (unlike `allPartitionsMapping`).
 *
 * @example
 * partitionMappings: { customers: cumulativePartitionMapping() } // transactions of a day check customers known by then
 */
export class CumulativePartitionMapping implements PartitionMapping {
  readonly name = 'cumulative';

  upstreamFor(
    downstreamKey: string | null,
    downstream: PartitionsDefinition | undefined,
    upstream: PartitionsDefinition | undefined,
    now?: Date,
  ): PartitionMappingResult {
    const down = timeWindows(downstream, 'downstream');
    const up = timeWindows(upstream, 'upstream');
    checkMappingKey(downstreamKey, down, 'downstream', this.name);
    const end = down.partition(downstreamKey as string).end!.getTime();
    const valid = up.keys(now).filter((key) => up.partition(key).start!.getTime() < end);
    return { valid, missing: [] };
  }

  downstreamFor(
    upstreamKey: string | null,
    upstream: PartitionsDefinition | undefined,
    downstream: PartitionsDefinition | undefined,
    now?: Date,
  ): PartitionMappingResult {
    const up = timeWindows(upstream, 'upstream');
    const down = timeWindows(downstream, 'downstream');
    checkMappingKey(upstreamKey, up, 'upstream', this.name);
    const start = up.partition(upstreamKey as string).start!.getTime();
    const valid = down.keys(now).filter((key) => down.partition(key).end!.getTime() > start);
    return { valid, missing: [] };
  }
}

const shared = new CumulativePartitionMapping();

export function cumulativePartitionMapping(): CumulativePartitionMapping {
  return shared;
}
