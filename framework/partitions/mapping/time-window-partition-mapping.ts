import { ShopflowError } from '../../errors/error-catalog.js';
import type {
  PartitionMapping,
  PartitionMappingResult,
  PartitionsDefinition,
} from '../partitions-definition.js';
import { TimeWindowPartitions } from '../time-window-partitions.js';
import { checkMappingKey, describePartitions } from './mapping-sides.js';

/**
 * Connects two time-window definitions of any cadences and zones: a partition reads every window
 * on the other side that overlaps its own window. A week reads its 7 days, a month its days (or the
 * weeks touching it), a day in reverse feeds the week or month containing it; the same cadence
 * maps a window to itself. Overlapping windows that the other side does not have at `now` (before
 * its start, not yet ended) are reported in `missing`.
 *
 * @example
 * const days = daily({ start: '2024-01-03' }); // a Wednesday
 * const weeks = weekly({ start: '2024-01-01' });
 * timeWindowPartitionMapping().upstreamFor('2024-01-01', weeks, days, now);
 * // { valid: ['2024-01-03', …, '2024-01-07'], missing: ['2024-01-01', '2024-01-02'] }
 */
export class TimeWindowPartitionMapping implements PartitionMapping {
  readonly name = 'time-window';

  upstreamFor(
    downstreamKey: string | null,
    downstream: PartitionsDefinition | undefined,
    upstream: PartitionsDefinition | undefined,
    now: Date = new Date(),
  ): PartitionMappingResult {
    const [from, to] = bothTimeWindows(upstream, downstream, 'downstream');
    checkMappingKey(downstreamKey, from, 'downstream', this.name);
    if (sameWindows(from, to)) return sameKey(to, downstreamKey as string, now);
    return overlapping(to, from.partition(downstreamKey as string), now);
  }

  downstreamFor(
    upstreamKey: string | null,
    upstream: PartitionsDefinition | undefined,
    downstream: PartitionsDefinition | undefined,
    now: Date = new Date(),
  ): PartitionMappingResult {
    const [from, to] = bothTimeWindows(upstream, downstream, 'upstream');
    checkMappingKey(upstreamKey, from, 'upstream', this.name);
    if (sameWindows(from, to)) return sameKey(to, upstreamKey as string, now);
    return overlapping(to, from.partition(upstreamKey as string), now);
  }
}

// NOTE: the planner maps hundreds of thousands of daily partitions onto daily partitions; when both
// sides cut time into the same windows, the window of a key is the key itself.
function sameWindows(a: TimeWindowPartitions, b: TimeWindowPartitions): boolean {
  return (
    a === b || (a.cadence === b.cadence && a.timezone === b.timezone && a.weekStartsOn === b.weekStartsOn)
  );
}

function sameKey(other: TimeWindowPartitions, key: string, now: Date): PartitionMappingResult {
  return other.has(key, now) ? { valid: [key], missing: [] } : { valid: [], missing: [key] };
}

function overlapping(
  other: TimeWindowPartitions,
  window: { start?: Date; end?: Date },
  now: Date,
): PartitionMappingResult {
  const valid: string[] = [];
  const missing: string[] = [];
  for (const key of other.keysOverlapping(window)) (other.has(key, now) ? valid : missing).push(key);
  return { valid, missing };
}

/** `[the side the key belongs to, the other side]`, both time windows. */
function bothTimeWindows(
  upstream: PartitionsDefinition | undefined,
  downstream: PartitionsDefinition | undefined,
  keySide: 'upstream' | 'downstream',
): [TimeWindowPartitions, TimeWindowPartitions] {
  if (upstream instanceof TimeWindowPartitions && downstream instanceof TimeWindowPartitions) {
    return keySide === 'downstream' ? [downstream, upstream] : [upstream, downstream];
  }
  const eitherUnpartitioned = upstream === undefined || downstream === undefined;
  throw new ShopflowError(
    'SF_PARTITIONS_MISMATCH',
    `the time-window partition mapping cannot connect upstream ${describePartitions(upstream)} to downstream ${describePartitions(downstream)}: it needs time-window partitions on both sides`,
    {
      hint: eitherUnpartitioned
        ? 'declare allPartitionsMapping() to read every upstream partition'
        : 'declare allPartitionsMapping() to read every upstream partition, or write a PartitionMapping',
    },
  );
}

const shared = new TimeWindowPartitionMapping();

/**
 * The time-window mapping: overlapping windows, for roll-ups (day → week → month) and same-cadence links.
 *
 * @example
 * timeWindowPartitionMapping().downstreamFor('2024-01-10', days, weeks, now); // the week of 2024-01-08
 */
export function timeWindowPartitionMapping(): TimeWindowPartitionMapping {
  return shared;
}
