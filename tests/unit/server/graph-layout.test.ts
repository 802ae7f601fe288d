import { afterAll, describe, expect, test } from 'vitest';
import { collapseGroups } from '../../../server/views/collapse-groups.js';
import { type Box, GraphLayouts, NODE_HEIGHT, NODE_WIDTH } from '../../../server/views/graph-layout.js';

const layouts = new GraphLayouts();
afterAll(() => layouts.close());

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}
function inside(inner: Box, outer: Box): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

/**
 * A seeded random DAG: node i may depend on up to 3 earlier nodes, in `groups` groups — in bands
 * of consecutive nodes (like raw → silver → gold) or at random.
 */
function randomDag(size: number, seed: number, groups: number, banded = true) {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const nodes = Array.from({ length: size }, (_, i) => ({
    key: `n${i}`,
    group: `g${Math.floor((banded ? i / size : random()) * groups)}`,
  }));
  const edges: Array<{ from: string; to: string }> = [];
  for (let i = 1; i < size; i++) {
    const count = Math.floor(random() * 4);
    for (let k = 0; k < count; k++) edges.push({ from: `n${Math.floor(random() * i)}`, to: `n${i}` });
  }
  return { nodes, edges };
}

describe('the lineage graph layout (ELK layered, in a worker thread)', () => {
  test('places every node once, inside its group box, without overlaps; edges run left to right between node sides', async () => {
    const dag = randomDag(60, 7, 4);
    const layout = await layouts.layout(collapseGroups(dag, new Set()));
    const boxes = Object.entries(layout.nodes);
    expect(boxes.map(([id]) => id).sort()).toEqual(dag.nodes.map((n) => n.key).sort());
    for (let i = 0; i < boxes.length; i++) {
      expect(boxes[i][1]).toMatchObject({ width: NODE_WIDTH, height: NODE_HEIGHT });
      for (let j = i + 1; j < boxes.length; j++) expect(overlaps(boxes[i][1], boxes[j][1])).toBe(false);
    }
    for (let i = 0; i < layout.groups.length; i++)
      for (let j = i + 1; j < layout.groups.length; j++)
        expect(overlaps(layout.groups[i], layout.groups[j])).toBe(false);
    const all = { x: 0, y: 0, width: layout.width, height: layout.height };
    for (const node of dag.nodes) {
      const group = layout.groups.find((g) => g.name === node.group)!;
      expect(inside(layout.nodes[node.key], group)).toBe(true);
      expect(inside(group, all)).toBe(true);
    }
    expect(layout.groups.map((g) => g.count).reduce((a, b) => a + b, 0)).toBe(dag.nodes.length);
    const distinct = new Set(dag.edges.map((e) => `${e.from}>${e.to}`));
    expect(layout.edges).toHaveLength(distinct.size);
    for (const edge of layout.edges) {
      const from = layout.nodes[edge.from];
      const to = layout.nodes[edge.to];
      const [sx, sy] = edge.points[0];
      const [ex, ey] = edge.points[edge.points.length - 1];
      expect(sx).toBeCloseTo(from.x + from.width, 5);
      expect(sy).toBeGreaterThanOrEqual(from.y);
      expect(sy).toBeLessThanOrEqual(from.y + from.height);
      expect(ex).toBeCloseTo(to.x, 5);
      expect(ey).toBeGreaterThanOrEqual(to.y);
      expect(ey).toBeLessThanOrEqual(to.y + to.height);
      expect(ex).toBeGreaterThan(sx);
      // Orthogonal routing: every segment is horizontal or vertical.
      for (let i = 1; i < edge.points.length; i++) {
        const [x0, y0] = edge.points[i - 1];
        const [x1, y1] = edge.points[i];
        expect(Math.abs(x1 - x0) < 1e-6 || Math.abs(y1 - y0) < 1e-6).toBe(true);
      }
    }
  });

  test('groups of any shape stay boxes of their own, without overlaps', async () => {
    const dag = randomDag(80, 11, 5, false);
    const layout = await layouts.layout(collapseGroups(dag, new Set()));
    for (let i = 0; i < layout.groups.length; i++)
      for (let j = i + 1; j < layout.groups.length; j++)
        expect(overlaps(layout.groups[i], layout.groups[j])).toBe(false);
    for (const node of dag.nodes)
      expect(inside(layout.nodes[node.key], layout.groups.find((g) => g.name === node.group)!)).toBe(true);
  });

  test('a collapsed group is one node; edges through it merge, cycles between collapsed groups are drawn too', async () => {
    const graph = {
      nodes: [
        { key: 'a', group: 'raw' },
        { key: 'b', group: 'raw' },
        { key: 'c', group: 'silver' },
        { key: 'd', group: 'raw' },
      ],
      edges: [
        { from: 'a', to: 'c' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'd' },
      ],
    };
    const input = collapseGroups(graph, new Set(['raw']));
    expect(input).toEqual({
      nodes: [
        { id: 'group:raw', group: 'raw', kind: 'group' },
        { id: 'c', group: 'silver', kind: 'asset' },
      ],
      edges: [
        { from: 'group:raw', to: 'c' },
        { from: 'c', to: 'group:raw' },
      ],
    });
    const layout = await layouts.layout(input);
    expect(Object.keys(layout.nodes).sort()).toEqual(['c', 'group:raw']);
    expect(layout.groups.map((g) => g.name)).toEqual(['silver']);
    expect(layout.edges).toHaveLength(2);
  });

  test('the same shape is laid out once', async () => {
    const input = collapseGroups(randomDag(20, 3, 2), new Set());
    const first = await layouts.layout(input);
    expect(await layouts.layout(structuredClone(input))).toBe(first);
  });
});
