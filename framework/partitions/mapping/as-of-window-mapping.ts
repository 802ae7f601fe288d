import { ShopflowError } from '../../errors/error-catalog.js';
import type {
  PartitionMapping,
  PartitionMappingResult,
  PartitionsDefinition,
} from '../partitions-definition.js';
import { AllPartitionsMapping } from './all-partitions-mapping.js';

const DAY_MS = 86_400_000;

/**
 * A time-window partition reads an unpartitioned, time-indexed upstream (SCD2 versions, profile
 * changes) only as it is effective before the partition's window end plus `lookaheadDays`. The
 * upstream tells, each time it is materialized, from which instant on its content changed
 * (`changedFrom` on the asset, or `materialized({ changedFrom })`); a partition whose window ends
 * (plus the lookahead) at or before every change since it last ran is not stale, and is skipped at
 * run time when the upstream is re-materialized in the same run. Without that information the
 * mapping behaves like {@link AllPartitionsMapping}: any new version makes every partition stale.
 *
 * @example
 * partitionMappings: { customers: asOfWindowMapping({ lookaheadDays: 3 }) }
 */
export class AsOfWindowMapping implements PartitionMapping {
  readonly name = 'as-of-window';
  readonly #all = new AllPartitionsMapping();

  constructor(readonly lookaheadDays: number) {
    if (!Number.isInteger(lookaheadDays) || lookaheadDays < 0) {
      throw new ShopflowError(
        'SF_INVALID_ASSET',
        `as-of mapping lookahead ${lookaheadDays} is not a day count`,
        {
          hint: 'use a whole number of days ≥ 0, e.g. { lookaheadDays: 3 }',
        },
      );
    }
  }

  /**
   * The instant up to which the partition with window end `end` reads the upstream (exclusive);
   * lookahead days are 24 hours.
   */
  readsUntil(end: Date): number {
    return end.getTime() + this.lookaheadDays * DAY_MS;
  }

  upstreamFor(
    downstreamKey: string | null,
    downstream: PartitionsDefinition | undefined,
    upstream: PartitionsDefinition | undefined,
    now?: Date,
  ): PartitionMappingResult {
    return this.#all.upstreamFor(downstreamKey, downstream, upstream, now);
  }

  downstreamFor(
    upstreamKey: string | null,
    upstream: PartitionsDefinition | undefined,
    downstream: PartitionsDefinition | undefined,
    now?: Date,
  ): PartitionMappingResult {
    return this.#all.downstreamFor(upstreamKey, upstream, downstream, now);
  }
}

/**
 * The as-of-window mapping (see {@link AsOfWindowMapping}).
 *
 * @example
 * asOfWindowMapping({ lookaheadDays: 3 })
 */
export function asOfWindowMapping(options: { lookaheadDays?: number } = {}): AsOfWindowMapping {
  return new AsOfWindowMapping(options.lookaheadDays ?? 0);
}
