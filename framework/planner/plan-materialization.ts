import type { AnyAsset } from '../definitions/define-asset.js';
import { ShopflowError } from '../errors/error-catalog.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import type { AssetPartitionState } from '../instance/instance-store.js';
import type { AsOfWindowMapping } from '../partitions/mapping/as-of-window-mapping.js';
import type { PartitionsDefinition } from '../partitions/partitions-definition.js';
import { dateInZone } from '../partitions/zoned-time.js';
import { AssetStateIndex } from './asset-state-index.js';
import { type ChangeLog, changedSince } from './change-log.js';
import { PartitionScan } from './partition-scan.js';
import { PlannedSteps, PlanTargets } from './planned-steps.js';
import { readWindow, startsBefore } from './read-window.js';
import type { StalenessReason } from './staleness-reason.js';
import { type UpstreamReads, upstreamReadsOf } from './upstream-reads.js';

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
  /**
   * Plan every targeted partition, stale or not (`true`), or these targeted `asset[partition]`
   * steps (e.g. the partitions a re-delivered file feeds; the rest is planned only when stale).
   */
  force?: boolean | string[];
  /**
   * Change logs of the assets read through as-of-window mappings (`loadChangeLogs`); without one,
   * any new version of such an upstream makes every partition reading it stale.
   */
  changeLogs?: ReadonlyMap<string, ChangeLog>;
  /**
   * Reasons found outside the instance store, by step key (`asset[partition]`): external inputs
   * that changed since they were read (`observeExternalInputs`).
   */
  observed?: ReadonlyMap<string, readonly StalenessReason[]>;
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
  // NOTE: a key that cannot exist (2026-13-01) is named as such before the order is checked, so the
  // hint never suggests swapping in an impossible key.
  if (definition.kind !== 'static') {
    for (const key of [filter.from, filter.to]) if (!isCalendarDate(key)) definition.validate(key, now);
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

/**
 * Rejects a partition filter that selects nothing among `assets`: `SF_BAD_PARTITION` when none of
 * them is partitioned, or when no partition of any of them matches (naming what a valid key looks
 * like). What `plan` and `materialize` check, and commands that take the same flags (`compact`).
 */
export function validatePartitionFilter(
  assets: AnyAsset[],
  filter: PartitionFilter | null | undefined,
  now: Date,
): void {
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
}

/**
 * For a partition reading an upstream as of its window end: whether a change of that upstream from
 * the version the partition last read to the current one only affects instants it does not read.
 */
function asOfInvisible(
  asOf: { mapping: AsOfWindowMapping; log: ChangeLog | undefined },
  asset: AnyAsset,
  partitionKey: string | null,
): ((recorded: string | undefined, current: string) => boolean) | undefined {
  const end = partitionKey === null ? undefined : asset.partitions?.partition(partitionKey).end;
  return end ? changedOnlyFrom(asOf.log, asOf.mapping.readsUntil(end)) : undefined;
}

/**
 * For an unpartitioned asset with `readsUntil`: its instants (epoch ms) per upstream of `upstreams`,
 * from the upstream partitions materialized or planned so far; undefined without it.
 */
function readWindowOf(
  graph: AssetGraph,
  asset: AnyAsset,
  upstreams: UpstreamReads[],
  now: Date,
): Array<number | undefined> | undefined {
  if (!asset.readsUntil || asset.partitions) return undefined;
  const deps = graph.upstream(asset.key);
  const keysByName: Record<string, string[]> = {};
  upstreams.forEach((upstream, u) => {
    const { valid } = upstream.mapping.upstreamFor(null, undefined, upstream.partitions, now);
    keysByName[deps[u].name] = valid.filter(
      (key): key is string =>
        key !== null &&
        (upstream.planned?.get(key) !== undefined || upstream.states.get(key)?.materializationId != null),
    );
  });
  let window: Map<string, number>;
  try {
    window = readWindow(graph, asset, keysByName)!;
  } catch {
    // NOTE: a failing `readsUntil` leaves the asset compared like any other here; its step
    // fails with the error, so plans and statuses of the other assets still come out.
    return undefined;
  }
  return deps.map((dep) => window.get(dep.name));
}

/** For an upstream read as of `until`: whether its change from `recorded` to `current` starts at or after it. */
function changedOnlyFrom(
  log: ChangeLog | undefined,
  until: number,
): ((recorded: string | undefined, current: string) => boolean) | undefined {
  if (!log) return undefined;
  return (recorded, current) => changedSince(log, recorded, current) >= until;
}

/**
 * Plans a materialization: for every targeted partition of the selected assets, whether it is stale
 * and why; stale partitions make the partitions that read them (within the selection) stale too.
 * The result is deterministic.
 *
 * @example
 * const plan = planMaterialization({ graph, states: await store.listPlannerStates(), assetKeys });
 */
export function planMaterialization(input: PlanInput): Plan {
  const now = input.now ?? new Date();
  const { graph } = input;
  const index = input.states instanceof AssetStateIndex ? input.states : new AssetStateIndex(input.states);
  const wanted = new Set(input.assetKeys);
  const ordered = graph.toposorted().filter((key) => wanted.has(key));
  const assets = ordered.map((key) => graph.get(key));
  validatePartitionFilter(assets, input.partitions, now);

  // NOTE: a planned partition's step key doubles as the label downstream steps list in `dependsOn`,
  // so a plan formats each label once, however many partitions read it.
  const planned = new Map<string, PlannedSteps>();
  const targetsByPartitions = new Map<PartitionsDefinition | undefined, PlanTargets>();
  const steps: PlanStep[] = [];
  let upToDate = 0;
  const scan = new PartitionScan();
  const sameKey: Array<string | null> = [null];
  const options = { force: input.force === true, now };
  const forcedOptions = { force: true, now };
  const forced = Array.isArray(input.force) ? new Set(input.force) : undefined;
  const forcedFound = new Set<string>();

  for (const asset of assets) {
    let planTargets = targetsByPartitions.get(asset.partitions);
    if (!planTargets) {
      planTargets = new PlanTargets(
        asset.partitions ? partitionsForFilter(asset.partitions, input.partitions, now) : [null],
      );
      targetsByPartitions.set(asset.partitions, planTargets);
    }
    const targets = planTargets.keys;
    const plannedHere = new PlannedSteps(planTargets);
    planned.set(asset.key, plannedHere);
    // NOTE: an asset written outside of plans (a stream sink) is never scheduled by one.
    if (asset.writtenBy !== undefined) continue;
    const own = index.partitionsOf(asset.key);
    const upstreams = upstreamReadsOf(graph, asset, targets, planned, index, now, input.changeLogs);
    const window = readWindowOf(graph, asset, upstreams, now);

    for (let t = 0; t < targets.length; t++) {
      const partitionKey = targets[t];
      scan.start(own.get(partitionKey));
      for (let u = 0; u < upstreams.length; u++) {
        const upstream = upstreams[u];
        if (upstream.same) {
          const invisible = upstream.asOf && asOfInvisible(upstream.asOf, asset, partitionKey);
          for (let r = 0; r < upstream.same.length; r++) {
            const read = upstream.same[r];
            scan.read(upstream.assetKey, read.partitionKey, read.stepKey, read.state, read.label, invisible);
          }
          continue;
        }
        // NOTE: a target of a definition is a key it has (see `partitionsForFilter`), so a mapping
        // of a key to itself reads that key; its position among the targets is the same upstream.
        let valid: ReadonlyArray<string | null>;
        if (upstream.sameKey) {
          sameKey[0] = partitionKey;
          valid = sameKey;
        } else {
          valid = upstream.mapping.upstreamFor(
            partitionKey,
            asset.partitions,
            upstream.partitions,
            now,
          ).valid;
        }
        const until = window?.[u];
        for (let r = 0; r < valid.length; r++) {
          const key = valid[r];
          const stepKey = upstream.planned?.get(key, upstream.sameKey ? t : r);
          // NOTE: a partition from the asset's `readsUntil` instant on is not compared; one planned
          // is still awaited, since the instants follow from the partitions there are.
          if (until !== undefined && !startsBefore(graph, upstream.assetKey, key, until)) {
            if (stepKey !== undefined) scan.dependsOn.push(stepKey);
            continue;
          }
          if (stepKey !== undefined) scan.dependsOn.push(stepKey);
          else if (upstream.external && upstream.states.get(key)?.materializationId == null) continue;
          else
            scan.read(
              upstream.assetKey,
              key,
              undefined,
              upstream.states.get(key),
              undefined,
              upstream.asOf
                ? asOfInvisible(upstream.asOf, asset, partitionKey)
                : until !== undefined && key === null
                  ? changedOnlyFrom(input.changeLogs?.get(upstream.assetKey), until)
                  : undefined,
            );
        }
      }
      let force = options;
      if (forced?.has(planTargets.stepKey(asset.key, t))) {
        forcedFound.add(planTargets.stepKey(asset.key, t));
        force = forcedOptions;
      }
      const reasons = scan.reasons(
        asset,
        force,
        input.observed?.size ? input.observed.get(planTargets.stepKey(asset.key, t)) : undefined,
      );
      if (reasons.length === 0) {
        upToDate++;
        continue;
      }
      const key = planTargets.stepKey(asset.key, t);
      plannedHere.set(t, key);
      steps.push({
        key,
        assetKey: asset.key,
        partitionKey,
        reasons,
        dependsOn: scan.dependsOn.toArray(),
        blockedBy: scan.blockedBy.toArray(),
      });
    }
  }
  const notTargeted = [...(forced ?? [])].filter((key) => !forcedFound.has(key));
  if (notTargeted.length > 0) {
    throw new ShopflowError(
      'SF_BAD_USAGE',
      `cannot force ${notTargeted.map((key) => `\`${key}\``).join(', ')}: not among the asset partitions this plan targets`,
      { hint: 'force only partitions of selected assets that the partition filter keeps' },
    );
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
