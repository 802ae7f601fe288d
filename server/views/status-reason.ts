import { type AssetStatusSummary, describeReasons, type RootCause } from '../../framework/index.js';

/** Where a stale asset's staleness starts, for a link on the page. */
export interface RootCauseView {
  assetKey: string;
  partitionKey: string | null;
  hops: number;
  message: string;
}

/** The root cause as the page links to it. */
export function rootCauseView(cause: RootCause | null): RootCauseView | null {
  return cause
    ? { assetKey: cause.assetKey, partitionKey: cause.partitionKey, hops: cause.hops, message: cause.message }
    : null;
}

/**
 * One sentence for why an asset is not fresh: the root cause when it lies upstream, else the
 * reasons of the first partition to materialize; a partitioned asset names that partition and how
 * many others there are. Empty when fresh.
 *
 * @example
 * statusReason(summary, true) // '2024-01-05: never materialized (1 of 7 partitions to materialize)'
 * statusReason(summary, true) // '2024-01-04: readings[2024-01-04] has new data (1 hop up) (1 of 7 …)'
 */
export function statusReason(summary: AssetStatusSummary | undefined, partitioned: boolean): string {
  if (!summary || summary.status === 'fresh') return '';
  const text = summary.rootCause ? summary.rootCause.message : describeReasons(summary.reasons);
  const first = summary.plannedPartitions[0];
  if (!partitioned || first === null || first === undefined) return text;
  return `${first}: ${text} (${summary.planned} of ${summary.partitions} partitions to materialize)`;
}
