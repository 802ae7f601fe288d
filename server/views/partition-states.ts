import { type AssetStatusReport, describeReasons, type PartitionStatus } from '../../framework/index.js';
import { type RootCauseView, rootCauseView } from './status-reason.js';

/** One cell of the partition heat strip. */
export interface PartitionCell {
  /** The partition key, null for an unpartitioned asset. */
  key: string | null;
  state: PartitionStatus;
  /** Whether it has data; a stale partition has. */
  materialized: boolean;
  /** Why a run would materialize it (empty when fresh). */
  reason: string;
  rootCause: RootCauseView | null;
  materializedAt: string | null;
  rowCount: number | null;
}

/**
 * The state of every partition of one asset, from the status report (the plan of everything).
 *
 * @example
 * partitionCells((await statusCache.get()).report, 'daily_stats')
 */
export function partitionCells(report: AssetStatusReport, assetKey: string): PartitionCell[] {
  return report.partitions(assetKey).map((p) => ({
    key: p.partitionKey,
    state: p.status,
    materialized: p.materialized,
    reason: p.rootCause ? p.rootCause.message : describeReasons(p.reasons),
    rootCause: rootCauseView(p.rootCause),
    materializedAt: p.materializedAt,
    rowCount: p.rowCount,
  }));
}
