import {
  type AssetGraph,
  type AssetPartitionState,
  type ChangeLog,
  describeReasons,
  planMaterialization,
} from '../../framework/index.js';

export type PartitionState = 'materialized' | 'missing' | 'failed' | 'stale' | 'running';

/** One cell of the partition heat strip. */
export interface PartitionCell {
  /** The partition key, null for an unpartitioned asset. */
  key: string | null;
  state: PartitionState;
  /** Why it is stale, failed or missing (empty when materialized and fresh). */
  reason: string;
  materializedAt: string | null;
  rowCount: number | null;
}

/**
 * The state of every partition of one asset, judged as the planner would judge a run of the asset
 * with all its upstream (so "upstream will be re-materialized" makes a partition stale, as it does
 * in the asset's status).
 *
 * @example
 * partitionStates(runtime.graph, await runtime.store.listAssetPartitionStates(), 'daily_stats', now)
 */
export function partitionStates(
  graph: AssetGraph,
  states: AssetPartitionState[],
  assetKey: string,
  now: Date,
  changeLogs?: ReadonlyMap<string, ChangeLog>,
): PartitionCell[] {
  const asset = graph.get(assetKey);
  const plan = planMaterialization({
    graph,
    states,
    assetKeys: [...graph.ancestors(assetKey), assetKey],
    now,
    changeLogs,
  });
  const steps = new Map(plan.steps.filter((s) => s.assetKey === assetKey).map((s) => [s.partitionKey, s]));
  const own = new Map(states.filter((s) => s.assetKey === assetKey).map((s) => [s.partitionKey, s]));
  const keys: Array<string | null> = asset.partitions ? asset.partitions.keys(now) : [null];
  return keys.map((key) => {
    const state = own.get(key);
    const step = steps.get(key);
    const cell: PartitionState =
      state?.lastAttemptStatus === 'running'
        ? 'running'
        : state?.lastAttemptStatus === 'failed'
          ? 'failed'
          : !state?.materializationId
            ? 'missing'
            : step
              ? 'stale'
              : 'materialized';
    return {
      key,
      state: cell,
      reason: step ? describeReasons(step.reasons) : '',
      materializedAt: state?.materializedAt ?? null,
      rowCount: state?.rowCount ?? null,
    };
  });
}
