import type { AnyAsset } from '../definitions/define-asset.js';
import { ShopflowError } from '../errors/error-catalog.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import type { AssetPartitionState } from '../instance/instance-store.js';
import { formatAssetPartition } from '../keys/asset-key.js';
import { AllPartitionsMapping } from '../partitions/mapping/all-partitions-mapping.js';
import type { PartitionMapping, PartitionsDefinition } from '../partitions/partitions-definition.js';
import { dateInZone } from '../partitions/zoned-time.js';
import { AssetStateIndex } from './asset-state-index.js';
import { ListBuffer } from './list-buffer.js';
import { MAX_NAMED_UPSTREAMS, NamedUpstreams } from './named-upstreams.js';
import { RecordedInputs } from './recorded-inputs.js';
import type { StalenessReason } from './staleness-reason.js';

/** Which partitions to consider: explicit keys or an inclusive range. */
export type PartitionFilter = { keys: string[] } | { from: string; to: string };

/** One (asset, partition) to materialize. Plain data: it can be handed to any worker. */
export interface PlanStep {
  /** `asset` or `asset[partition]`. */
  key: string;
  assetKey: string;
  partitionKey: string | null;
  reasons: StalenessReason[];
  /** Keys of the steps in this plan that must finish first. */
  dependsOn: string[];
  /** Upstream partitions that are neither materialized nor in the plan: the step cannot run. */
  blockedBy: string[];
}

export interface Plan {
  selection: string;
  partitions: PartitionFilter | null;
  createdAt: string;
  /** Topological order, alphabetical tie-breaks. */
  steps: PlanStep[];
  /** Asset partitions of the selection that are up to date. */
  upToDate: number;
  /** Asset keys the selection resolved to. */
  assets: string[];
}

export interface PlanInput {
  graph: AssetGraph;
  states: Iterable<AssetPartitionState> | AssetStateIndex;
  /** Asset keys to consider (already resolved from a selection expression), any order. */
  assetKeys: string[];
  selection?: string;
  partitions?: PartitionFilter | null;
  now?: Date;
  /** Plan every targeted partition, stale or not. */
  force?: boolean;
}

/** The partition keys of `definition` that a filter selects, across cadences. */
export function partitionsForFilter(
  definition: PartitionsDefinition,
  filter: PartitionFilter | null | undefined,
  now: Date,
): string[] {
  if (!filter) return definition.keys(now);
  if ('keys' in filter) {
    if (filter.keys.every((key) => definition.has(key, now))) return filter.keys;
    if (definition.kind !== 'time-window') return filter.keys.filter((key) => definition.has(key, now));
    for (const key of filter.keys) if (!isCalendarDate(key)) definition.validate(key, now);
    const sorted = [...filter.keys].sort();
    return overlapping(definition, definition.keys(now), sorted[0], sorted[sorted.length - 1]);
  }
  if (filter.from > filter.to) {
    throw new ShopflowError(
      'SF_BAD_PARTITION_RANGE',
      `partition range ${filter.from} … ${filter.to} is reversed`,
      {
        hint: `swap them: --from ${filter.to} --to ${filter.from}`,
      },
    );
  }
  if (definition.kind === 'static')
    return definition.keys(now).filter((k) => k >= filter.from && k <= filter.to);
  for (const key of [filter.from, filter.to]) if (!isCalendarDate(key)) definition.validate(key, now);
  return overlapping(definition, definition.keys(now), filter.from, filter.to);
}

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

// NOTE: time-window keys are window start dates, so string comparison is date comparison; a
// window overlaps [from, to] when it starts on or before `to` and the next window starts after `from`.
function overlapping(definition: PartitionsDefinition, keys: string[], from: string, to: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const end = keys[i + 1] ?? lastWindowEnd(definition, keys[i]);
    if (keys[i] <= to && end > from) out.push(keys[i]);
  }
  return out;
}

function lastWindowEnd(definition: PartitionsDefinition, key: string): string {
  const end = definition.partition(key).end;
  const timezone = (definition as { timezone?: string }).timezone ?? 'UTC';
  return end ? dateInZone(end, timezone) : '9999-12-31';
}

function validateFilter(
  graph: AssetGraph,
  assets: AnyAsset[],
  filter: PartitionFilter | null | undefined,
  now: Date,
) {
  if (!filter) return;
  const partitioned = assets.filter((a) => a.partitions);
  if (partitioned.length === 0) {
    throw new ShopflowError(
      'SF_BAD_PARTITION',
      'a partition was given but no selected asset is partitioned',
      {
        hint: 'drop --partition/--from/--to, or select partitioned assets',
      },
    );
  }
  const keys = 'keys' in filter ? filter.keys : [filter.from, filter.to];
  const anyAccepts = partitioned.some((a) => partitionsForFilter(a.partitions!, filter, now).length > 0);
  if (!anyAccepts) {
    // Let the first partitioned asset explain what a valid key looks like.
    for (const key of keys) partitioned[0].partitions!.validate(key, now);
    throw new ShopflowError(
      'SF_BAD_PARTITION',
      `no partition of the selected assets matches ${keys.join(' … ')}`,
      {
        hint: `partitions of \`${partitioned[0].key}\`: ${partitioned[0].partitions!.description}`,
      },
    );
  }
  void graph;
}

// NOTE: the text of `formatAssetPartition`, built by `join`, which makes one flat string where a
// template literal makes a tree of three: a plan keeps one per step, half the memory.
function stepKey(assetKey: string, partitionKey: string | null): string {
  return partitionKey === null ? assetKey : [assetKey, '[', partitionKey, ']'].join('');
}

/** One dependency of the asset being planned, resolved once per asset rather than per partition. */
interface Upstream {
  assetKey: string;
  mapping: PartitionMapping;
  partitions: PartitionsDefinition | undefined;
  /** Step keys of the upstream partitions planned so far; undefined when the upstream is not selected. */
  planned: Map<string | null, string> | undefined;
  states: Map<string | null, AssetPartitionState>;
  /** The upstream partitions every partition reads, when they do not depend on the partition. */
  everyPartitionReads: Array<string | null> | undefined;
}

// NOTE: every planned key is a key of the asset's partitions (see `partitionsForFilter`), so the
// all-partitions mapping, the default between partitioned and unpartitioned assets, gives each one
// the same answer: ask once per asset instead of once per partition.
function sameForEveryPartition(
  mapping: PartitionMapping,
  targets: Array<string | null>,
  asset: AnyAsset,
  upstream: PartitionsDefinition | undefined,
  now: Date,
): Array<string | null> | undefined {
  if (targets.length === 0 || !(mapping instanceof AllPartitionsMapping)) return undefined;
  return mapping.upstreamFor(targets[0], asset.partitions, upstream, now).valid;
}

/**
 * Plans a materialization: for every targeted partition of the selected assets, whether it is stale
 * and why; stale partitions make the partitions that read them (within the selection) stale too.
 * The result is deterministic.
 *
 * @example
 * const plan = planMaterialization({ graph, states: await store.listAssetPartitionStates(), assetKeys });
 */
export function planMaterialization(input: PlanInput): Plan {
  const now = input.now ?? new Date();
  const { graph } = input;
  const index = input.states instanceof AssetStateIndex ? input.states : new AssetStateIndex(input.states);
  const wanted = new Set(input.assetKeys);
  const ordered = graph.toposorted().filter((key) => wanted.has(key));
  const assets = ordered.map((key) => graph.get(key));
  validateFilter(graph, assets, input.partitions, now);

  // NOTE: a planned partition's step key doubles as the label downstream steps list in `dependsOn`,
  // so a plan formats each label once, however many partitions read it.
  const planned = new Map<string, Map<string | null, string>>();
  const steps: PlanStep[] = [];
  let upToDate = 0;
  const dependsOn = new ListBuffer<string>();
  const blockedBy = new ListBuffer<string>();
  const changed = new ListBuffer<string>();
  const reasons = new ListBuffer<StalenessReason>();
  const changedSentence = new NamedUpstreams(
    (names) => `upstream ${names} has new data since the last materialization`,
  );
  const plannedSentence = new NamedUpstreams((names) => `upstream ${names} will be re-materialized first`);

  for (const asset of assets) {
    const targets: Array<string | null> = asset.partitions
      ? partitionsForFilter(asset.partitions, input.partitions, now)
      : [null];
    const plannedHere = new Map<string | null, string>();
    planned.set(asset.key, plannedHere);
    const own = index.partitionsOf(asset.key);
    const upstreams: Upstream[] = graph.upstream(asset.key).map((dep) => {
      const partitions = graph.get(dep.assetKey).partitions;
      return {
        assetKey: dep.assetKey,
        mapping: dep.mapping,
        partitions,
        planned: planned.get(dep.assetKey),
        states: index.partitionsOf(dep.assetKey),
        everyPartitionReads: sameForEveryPartition(dep.mapping, targets, asset, partitions, now),
      };
    });

    for (const partitionKey of targets) {
      const state = own.get(partitionKey);
      const hasData = state?.materializationId != null;
      let changedCount = 0;
      let recorded: RecordedInputs | undefined;
      dependsOn.clear();
      blockedBy.clear();
      changed.clear();

      for (const upstream of upstreams) {
        const reads =
          upstream.everyPartitionReads ??
          upstream.mapping.upstreamFor(partitionKey, asset.partitions, upstream.partitions, now).valid;
        for (const upstreamKey of reads) {
          const stepKey = upstream.planned?.get(upstreamKey);
          if (stepKey !== undefined) {
            dependsOn.push(stepKey);
            continue;
          }
          const upstreamState = upstream.states.get(upstreamKey);
          if (upstreamState?.materializationId == null) {
            blockedBy.push(formatAssetPartition(upstream.assetKey, upstreamKey));
            continue;
          }
          if (!hasData) continue;
          recorded ??= new RecordedInputs(state!.inputs);
          if (recorded.versionOf(upstream.assetKey, upstreamKey) === upstreamState.dataVersion) continue;
          if (changedCount++ < MAX_NAMED_UPSTREAMS) {
            changed.push(formatAssetPartition(upstream.assetKey, upstreamKey));
          }
        }
      }

      reasons.clear();
      if (input.force) reasons.push({ code: 'forced', message: 'forced by the user' });
      if (!hasData) reasons.push({ code: 'missing', message: 'never materialized' });
      else if (state!.codeVersion !== asset.codeVersion) {
        reasons.push({
          code: 'code_version_changed',
          message: `code version changed from ${state!.codeVersion} to ${asset.codeVersion}`,
          from: state!.codeVersion ?? '',
          to: asset.codeVersion,
        });
      }
      if (state?.lastAttemptStatus === 'failed') {
        reasons.push({
          code: 'failed',
          message: `last attempt failed${state.lastRunId ? ` in run ${state.lastRunId.slice(0, 8)}` : ''}${state.lastError ? `: ${state.lastError}` : ''}`,
          runId: state.lastRunId,
          error: state.lastError,
        });
      }
      if (changedCount > 0) {
        reasons.push({
          code: 'upstream_changed',
          message: changedSentence.describe(changed, changedCount),
          upstream: changed.at(0),
        });
      }
      if (dependsOn.length > 0 && hasData) {
        reasons.push({
          code: 'upstream_planned',
          message: plannedSentence.describe(dependsOn, dependsOn.length),
          upstream: dependsOn.at(0),
        });
      }
      if (hasData && asset.freshness && state!.materializedAt) {
        const lagMinutes = (now.getTime() - Date.parse(state!.materializedAt)) / 60_000;
        if (lagMinutes > asset.freshness.maxLagMinutes) {
          reasons.push({
            code: 'overdue',
            message: `last materialized ${Math.round(lagMinutes)} min ago, more than the allowed ${asset.freshness.maxLagMinutes} min`,
            lagMinutes: Math.round(lagMinutes),
            maxLagMinutes: asset.freshness.maxLagMinutes,
          });
        }
      }

      if (reasons.length === 0) {
        upToDate++;
        continue;
      }
      const key = stepKey(asset.key, partitionKey);
      plannedHere.set(partitionKey, key);
      steps.push({
        key,
        assetKey: asset.key,
        partitionKey,
        reasons: reasons.toArray(),
        dependsOn: dependsOn.toArray(),
        blockedBy: blockedBy.toArray(),
      });
    }
  }
  return {
    selection: input.selection ?? input.assetKeys.join(','),
    partitions: input.partitions ?? null,
    createdAt: now.toISOString(),
    steps,
    upToDate,
    assets: ordered,
  };
}
