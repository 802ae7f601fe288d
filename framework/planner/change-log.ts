import type { AssetGraph } from '../graph/asset-graph.js';
import type { InstanceStore } from '../instance/instance-store.js';
import { checkpointName } from '../keys/asset-key.js';
import { AsOfWindowMapping } from '../partitions/mapping/as-of-window-mapping.js';

/**
 * From when one materialization of an unpartitioned, time-indexed asset differs from the one
 * before: an ISO instant, `null` when it may differ at any time (the first one, or unknown), or
 * {@link NEVER} when readers bounded in time see no difference at all.
 */
export type ChangedFrom = string | null;

/** `changedFrom` of a new data version that no time-bounded reader can tell from the previous one. */
export const NEVER = 'never';

/** One data version of the asset and from when it differs from the entry before it. */
export interface ChangeLogEntry {
  version: string;
  changedFrom: ChangedFrom;
}

/**
 * The recent data versions of an asset with their change instants, oldest first; the last entry is
 * the asset's current version. Kept in the instance store as a checkpoint of the asset, written
 * right after the materialization is recorded.
 */
export interface ChangeLog {
  entries: ChangeLogEntry[];
}

/** The name, among an asset's checkpoints, of its change log. */
export const CHANGE_LOG_CHECKPOINT = '~changes';

/** How many versions a log keeps; a reader that last read an older one is treated as changed. */
export const CHANGE_LOG_LIMIT = 256;

/**
 * The log after a materialization wrote `version` (the previous version being `previousVersion`).
 * A log that does not end with the previous version (lost, or written by other code) restarts.
 *
 * @example
 * appendChange(log, 'v1', 'v2', '2024-03-30T00:00:00.000Z');
 */
export function appendChange(
  log: ChangeLog | undefined,
  previousVersion: string | null,
  version: string,
  changedFrom: ChangedFrom,
): ChangeLog {
  const entries = log?.entries ?? [];
  const last = entries.at(-1);
  if (last && last.version === version) return { entries };
  if (!last || previousVersion === null || last.version !== previousVersion) {
    return { entries: [{ version, changedFrom: null }] };
  }
  const next = [...entries, { version, changedFrom }];
  return { entries: next.slice(-CHANGE_LOG_LIMIT) };
}

/**
 * The earliest instant (epoch ms) from which the asset's `current` version differs from the
 * `recorded` one a reader read: `Infinity` when no change since is visible to time-bounded
 * readers, `-Infinity` when it may differ at any time or the log cannot tell (the recorded
 * version is not in it, or it does not end with `current`).
 *
 * @example
 * changedSince(log, 'v1', 'v3'); // e.g. Date.parse('2024-03-30T00:00:00Z')
 */
export function changedSince(
  log: ChangeLog | undefined,
  recorded: string | undefined,
  current: string,
): number {
  if (recorded === current) return Number.POSITIVE_INFINITY;
  const entries = log?.entries;
  if (!entries || recorded === undefined || entries.at(-1)?.version !== current) {
    return Number.NEGATIVE_INFINITY;
  }
  let earliest = Number.POSITIVE_INFINITY;
  for (let i = entries.length - 1; i >= 0; i--) {
    if (entries[i].version === recorded) return earliest;
    const from = entries[i].changedFrom;
    if (from === null) return Number.NEGATIVE_INFINITY;
    if (from !== NEVER) earliest = Math.min(earliest, Date.parse(from));
  }
  return Number.NEGATIVE_INFINITY;
}

/**
 * The assets read as of an instant: through an {@link AsOfWindowMapping} by some partition, or
 * unpartitioned by an asset that declares `readsUntil`.
 */
export function asOfUpstreams(graph: AssetGraph): string[] {
  const keys = new Set<string>();
  for (const asset of graph.assets) {
    for (const dep of graph.upstream(asset.key)) {
      if (dep.mapping instanceof AsOfWindowMapping) keys.add(dep.assetKey);
      else if (asset.readsUntil && !graph.get(dep.assetKey).partitions) keys.add(dep.assetKey);
    }
  }
  return [...keys].sort();
}

/**
 * The change logs of every asset read through an as-of-window mapping, for the planner.
 *
 * @example
 * const changeLogs = await loadChangeLogs(store, graph);
 */
export async function loadChangeLogs(
  store: InstanceStore,
  graph: AssetGraph,
): Promise<Map<string, ChangeLog>> {
  const logs = new Map<string, ChangeLog>();
  for (const key of asOfUpstreams(graph)) {
    const log = await store.getCheckpoint<ChangeLog>(changeLogCheckpointName(key));
    if (log) logs.set(key, log);
  }
  return logs;
}

/** The instance-store name of an asset's change log checkpoint. */
export function changeLogCheckpointName(assetKey: string): string {
  return checkpointName(assetKey, CHANGE_LOG_CHECKPOINT);
}
