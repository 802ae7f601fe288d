import type { AnyAsset } from '../definitions/define-asset.js';
import { ShopflowError } from '../errors/error-catalog.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import { checkpointName } from '../keys/asset-key.js';

/**
 * The instants from which an unpartitioned asset reads nothing of some dependencies (its
 * `readsUntil`), as epoch milliseconds by dependency name, for the partition keys its dependencies
 * have; undefined when the asset declares none (or is partitioned).
 *
 * @example
 * readWindow(graph, trainingDataset, { transactions: ['2024-01-01', …] });
 * // Map { 'transactions' => 1711584000000, 'products' => 1708905600000 }
 */
export function readWindow(
  graph: AssetGraph,
  asset: AnyAsset,
  keysByName: Record<string, readonly string[]>,
): Map<string, number> | undefined {
  if (!asset.readsUntil || asset.partitions) return undefined;
  const names = new Set(graph.upstream(asset.key).map((dep) => dep.name));
  const keys: Record<string, readonly string[]> = {};
  for (const name of names) keys[name] = keysByName[name] ?? [];
  let returned: Record<string, string | undefined>;
  try {
    returned = asset.readsUntil(keys) ?? {};
  } catch (error) {
    throw new ShopflowError(
      'SF_USER_CODE',
      `readsUntil of asset \`${asset.key}\` failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        hint: "fix the asset's readsUntil; the plan compares the asset like any other meanwhile",
        cause: error,
      },
    );
  }
  const instants = new Map<string, number>();
  for (const [name, value] of Object.entries(returned)) {
    if (value === undefined) continue;
    const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (!names.has(name) || Number.isNaN(ms)) {
      throw new ShopflowError(
        'SF_USER_CODE',
        `readsUntil of asset \`${asset.key}\` returned ${JSON.stringify(value)} for \`${name}\``,
        {
          hint: names.has(name)
            ? 'return an ISO-8601 instant, e.g. 2024-03-01T00:00:00Z'
            : `return instants for its dependencies only: ${[...names].sort().join(', ')}`,
        },
      );
    }
    instants.set(name, ms);
  }
  return instants;
}

/**
 * Whether the partition `key` of dependency `assetKey` can be read under the instant `until`: a
 * time window that starts before it; a partition without a start (a static key) always can.
 */
export function startsBefore(
  graph: AssetGraph,
  assetKey: string,
  key: string | null,
  until: number,
): boolean {
  const partitions = graph.get(assetKey).partitions;
  if (key === null || partitions?.kind !== 'time-window') return true;
  const start = partitions.partition(key).start;
  return start === undefined || start.getTime() < until;
}

/** The name, among an asset's checkpoints, of the `readsUntil` instants its latest materialization read under. */
export const READ_WINDOW_CHECKPOINT = '~reads-until';

/** The instance-store name of an asset's `readsUntil` checkpoint. */
export function readWindowCheckpointName(assetKey: string): string {
  return checkpointName(assetKey, READ_WINDOW_CHECKPOINT);
}
