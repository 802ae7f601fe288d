import type { AssetGraph } from '../graph/asset-graph.js';
import type { AssetPartitionState, InstanceStore } from '../instance/instance-store.js';
import { AssetStateIndex } from './asset-state-index.js';
import { type ChangeLog, loadChangeLogs } from './change-log.js';
import { isFileCorrupt } from './lake-integrity.js';
import { type Plan, type PlanStep, planMaterialization } from './plan-materialization.js';
import { type RootCause, rootCauseOf } from './root-cause.js';
import type { StalenessReason } from './staleness-reason.js';

export type AssetStatus = 'fresh' | 'stale' | 'missing' | 'failed' | 'running' | 'overdue';

/**
 * The state of one partition; exactly one applies, in this order: `running` (an attempt is in
 * progress), `failed` (the last attempt failed), `missing` (never materialized, or its stored files
 * are missing or damaged: "missing — file corrupt"), `stale`
 * (materialized, and a plan would materialize it again), `overdue` (materialized, planned only
 * because its freshness policy lapsed), `fresh`.
 */
export type PartitionStatus = 'fresh' | 'stale' | 'overdue' | 'missing' | 'failed' | 'running';

/** One partition of an asset as every view shows it. */
export interface PartitionStatusEntry {
  /** Null for an unpartitioned asset. */
  partitionKey: string | null;
  status: PartitionStatus;
  /** Whether it has readable data (a materialization whose files are intact), whatever its status: a stale partition has. */
  materialized: boolean;
  /** Why a plan would materialize it (empty when it would not). */
  reasons: StalenessReason[];
  /** Where its staleness starts, when that is upstream (see {@link rootCauseOf}). */
  rootCause: RootCause | null;
  materializedAt: string | null;
  rowCount: number | null;
}

export interface AssetStatusSummary {
  assetKey: string;
  status: AssetStatus;
  /** Partitions that exist now (1 for an unpartitioned asset). */
  partitions: number;
  /** Partitions with data: fresh, stale and overdue ones, and failed or running ones with older data. */
  materialized: number;
  /** Partitions by {@link PartitionStatus}; they add up to `partitions`. */
  fresh: number;
  stale: number;
  overdue: number;
  missing: number;
  failed: number;
  running: number;
  /** Partitions a plan of everything would materialize (the steps `shopflow plan` lists). */
  planned: number;
  lastMaterializedAt: string | null;
  /** Reasons of the first planned partition. */
  reasons: StalenessReason[];
  /** Root cause of the first planned partition, when it lies upstream. */
  rootCause: RootCause | null;
  /** Keys of the planned partitions (first 50). */
  plannedPartitions: Array<string | null>;
}

/** The status of every asset and partition, and the plan of everything it was read from. */
export interface AssetStatusReport {
  computedAt: Date;
  /** The plan `shopflow plan` makes with no selection: every status below is read from it. */
  plan: Plan;
  statuses: Map<string, AssetStatusSummary>;
  /** Every partition of `assetKey` that exists now, in partition order. */
  partitions(assetKey: string): PartitionStatusEntry[];
}

function partitionStatus(
  state: AssetPartitionState | undefined,
  step: PlanStep | undefined,
): PartitionStatus {
  if (state?.lastAttemptStatus === 'running') return 'running';
  if (state?.lastAttemptStatus === 'failed') return 'failed';
  if (state?.materializationId == null || isFileCorrupt(step?.reasons)) return 'missing';
  if (!step) return 'fresh';
  return step.reasons.every((r) => r.code === 'overdue') ? 'overdue' : 'stale';
}

/**
 * The one computation behind every status ShopFlow shows — `shopflow assets`, the web page's graph,
 * asset pages and partition strips — read from the same plan `shopflow plan` makes of everything,
 * so they cannot disagree. An asset's status: running beats failed, failed beats missing (nothing
 * materialized), missing beats stale, stale beats overdue.
 *
 * @example
 * const report = assessAssetStatus({ graph, states: await store.listPlannerStates(), now });
 * report.statuses.get('daily_stats')?.status; // 'stale'
 * report.partitions('daily_stats')[4];         // { partitionKey: '2024-01-05', status: 'missing', … }
 */
export function assessAssetStatus(input: {
  graph: AssetGraph;
  states: Iterable<AssetPartitionState> | AssetStateIndex;
  now?: Date;
  /** Change logs of as-of-window upstreams (`loadChangeLogs`), as the planner reads them. */
  changeLogs?: ReadonlyMap<string, ChangeLog>;
  /** Changed external inputs by step key (`observeExternalInputs`), as the planner reads them. */
  observed?: ReadonlyMap<string, readonly StalenessReason[]>;
}): AssetStatusReport {
  const { graph } = input;
  const now = input.now ?? new Date();
  const index = input.states instanceof AssetStateIndex ? input.states : new AssetStateIndex(input.states);
  const plan = planMaterialization({
    graph,
    states: index,
    assetKeys: graph.keys,
    selection: '*',
    now,
    changeLogs: input.changeLogs,
    observed: input.observed,
  });
  const stepsByKey = new Map(plan.steps.map((s) => [s.key, s]));
  const stepsByAsset = new Map<string, Map<string | null, PlanStep>>();
  for (const step of plan.steps) {
    let ofAsset = stepsByAsset.get(step.assetKey);
    if (!ofAsset) {
      ofAsset = new Map();
      stepsByAsset.set(step.assetKey, ofAsset);
    }
    ofAsset.set(step.partitionKey, step);
  }
  const cache = new Map<string, PartitionStatusEntry[]>();
  const partitions = (assetKey: string): PartitionStatusEntry[] => {
    const cached = cache.get(assetKey);
    if (cached) return cached;
    const asset = graph.get(assetKey);
    const own = index.partitionsOf(assetKey);
    const steps = stepsByAsset.get(assetKey);
    const keys: Array<string | null> = asset.partitions ? asset.partitions.keys(now) : [null];
    const entries = keys.map((partitionKey): PartitionStatusEntry => {
      const state = own.get(partitionKey);
      const step = steps?.get(partitionKey);
      return {
        partitionKey,
        status: partitionStatus(state, step),
        materialized: state?.materializationId != null && !isFileCorrupt(step?.reasons),
        reasons: step?.reasons ?? [],
        rootCause: step ? rootCauseOf(step, stepsByKey) : null,
        materializedAt: state?.materializedAt ?? null,
        rowCount: state?.rowCount ?? null,
      };
    });
    cache.set(assetKey, entries);
    return entries;
  };

  const statuses = new Map<string, AssetStatusSummary>();
  for (const asset of graph.assets) {
    const counts = { fresh: 0, stale: 0, overdue: 0, missing: 0, failed: 0, running: 0 };
    let materialized = 0;
    let lastMaterializedAt: string | null = null;
    const own = index.partitionsOf(asset.key);
    const steps = stepsByAsset.get(asset.key);
    const keys: Array<string | null> = asset.partitions ? asset.partitions.keys(now) : [null];
    for (const key of keys) {
      const state = own.get(key);
      const step = steps?.get(key);
      counts[partitionStatus(state, step)]++;
      if (state?.materializationId != null && !isFileCorrupt(step?.reasons)) {
        materialized++;
        const at = state.materializedAt;
        if (at && (!lastMaterializedAt || at > lastMaterializedAt)) lastMaterializedAt = at;
      }
    }
    const planned = steps ? [...steps.values()] : [];
    const onlyOverdue =
      planned.length > 0 && planned.every((s) => s.reasons.every((r) => r.code === 'overdue'));
    const status: AssetStatus =
      counts.running > 0
        ? 'running'
        : counts.failed > 0
          ? 'failed'
          : materialized === 0
            ? 'missing'
            : planned.length === 0
              ? 'fresh'
              : onlyOverdue
                ? 'overdue'
                : 'stale';
    statuses.set(asset.key, {
      assetKey: asset.key,
      status,
      partitions: keys.length,
      materialized,
      ...counts,
      planned: planned.length,
      lastMaterializedAt,
      reasons: planned[0]?.reasons ?? [],
      rootCause: planned[0] ? rootCauseOf(planned[0], stepsByKey) : null,
      plannedPartitions: planned.slice(0, 50).map((s) => s.partitionKey),
    });
  }
  return { computedAt: now, plan, statuses, partitions };
}

/**
 * Reads the states and change logs from the instance store exactly as `ShopflowRuntime.plan`
 * does, and assesses them (see {@link assessAssetStatus}).
 *
 * @example
 * const report = await loadAssetStatus(runtime.store, runtime.graph, runtime.services.now());
 */
export async function loadAssetStatus(
  store: InstanceStore,
  graph: AssetGraph,
  now: Date,
  options: {
    /** Observes external inputs (e.g. `ShopflowRuntime.observeInputs`), so statuses agree with plans. */
    observe?: (states: AssetStateIndex) => Promise<ReadonlyMap<string, readonly StalenessReason[]>>;
  } = {},
): Promise<AssetStatusReport> {
  const states = new AssetStateIndex(await store.listPlannerStates());
  const changeLogs = await loadChangeLogs(store, graph);
  const observed = await options.observe?.(states);
  return assessAssetStatus({ graph, states, now, changeLogs, observed });
}

/**
 * The status of every asset (see {@link assessAssetStatus}).
 *
 * @example
 * summarizeAssetStatus(graph, await store.listPlannerStates(), now).get('daily_stats')?.status
 */
export function summarizeAssetStatus(
  graph: AssetGraph,
  states: AssetPartitionState[],
  now: Date = new Date(),
  /** Change logs of as-of-window upstreams (`loadChangeLogs`), so statuses agree with plans. */
  changeLogs?: ReadonlyMap<string, ChangeLog>,
): Map<string, AssetStatusSummary> {
  return assessAssetStatus({ graph, states, now, changeLogs }).statuses;
}
