import type { AnyAsset } from '../definitions/define-asset.js';
import type { AssetGraph } from '../graph/asset-graph.js';

/**
 * The assets of a graph grouped by `group`, in a stable reading order: groups in the order their
 * first asset appears in the topological order (so `raw` comes before `silver`), and assets inside a
 * group in topological order with alphabetical tie-breaks. Same graph, same order.
 *
 * @example
 * assetsByGroup(definitions.graph).map((g) => g.group); // ['raw', 'silver', 'gold']
 */
export function assetsByGroup(graph: AssetGraph): Array<{ group: string; assets: AnyAsset[] }> {
  const groups = new Map<string, AnyAsset[]>();
  for (const key of graph.toposorted()) {
    const asset = graph.get(key);
    const list = groups.get(asset.group) ?? [];
    list.push(asset);
    groups.set(asset.group, list);
  }
  return [...groups].map(([group, assets]) => ({ group, assets }));
}
