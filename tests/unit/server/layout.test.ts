import { describe, expect, test } from 'vitest';
import { countCrossings, type Layout, layoutGraph } from '../../../server/public/layout.js';

function overlaps(a: { x: number; y: number; width: number; height: number }, b: typeof a): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function inside(
  inner: { x: number; y: number; width: number; height: number },
  outer: typeof inner,
): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

/** A seeded random DAG: node i may depend on up to 3 earlier nodes. */
function randomDag(size: number, seed: number, groups: number) {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const nodes = Array.from({ length: size }, (_, i) => ({
    id: `n${i}`,
    group: `g${Math.floor(random() * groups)}`,
  }));
  const edges: Array<{ from: string; to: string }> = [];
  for (let i = 1; i < size; i++) {
    const count = Math.floor(random() * 4);
    for (let k = 0; k < count; k++) edges.push({ from: `n${Math.floor(random() * i)}`, to: `n${i}` });
  }
  return { nodes, edges };
}

function assertWellFormed(layout: Layout) {
  const boxes = [...layout.nodes.values()];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) expect(overlaps(boxes[i], boxes[j])).toBe(false);
  for (let i = 0; i < layout.groups.length; i++) {
    for (let j = i + 1; j < layout.groups.length; j++)
      expect(overlaps(layout.groups[i], layout.groups[j])).toBe(false);
  }
  for (const node of boxes) {
    const group = layout.groups.find((g) => g.name === node.group)!;
    expect(inside(node, group)).toBe(true);
    expect(inside(node, { x: 0, y: 0, width: layout.width, height: layout.height })).toBe(true);
  }
}

describe('layered graph layout', () => {
  test('every edge of a DAG points left to right', () => {
    const input = randomDag(120, 7, 4);
    const layout = layoutGraph(input);
    for (const edge of input.edges) {
      const from = layout.nodes.get(edge.from)!;
      const to = layout.nodes.get(edge.to)!;
      expect(to.layer).toBeGreaterThan(from.layer);
      expect(to.x).toBeGreaterThanOrEqual(from.x + from.width);
    }
    expect(layout.nodes.size).toBe(120);
  });

  test('nodes never overlap, and each lies in its own group box; group boxes never overlap', () => {
    assertWellFormed(layoutGraph(randomDag(200, 42, 6)));
    assertWellFormed(layoutGraph(randomDag(30, 3, 1)));
  });

  test('longest-path layering; a source sits just left of the first layer that reads it', () => {
    const layout = layoutGraph({
      nodes: [{ id: 'readings' }, { id: 'daily' }, { id: 'weekly' }, { id: 'stations' }, { id: 'summary' }],
      edges: [
        { from: 'readings', to: 'daily' },
        { from: 'daily', to: 'weekly' },
        { from: 'daily', to: 'summary' },
        { from: 'stations', to: 'summary' },
      ],
    });
    const layer = (id: string) => layout.nodes.get(id)!.layer;
    expect([layer('readings'), layer('daily'), layer('weekly'), layer('summary')]).toEqual([0, 1, 2, 2]);
    expect(layer('stations')).toBe(1);
  });

  test('barycenter ordering removes the crossing an input order would cause', () => {
    const input = {
      nodes: [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }],
      edges: [
        { from: 'a', to: 'd' },
        { from: 'b', to: 'c' },
      ],
    };
    const layout = layoutGraph(input);
    expect(countCrossings(layout)).toBe(0);
    expect(countCrossings(layoutGraph(input, { sweeps: 0 }))).toBe(1);
  });

  test('ordering reduces crossings on a larger graph', () => {
    const input = randomDag(150, 11, 1);
    expect(countCrossings(layoutGraph(input))).toBeLessThan(
      countCrossings(layoutGraph(input, { sweeps: 0 })),
    );
  });

  test('cycles (from collapsed groups) are tolerated and every node is placed', () => {
    const layout = layoutGraph({
      nodes: [{ id: 'x' }, { id: 'y' }, { id: 'z' }],
      edges: [
        { from: 'x', to: 'y' },
        { from: 'y', to: 'z' },
        { from: 'z', to: 'x' },
        { from: 'x', to: 'x' },
      ],
    });
    expect([...layout.nodes.keys()].sort()).toEqual(['x', 'y', 'z']);
    expect(layout.edges).toHaveLength(3);
    assertWellFormed(layout);
  });

  test('edges to unknown nodes and duplicate edges are ignored', () => {
    const layout = layoutGraph({
      nodes: [{ id: 'a' }, { id: 'b' }],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'a', to: 'b' },
        { from: 'a', to: 'ghost' },
      ],
    });
    expect(layout.edges).toEqual([{ from: 'a', to: 'b', points: expect.any(Array) }]);
  });

  test('the same input gives the same layout', () => {
    const input = randomDag(80, 5, 3);
    const a = layoutGraph(input);
    const b = layoutGraph(input);
    expect([...a.nodes.entries()]).toEqual([...b.nodes.entries()]);
    expect(a.groups).toEqual(b.groups);
  });

  test('an empty graph has an empty layout', () => {
    const layout = layoutGraph({ nodes: [], edges: [] });
    expect(layout.nodes.size).toBe(0);
    expect(layout.groups).toEqual([]);
  });
});
