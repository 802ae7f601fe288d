import type { AssetGraph } from '../../graph/asset-graph.js';
import { selectAssets } from '../../graph/asset-selection.js';

/**
 * Which queue each asset's steps go to: the first named queue whose selection contains the asset,
 * else `defaultQueue`.
 *
 * @example
 * const queueOf = queueRouting(graph, { warehouse: { select: 'group:warehouse' } }, 'steps');
 * queueOf('dim_customer'); // 'warehouse'
 */
export function queueRouting(
  graph: AssetGraph,
  queues: Record<string, { select: string }>,
  defaultQueue: string,
): (assetKey: string) => string {
  const byAsset = new Map<string, string>();
  for (const [name, queue] of Object.entries(queues))
    for (const key of selectAssets(graph, queue.select)) if (!byAsset.has(key)) byAsset.set(key, name);
  return (assetKey) => byAsset.get(assetKey) ?? defaultQueue;
}
