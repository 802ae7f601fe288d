import { ShopflowError } from '../../errors/error-catalog.js';
import type {
  PartitionMapping,
  PartitionMappingResult,
  PartitionsDefinition,
} from '../partitions-definition.js';
import { TimeWindowPartitions } from '../time-window-partitions.js';
import { checkMappingKey, describePartitions } from './mapping-sides.js';

/**
 * Each partition reads the partition with the same key on the other side: `2024-01-05` reads
 * `2024-01-05`, `eu-west` reads `eu-west`; two unpartitioned assets map `null` to `[null]`. Both
 * sides must be partitioned the same way (both static, or time windows of one cadence); a key the
 * other side does not have (yet) is reported in `missing`.
 *
 * @example
 * const days = daily({ start: '2024-01-01' });
 * identityPartitionMapping().upstreamFor('2024-01-05', days, days, now); // { valid: ['2024-01-05'], missing: [] }
 */
export class IdentityPartitionMapping implements PartitionMapping {
  readonly name = 'identity';

  upstreamFor(
    downstreamKey: string | null,
    downstream: PartitionsDefinition | undefined,
    upstream: PartitionsDefinition | undefined,
    now?: Date,
  ): PartitionMappingResult {
    checkSameShape(upstream, downstream);
    checkMappingKey(downstreamKey, downstream, 'downstream', this.name);
    return sameKey(downstreamKey, upstream, now);
  }

  downstreamFor(
    upstreamKey: string | null,
    upstream: PartitionsDefinition | undefined,
    downstream: PartitionsDefinition | undefined,
    now?: Date,
  ): PartitionMappingResult {
    checkSameShape(upstream, downstream);
    checkMappingKey(upstreamKey, upstream, 'upstream', this.name);
    return sameKey(upstreamKey, downstream, now);
  }
}

function sameKey(key: string | null, other: PartitionsDefinition | undefined, now: Date | undefined) {
  if (key === null || other === undefined) return { valid: [null], missing: [] };
  return other.has(key, now) ? { valid: [key], missing: [] } : { valid: [], missing: [key] };
}

function shape(definition: PartitionsDefinition | undefined): string {
  if (definition === undefined) return 'unpartitioned';
  if (definition instanceof TimeWindowPartitions)
    return `${definition.cadence}/${definition.weekStartsOn ?? ''}`;
  return definition.kind;
}

function checkSameShape(
  upstream: PartitionsDefinition | undefined,
  downstream: PartitionsDefinition | undefined,
) {
  if (shape(upstream) === shape(downstream)) return;
  const bothTimeWindows =
    upstream instanceof TimeWindowPartitions && downstream instanceof TimeWindowPartitions;
  throw new ShopflowError(
    'SF_PARTITIONS_MISMATCH',
    `the identity partition mapping cannot connect upstream ${describePartitions(upstream)} to downstream ${describePartitions(downstream)}: it needs both sides partitioned the same way`,
    {
      hint: bothTimeWindows
        ? 'declare timeWindowPartitionMapping() to map overlapping windows'
        : 'declare allPartitionsMapping() to read every upstream partition',
    },
  );
}

const shared = new IdentityPartitionMapping();

/**
 * The identity mapping: same key on both sides.
 *
 * @example
 * identityPartitionMapping().downstreamFor('eu-west', regions, regions); // { valid: ['eu-west'], missing: [] }
 */
export function identityPartitionMapping(): IdentityPartitionMapping {
  return shared;
}
