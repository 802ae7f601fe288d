import type { AnyAsset } from '../definitions/define-asset.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import type { AssetPartitionState } from '../instance/instance-store.js';
import { formatAssetPartition } from '../keys/asset-key.js';
import { AllPartitionsMapping } from '../partitions/mapping/all-partitions-mapping.js';
import { AsOfWindowMapping } from '../partitions/mapping/as-of-window-mapping.js';
import { IdentityPartitionMapping } from '../partitions/mapping/identity-partition-mapping.js';
import { TimeWindowPartitionMapping } from '../partitions/mapping/time-window-partition-mapping.js';
import type { PartitionMapping, PartitionsDefinition } from '../partitions/partitions-definition.js';
import type { AssetStateIndex } from './asset-state-index.js';
import type { ChangeLog } from './change-log.js';
import type { PlannedSteps } from './planned-steps.js';

/** One upstream partition a partition reads, looked up in the plan so far and in the states. */
export interface UpstreamRead {
  partitionKey: string | null;
  /** The step that materializes it in this plan, if any. */
  stepKey: string | undefined;
  state: AssetPartitionState | undefined;
  /** `asset[partition]` when it is neither planned nor materialized (for `blockedBy`). */
  label: string | undefined;
}

/** What the partitions of the asset being planned read from one of its dependencies. */
export interface UpstreamReads {
  assetKey: string;
  mapping: PartitionMapping;
  partitions: PartitionsDefinition | undefined;
  /** Step keys of the upstream partitions planned so far; undefined when the upstream is not selected. */
  planned: PlannedSteps | undefined;
  states: Map<string | null, AssetPartitionState>;
  /** What every partition reads, when that does not depend on the partition. */
  same: UpstreamRead[] | undefined;
  /**
   * Each partition reads the upstream partition of the same key: both sides share one partitions
   * definition and the mapping maps a key to itself, so the targets need no mapping.
   */
  sameKey: boolean;
  /**
   * The upstream is written outside of plans (`writtenBy`): a partition it has not written is
   * absent for the reader, neither awaited nor blocking.
   */
  external: boolean;
  /** Set when the partitions read the upstream as of their window end (see {@link AsOfWindowMapping}). */
  asOf: { mapping: AsOfWindowMapping; log: ChangeLog | undefined } | undefined;
}

/**
 * The dependencies of `asset` as its partitions `targets` read them, given the steps planned so far
 * (by asset, then partition) and the states.
 *
 * @example
 * const upstreams = upstreamReadsOf(graph, asset, targets, planned, index, now);
 */
export function upstreamReadsOf(
  graph: AssetGraph,
  asset: AnyAsset,
  targets: ReadonlyArray<string | null>,
  planned: ReadonlyMap<string, PlannedSteps>,
  index: AssetStateIndex,
  now: Date,
  changeLogs?: ReadonlyMap<string, ChangeLog>,
): UpstreamReads[] {
  return graph.upstream(asset.key).map((dep) => {
    const upstream: UpstreamReads = {
      assetKey: dep.assetKey,
      mapping: dep.mapping,
      partitions: graph.get(dep.assetKey).partitions,
      planned: planned.get(dep.assetKey),
      states: index.partitionsOf(dep.assetKey),
      same: undefined,
      sameKey:
        asset.partitions !== undefined &&
        graph.get(dep.assetKey).partitions === asset.partitions &&
        (dep.mapping instanceof TimeWindowPartitionMapping ||
          dep.mapping instanceof IdentityPartitionMapping),
      external: graph.get(dep.assetKey).writtenBy !== undefined,
      asOf:
        dep.mapping instanceof AsOfWindowMapping && asset.partitions?.kind === 'time-window'
          ? { mapping: dep.mapping, log: changeLogs?.get(dep.assetKey) }
          : undefined,
    };
    // NOTE: every planned key is a key of the asset's partitions (see `partitionsForFilter`), so the
    // all-partitions mapping, the default between partitioned and unpartitioned assets, gives each
    // the same answer: it is asked, and its answer looked up, once per asset instead of per partition.
    if (
      targets.length > 1 &&
      (dep.mapping instanceof AllPartitionsMapping || dep.mapping instanceof AsOfWindowMapping)
    ) {
      const keys = dep.mapping.upstreamFor(targets[0], asset.partitions, upstream.partitions, now).valid;
      upstream.same = [];
      for (const key of keys) {
        const stepKey = upstream.planned?.get(key);
        const state = stepKey === undefined ? upstream.states.get(key) : undefined;
        const blocked = stepKey === undefined && state?.materializationId == null;
        if (blocked && upstream.external) continue;
        upstream.same.push({
          partitionKey: key,
          stepKey,
          state,
          label: blocked ? formatAssetPartition(dep.assetKey, key) : undefined,
        });
      }
    }
    return upstream;
  });
}
