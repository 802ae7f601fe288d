import type {
  PartitionMapping,
  PartitionMappingResult,
  PartitionsDefinition,
} from '../partitions-definition.js';
import { checkMappingKey } from './mapping-sides.js';

/**
 * Every downstream partition reads every upstream partition that exists at `now` (e.g. an
 * unpartitioned report over a daily table, or daily partitions over an unpartitioned lookup, which
 * read `[null]`). In reverse, every upstream partition feeds every downstream partition (`[null]`
 * for an unpartitioned downstream).
 *
 * @example
 * allPartitionsMapping().upstreamFor(null, undefined, daily({ start: '2024-01-01' }), now);
 * // { valid: ['2024-01-01', …, last ended day], missing: [] }
 */
export class AllPartitionsMapping implements PartitionMapping {
  readonly name = 'all-partitions';

  upstreamFor(
    downstreamKey: string | null,
    downstream: PartitionsDefinition | undefined,
    upstream: PartitionsDefinition | undefined,
    now?: Date,
  ): PartitionMappingResult {
    checkMappingKey(downstreamKey, downstream, 'downstream', this.name);
    return every(upstream, now);
  }

  downstreamFor(
    upstreamKey: string | null,
    upstream: PartitionsDefinition | undefined,
    downstream: PartitionsDefinition | undefined,
    now?: Date,
  ): PartitionMappingResult {
    checkMappingKey(upstreamKey, upstream, 'upstream', this.name);
    return every(downstream, now);
  }
}

function every(other: PartitionsDefinition | undefined, now: Date | undefined): PartitionMappingResult {
  return { valid: other === undefined ? [null] : other.keys(now), missing: [] };
}

const shared = new AllPartitionsMapping();

/**
 * The all-partitions mapping: each partition reads the whole other side.
 *
 * @example
 * allPartitionsMapping().downstreamFor('2024-01-05', days, undefined); // { valid: [null], missing: [] }
 */
export function allPartitionsMapping(): AllPartitionsMapping {
  return shared;
}
