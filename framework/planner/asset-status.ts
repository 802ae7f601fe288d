import type { AssetGraph } from '../graph/asset-graph.js';
import type { AssetPartitionState } from '../instance/instance-store.js';
import { AssetStateIndex } from './asset-state-index.js';
import type { ChangeLog } from './change-log.js';
import { planMaterialization } from './plan-materialization.js';
import type { StalenessReason } from './staleness-reason.js';

export type AssetStatus = 'fresh' | 'stale' | 'missing' | 'failed' | 'running' | 'overdue';

export interface AssetStatusSummary {
  assetKey: string;
  status: AssetStatus;
  /** Partitions that exist now (1 for an unpartitioned asset). */
  partitions: number;
  materialized: number;
  stale: number;
  failed: number;
  running: number;
  lastMaterializedAt: string | null;
  /** Reasons of the first stale partition, for a tooltip. */
  reasons: StalenessReason[];
  /** Stale partition keys (first 50). */
  stalePartitions: Array<string | null>;
}

/**
 * The status of every asset, as `shopflow assets` and the web page show it: running beats failed,
 * failed beats missing (nothing materialized), missing beats stale, stale beats overdue.
 */
export function summarizeAssetStatus(
  graph: AssetGraph,
  states: AssetPartitionState[],
  now: Date = new Date(),
  /** Change logs of as-of-window upstreams (`loadChangeLogs`), so statuses agree with plans. */
  changeLogs?: ReadonlyMap<string, ChangeLog>,
): Map<string, AssetStatusSummary> {
  const index = new AssetStateIndex(states);
  const plan = planMaterialization({ graph, states: index, assetKeys: graph.keys, now, changeLogs });
  const stepsByAsset = new Map<string, typeof plan.steps>();
  for (const step of plan.steps) {
    const list = stepsByAsset.get(step.assetKey) ?? [];
    list.push(step);
    stepsByAsset.set(step.assetKey, list);
  }
  const out = new Map<string, AssetStatusSummary>();
  for (const asset of graph.assets) {
    const partitions = asset.partitions ? asset.partitions.keys(now).length : 1;
    const own = [...index.partitionsOf(asset.key).values()];
    const materialized = own.filter((s) => s.materializationId).length;
    const failed = own.filter((s) => s.lastAttemptStatus === 'failed').length;
    const running = own.filter((s) => s.lastAttemptStatus === 'running').length;
    const steps = stepsByAsset.get(asset.key) ?? [];
    const lastMaterializedAt = own.reduce<string | null>(
      (latest, s) => (s.materializedAt && (!latest || s.materializedAt > latest) ? s.materializedAt : latest),
      null,
    );
    const onlyOverdue = steps.length > 0 && steps.every((s) => s.reasons.every((r) => r.code === 'overdue'));
    const status: AssetStatus =
      running > 0
        ? 'running'
        : failed > 0
          ? 'failed'
          : materialized === 0
            ? 'missing'
            : steps.length === 0
              ? 'fresh'
              : onlyOverdue
                ? 'overdue'
                : 'stale';
    out.set(asset.key, {
      assetKey: asset.key,
      status,
      partitions,
      materialized,
      stale: steps.length,
      failed,
      running,
      lastMaterializedAt,
      reasons: steps[0]?.reasons ?? [],
      stalePartitions: steps.slice(0, 50).map((s) => s.partitionKey),
    });
  }
  return out;
}
