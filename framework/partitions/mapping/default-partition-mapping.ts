import { ShopflowError } from '../../errors/error-catalog.js';
import type { PartitionMapping, PartitionsDefinition } from '../partitions-definition.js';
import { StaticPartitions } from '../static-partitions.js';
import { TimeWindowPartitions } from '../time-window-partitions.js';
import { allPartitionsMapping } from './all-partitions-mapping.js';
import { identityPartitionMapping } from './identity-partition-mapping.js';
import { describePartitions } from './mapping-sides.js';
import { timeWindowPartitionMapping } from './time-window-partition-mapping.js';

/** Asset keys of the dependency, only used to make errors name it. */
export interface DependencyNames {
  upstream?: string;
  downstream?: string;
}

/**
 * The mapping a dependency uses when none is declared:
 * - both unpartitioned, or both static with the same keys → identity;
 * - one side unpartitioned → all partitions (a partitioned downstream reads the single `[null]`,
 *   an unpartitioned downstream reads every upstream partition);
 * - both time windows → time-window (same window, or roll-up by overlap).
 * Anything else throws `SF_PARTITIONS_MISMATCH` saying which mapping to declare.
 *
 * @example
 * defaultPartitionMapping(daily({ start: '2024-01-01' }), weekly({ start: '2024-01-01' })).name; // 'time-window'
 */
export function defaultPartitionMapping(
  upstream: PartitionsDefinition | undefined,
  downstream: PartitionsDefinition | undefined,
  names: DependencyNames = {},
): PartitionMapping {
  if (upstream === undefined && downstream === undefined) return identityPartitionMapping();
  if (upstream === undefined || downstream === undefined) return allPartitionsMapping();
  if (upstream instanceof TimeWindowPartitions && downstream instanceof TimeWindowPartitions) {
    return timeWindowPartitionMapping();
  }
  if (upstream.kind === 'static' && downstream.kind === 'static' && sameKeys(upstream, downstream)) {
    return identityPartitionMapping();
  }
  const bothStatic = upstream instanceof StaticPartitions && downstream instanceof StaticPartitions;
  const up = names.upstream ? `upstream \`${names.upstream}\`` : 'upstream';
  const down = names.downstream ? `downstream \`${names.downstream}\`` : 'downstream';
  throw new ShopflowError(
    'SF_PARTITIONS_MISMATCH',
    `no default partition mapping connects ${up} (${describePartitions(upstream)}) to ${down} (${describePartitions(downstream)})${bothStatic ? ': their static keys differ' : ''}`,
    {
      hint: bothStatic
        ? `declare a mapping for this dependency in the downstream asset's \`partitionMappings\`: identityPartitionMapping() to read the upstream partition with the same key (keys it lacks are reported missing), or allPartitionsMapping() to read every upstream partition`
        : `declare a mapping for this dependency in the downstream asset's \`partitionMappings\`: allPartitionsMapping() to read every upstream partition, or your own PartitionMapping`,
      details: { upstream: names.upstream, downstream: names.downstream },
    },
  );
}

function sameKeys(upstream: PartitionsDefinition, downstream: PartitionsDefinition): boolean {
  const upstreamKeys = upstream.keys();
  const downstreamKeys = new Set(downstream.keys());
  return upstreamKeys.length === downstreamKeys.size && upstreamKeys.every((key) => downstreamKeys.has(key));
}
