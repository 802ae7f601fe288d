import { parseAssetPartition } from '../keys/asset-key.js';
import type { PlanStep } from './plan-materialization.js';
import type { StalenessReason } from './staleness-reason.js';

/** Where a chain of "upstream will be re-materialized first" starts, and what happened there. */
export interface RootCause {
  assetKey: string;
  partitionKey: string | null;
  /** `new_data` for an upstream partition that has newer data, else the root step's own reason. */
  code: 'new_data' | Exclude<StalenessReason['code'], 'upstream_planned' | 'upstream_changed'>;
  /** How many dependency hops up from the step it is (1: a direct upstream). */
  hops: number;
  /** e.g. `source_files[2024-02-10] has new data (3 hops up)`. */
  message: string;
}

const LEADS_ON = new Set<StalenessReason['code']>(['upstream_planned', 'overdue', 'forced']);
const MAX_HOPS = 10_000;

function hopsText(hops: number): string {
  return `${hops} hop${hops === 1 ? '' : 's'} up`;
}

/**
 * Why a step is stale at the root: follows its "upstream will be re-materialized first" reasons up
 * the plan to the step that is stale for a reason of its own, and names that (an upstream
 * partition with new data, a partition never materialized, a code version change, a failure).
 * Null when the step is stale for a reason of its own already, or only overdue or forced.
 *
 * @example
 * rootCauseOf(plan.steps.find((s) => s.key === 'fact_sales[2024-02-10]')!, stepsByKey)
 * // { assetKey: 'source_files', partitionKey: '2024-02-10', code: 'new_data', hops: 3,
 * //   message: 'source_files[2024-02-10] has new data (3 hops up)' }
 */
export function rootCauseOf(step: PlanStep, stepsByKey: ReadonlyMap<string, PlanStep>): RootCause | null {
  let current = step;
  for (let hops = 0; hops < MAX_HOPS; hops++) {
    const own = current.reasons.find((r) => !LEADS_ON.has(r.code));
    if (own?.code === 'upstream_changed') {
      const { assetKey, partitionKey } = parseAssetPartition(own.upstream);
      return {
        assetKey,
        partitionKey,
        code: 'new_data',
        hops: hops + 1,
        message: `${own.upstream} has new data (${hopsText(hops + 1)})`,
      };
    }
    if (own) {
      if (hops === 0) return null;
      return {
        assetKey: current.assetKey,
        partitionKey: current.partitionKey,
        code: own.code as RootCause['code'],
        hops,
        message: `${current.key}: ${own.message} (${hopsText(hops)})`,
      };
    }
    const planned = current.reasons.find((r) => r.code === 'upstream_planned');
    const next = planned ? stepsByKey.get(planned.upstream) : undefined;
    if (!next) return null;
    current = next;
  }
  return null;
}
