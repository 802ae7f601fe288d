import type { LayoutInput } from './graph-layout.js';

/**
 * The lineage graph as drawn when some groups are collapsed: each collapsed group becomes one node
 * `group:NAME` standing for its assets, and edges are redirected to it (edges inside the group
 * vanish, parallel ones merge). The page builds the same nodes (`displayGraph` in
 * `public/graph-shapes.js`) to draw them where this layout puts them.
 *
 * @example
 * collapseGroups({ nodes: [{ key: 'a', group: 'raw' }], edges: [] }, new Set(['raw'])) // one node `group:raw`
 */
export function collapseGroups(
  graph: { nodes: Array<{ key: string; group: string }>; edges: Array<{ from: string; to: string }> },
  collapsed: ReadonlySet<string>,
): LayoutInput {
  const idOf = new Map<string, string>();
  const nodes: LayoutInput['nodes'] = [];
  const groupNodes = new Set<string>();
  for (const node of graph.nodes) {
    if (collapsed.has(node.group)) {
      const id = `group:${node.group}`;
      idOf.set(node.key, id);
      if (!groupNodes.has(id)) {
        groupNodes.add(id);
        nodes.push({ id, group: node.group, kind: 'group' });
      }
    } else {
      idOf.set(node.key, node.key);
      nodes.push({ id: node.key, group: node.group, kind: 'asset' });
    }
  }
  const seen = new Set<string>();
  const edges: LayoutInput['edges'] = [];
  for (const edge of graph.edges) {
    const from = idOf.get(edge.from);
    const to = idOf.get(edge.to);
    if (!from || !to || from === to || seen.has(`${from}>${to}`)) continue;
    seen.add(`${from}>${to}`);
    edges.push({ from, to });
  }
  return { nodes, edges };
}
