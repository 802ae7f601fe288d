import { type AssetStatusSummary, describeReasons } from '../../framework/index.js';

/**
 * One sentence for why an asset is not fresh, naming the first stale partition of a partitioned
 * asset and how many others there are; empty when fresh.
 *
 * @example
 * statusReason(summary, true) // '2024-01-05: never materialized (1 of 7 partitions to materialize)'
 */
export function statusReason(summary: AssetStatusSummary | undefined, partitioned: boolean): string {
  if (!summary || summary.status === 'fresh') return '';
  const text = describeReasons(summary.reasons);
  const first = summary.stalePartitions[0];
  if (!partitioned || first === null || first === undefined) return text;
  return `${first}: ${text} (${summary.stale} of ${summary.partitions} partitions to materialize)`;
}
