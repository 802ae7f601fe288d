import type { AssetStatusSummary } from '../../framework/index.js';

/**
 * An asset's partitions by status, as the graph, the asset header and the partition legend all
 * show them: `materialized` counts partitions with data (a stale partition is materialized and
 * stale); the statuses add up to `total`; `planned` is what a run of everything would materialize.
 */
export interface PartitionCounts {
  total: number;
  materialized: number;
  fresh: number;
  stale: number;
  overdue: number;
  missing: number;
  failed: number;
  running: number;
  planned: number;
}

export function partitionCounts(summary: AssetStatusSummary | undefined): PartitionCounts {
  return {
    total: summary?.partitions ?? 0,
    materialized: summary?.materialized ?? 0,
    fresh: summary?.fresh ?? 0,
    stale: summary?.stale ?? 0,
    overdue: summary?.overdue ?? 0,
    missing: summary?.missing ?? 0,
    failed: summary?.failed ?? 0,
    running: summary?.running ?? 0,
    planned: summary?.planned ?? 0,
  };
}
