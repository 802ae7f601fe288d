/**
 * The lineage graph's layout before it moved to ELK (kept as the baseline the graph test compares
 * edge crossings against): a layered, left-to-right layout with one horizontal band per group:
 *
 * 1. cycles (possible once groups are collapsed into single nodes) are broken by ignoring the edges
 *    that close them;
 * 2. layers by longest path from the sources, then sources are pulled right next to the first
 *    layer that reads them;
 * 3. groups become bands stacked top to bottom, ordered by where they start;
 * 4. inside each (band, layer) cell, nodes are ordered by the barycenter of their neighbours,
 *    sweeping left→right and right→left a few times, which removes most edge crossings.
 *
 * Example:
 *   const layout = layoutGraph({ nodes: [{ id: 'a', group: 'raw' }, { id: 'b', group: 'raw' }], edges: [{ from: 'a', to: 'b' }] });
 *   layout.nodes.get('b').x // right of a
 */

/** @type {Required<import('./banded-layout.js').LayoutOptions>} */
const DEFAULTS = {
  nodeWidth: 220,
  nodeHeight: 64,
  layerGap: 80,
  rowGap: 16,
  groupGap: 28,
  groupPadding: 14,
  groupHeader: 28,
  margin: 24,
  sweeps: 6,
};

/**
 * @param {import('./banded-layout.js').LayoutInput} input
 * @param {import('./banded-layout.js').LayoutOptions} [options]
 * @returns {import('./banded-layout.js').Layout}
 */
export function layoutGraph(input, options = {}) {
  const o = { ...DEFAULTS, ...options };
  const ids = [];
  const groupOf = new Map();
  for (const node of input.nodes) {
    if (groupOf.has(node.id)) continue;
    ids.push(node.id);
    groupOf.set(node.id, node.group ?? '');
  }
  const edges = uniqueEdges(input.edges, groupOf);
  const forward = acyclicEdges(ids, edges);
  const layer = assignLayers(ids, forward);
  const succ = adjacency(ids, edges, 'from', 'to');
  const pred = adjacency(ids, edges, 'to', 'from');

  // Groups: ordered by their first layer, then by first appearance.
  const firstSeen = new Map();
  const minLayer = new Map();
  ids.forEach((id, i) => {
    const g = groupOf.get(id);
    if (!firstSeen.has(g)) firstSeen.set(g, i);
    minLayer.set(g, Math.min(minLayer.get(g) ?? Number.POSITIVE_INFINITY, layer.get(id)));
  });
  const groups = [...firstSeen.keys()].sort(
    (a, b) => minLayer.get(a) - minLayer.get(b) || firstSeen.get(a) - firstSeen.get(b),
  );
  const groupIndex = new Map(groups.map((g, i) => [g, i]));
  const layerCount = ids.length ? Math.max(...ids.map((id) => layer.get(id))) + 1 : 0;

  /** @type {string[][][]} cells[group][layer] = ordered node ids */
  const cells = groups.map(() => Array.from({ length: layerCount }, () => /** @type {string[]} */ ([])));
  for (const id of ids) cells[groupIndex.get(groupOf.get(id))][layer.get(id)].push(id);
  const bandRows = cells.map((row) => Math.max(1, ...row.map((cell) => cell.length)));
  const bandStart = [];
  let rows = 0;
  for (const count of bandRows) {
    bandStart.push(rows);
    rows += count + 1;
  }

  /** Position of every node on one vertical axis counted in rows (bands included). */
  const rank = new Map();
  const placeCell = (g, l) => {
    const cell = cells[g][l];
    const offset = bandStart[g] + (bandRows[g] - cell.length) / 2;
    for (let i = 0; i < cell.length; i++) rank.set(cell[i], offset + i);
  };
  const placeAll = () => {
    for (let g = 0; g < groups.length; g++) for (let l = 0; l < layerCount; l++) placeCell(g, l);
  };
  placeAll();

  const orderCell = (g, l, neighbours) => {
    const cell = cells[g][l];
    if (cell.length < 2) return;
    const keyOf = new Map(
      cell.map((id) => {
        const around = neighbours.get(id);
        const value = around.length
          ? around.reduce((sum, n) => sum + rank.get(n), 0) / around.length
          : rank.get(id);
        return [id, value];
      }),
    );
    cell.sort((a, b) => keyOf.get(a) - keyOf.get(b));
    placeCell(g, l);
  };
  for (let sweep = 0; sweep < o.sweeps; sweep++) {
    for (let l = 0; l < layerCount; l++) for (let g = 0; g < groups.length; g++) orderCell(g, l, pred);
    for (let l = layerCount - 1; l >= 0; l--) for (let g = 0; g < groups.length; g++) orderCell(g, l, succ);
  }

  // Coordinates.
  const rowHeight = o.nodeHeight + o.rowGap;
  const bandTop = [];
  let y = o.margin;
  for (let g = 0; g < groups.length; g++) {
    bandTop.push(y);
    y += o.groupHeader + o.groupPadding * 2 + bandRows[g] * rowHeight - o.rowGap + o.groupGap;
  }
  const xOf = (l) => o.margin + o.groupPadding + l * (o.nodeWidth + o.layerGap);
  /** @type {Map<string, import('./banded-layout.js').NodePosition>} */
  const nodes = new Map();
  for (const id of ids) {
    const g = groupIndex.get(groupOf.get(id));
    const row = rank.get(id) - bandStart[g];
    nodes.set(id, {
      x: xOf(layer.get(id)),
      y: bandTop[g] + o.groupHeader + o.groupPadding + row * rowHeight,
      width: o.nodeWidth,
      height: o.nodeHeight,
      layer: layer.get(id),
      group: groupOf.get(id),
    });
  }
  const groupBoxes = groups.map((name, g) => {
    const layers = cells[g].map((cell, l) => (cell.length ? l : -1)).filter((l) => l >= 0);
    const first = Math.min(...layers);
    const last = Math.max(...layers);
    return {
      name,
      x: xOf(first) - o.groupPadding,
      y: bandTop[g],
      width: xOf(last) - xOf(first) + o.nodeWidth + o.groupPadding * 2,
      height: o.groupHeader + o.groupPadding * 2 + bandRows[g] * rowHeight - o.rowGap,
      count: cells[g].reduce((sum, cell) => sum + cell.length, 0),
    };
  });
  const laidEdges = edges.map((e) => {
    const a = nodes.get(e.from);
    const b = nodes.get(e.to);
    return {
      from: e.from,
      to: e.to,
      points: /** @type {[number, number][]} */ ([
        [a.x + a.width, a.y + a.height / 2],
        [b.x, b.y + b.height / 2],
      ]),
    };
  });
  const width = layerCount ? xOf(layerCount - 1) + o.nodeWidth + o.groupPadding + o.margin : o.margin * 2;
  const height = groups.length ? y - o.groupGap + o.margin : o.margin * 2;
  return { nodes, groups: groupBoxes, edges: laidEdges, width, height };
}

/**
 * @param {Array<{from: string, to: string}>} edges
 * @param {Map<string, string>} known
 */
function uniqueEdges(edges, known) {
  const seen = new Set();
  const out = [];
  for (const e of edges) {
    const key = `${e.from}\u0000${e.to}`;
    if (e.from === e.to || !known.has(e.from) || !known.has(e.to) || seen.has(key)) continue;
    seen.add(key);
    out.push({ from: e.from, to: e.to });
  }
  return out;
}

/**
 * The edges that do not close a cycle (depth-first, in input order).
 * @param {string[]} ids
 * @param {Array<{from: string, to: string}>} edges
 */
function acyclicEdges(ids, edges) {
  const out = adjacency(ids, edges, 'from', 'to');
  const state = new Map();
  const keep = [];
  for (const start of ids) {
    if (state.has(start)) continue;
    // NOTE: iterative depth-first search; graphs of thousands of nodes would overflow recursion.
    const stack = [{ id: start, next: 0 }];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const targets = out.get(top.id);
      if (top.next >= targets.length) {
        state.set(top.id, 2);
        stack.pop();
        continue;
      }
      const to = targets[top.next++];
      const seen = state.get(to);
      if (seen === 1) continue;
      keep.push({ from: top.id, to });
      if (seen === undefined) {
        state.set(to, 1);
        stack.push({ id: to, next: 0 });
      }
    }
  }
  return keep;
}

/**
 * Longest-path layers; sources then move right next to their earliest reader.
 * @param {string[]} ids
 * @param {Array<{from: string, to: string}>} edges acyclic
 */
function assignLayers(ids, edges) {
  const succ = adjacency(ids, edges, 'from', 'to');
  const pred = adjacency(ids, edges, 'to', 'from');
  const indegree = new Map(ids.map((id) => [id, pred.get(id).length]));
  const queue = ids.filter((id) => indegree.get(id) === 0);
  const order = [];
  const layer = new Map(ids.map((id) => [id, 0]));
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i];
    order.push(id);
    for (const next of succ.get(id)) {
      layer.set(next, Math.max(layer.get(next), layer.get(id) + 1));
      indegree.set(next, indegree.get(next) - 1);
      if (indegree.get(next) === 0) queue.push(next);
    }
  }
  for (const id of ids) {
    if (pred.get(id).length === 0 && succ.get(id).length > 0) {
      layer.set(id, Math.min(...succ.get(id).map((n) => layer.get(n))) - 1);
    }
  }
  return layer;
}

/**
 * @param {string[]} ids
 * @param {Array<{from: string, to: string}>} edges
 * @param {'from' | 'to'} a
 * @param {'from' | 'to'} b
 * @returns {Map<string, string[]>}
 */
function adjacency(ids, edges, a, b) {
  const map = new Map(ids.map((id) => [id, /** @type {string[]} */ ([])]));
  for (const e of edges) map.get(e[a])?.push(e[b]);
  return map;
}

/**
 * Number of pairs of edges that cross between adjacent layers (for tests and tuning).
 * @param {import('./banded-layout.js').Layout} layout
 */
export function countCrossings(layout) {
  const segments = layout.edges.map((e) => e.points);
  let crossings = 0;
  for (let i = 0; i < segments.length; i++) {
    for (let j = i + 1; j < segments.length; j++) {
      const [[ax1, ay1], [ax2, ay2]] = segments[i];
      const [[bx1, by1], [bx2, by2]] = segments[j];
      if (ax1 !== bx1 || ax2 !== bx2) continue;
      if ((ay1 - by1) * (ay2 - by2) < 0) crossings++;
    }
  }
  return crossings;
}
