import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';

/** A node of the lineage graph as drawn: an asset, or a collapsed group standing for its assets. */
export interface LayoutNodeInput {
  id: string;
  group: string;
  kind: 'asset' | 'group';
}

export interface LayoutInput {
  nodes: LayoutNodeInput[];
  edges: Array<{ from: string; to: string }>;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where everything goes: node and group boxes, and each edge's route as points from source to target. */
export interface GraphLayout {
  width: number;
  height: number;
  nodes: Record<string, Box>;
  /** The box around each expanded group's assets, with its title on top. */
  groups: Array<Box & { name: string; count: number }>;
  edges: Array<{ from: string; to: string; points: Array<[number, number]> }>;
}

export const NODE_WIDTH = 228;
export const NODE_HEIGHT = 66;
const GROUP_TITLE = 34;

/**
 * ELK's layered algorithm (the Eclipse Layout Kernel's Sugiyama-style layout: layers, crossing
 * minimization by layer sweeps, orthogonal edge routing), left to right, with every expanded group
 * a box of its own that the layout keeps together. NOTE: where groups lead back to each other
 * (ShopFlow's `bronze` holds the change feed of the warehouse's customers), keeping each group one
 * box leaves an edge running right to left; collapsing a group removes it.
 */
const ROOT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '50',
  'elk.layered.spacing.edgeNodeBetweenLayers': '16',
  'elk.spacing.nodeNode': '16',
  'elk.spacing.componentComponent': '40',
  'elk.padding': '[top=24,left=24,bottom=24,right=24]',
};
/**
 * How hard ELK works on crossings: more sweeps find fewer crossings on some graphs (an earlier
 * ShopFlow graph: 73 instead of 94 with ELK's default of 7) at little cost on a few dozen nodes; on
 * hundreds of nodes they would take seconds more.
 */
function thoroughness(nodes: number): string {
  return nodes <= 120 ? '50' : '7';
}
const GROUP_OPTIONS: Record<string, string> = {
  'elk.padding': `[top=${GROUP_TITLE},left=14,bottom=14,right=14]`,
};

/** The ELK graph of `input`: expanded groups as compound nodes holding their assets. */
export function elkGraph(input: LayoutInput): ElkNode {
  const ids = new Set(input.nodes.map((n) => n.id));
  const groups = new Map<string, ElkNode>();
  const children: ElkNode[] = [];
  for (const node of input.nodes) {
    const shape: ElkNode = { id: node.id, width: NODE_WIDTH, height: NODE_HEIGHT };
    if (node.kind === 'group') {
      children.push(shape);
      continue;
    }
    let box = groups.get(node.group);
    if (!box) {
      box = { id: `box:${node.group}`, layoutOptions: GROUP_OPTIONS, children: [] };
      groups.set(node.group, box);
      children.push(box);
    }
    box.children!.push(shape);
  }
  const seen = new Set<string>();
  const edges: ElkExtendedEdge[] = [];
  for (const edge of input.edges) {
    const key = `${edge.from}\u0000${edge.to}`;
    if (edge.from === edge.to || !ids.has(edge.from) || !ids.has(edge.to) || seen.has(key)) continue;
    seen.add(key);
    edges.push({ id: `e${edges.length}`, sources: [edge.from], targets: [edge.to] });
  }
  return {
    id: 'root',
    layoutOptions: { ...ROOT_OPTIONS, 'elk.layered.thoroughness': thoroughness(input.nodes.length) },
    children,
    edges,
  };
}

type Laid = ElkNode & { edges?: Array<ElkExtendedEdge & { container?: string }> };

/** Absolute coordinates from ELK's answer (children and edge routes are relative to their parent). */
export function fromElk(result: Laid): GraphLayout {
  const origin = new Map<string, { x: number; y: number }>([['root', { x: 0, y: 0 }]]);
  const layout: GraphLayout = {
    width: Math.ceil(result.width ?? 0),
    height: Math.ceil(result.height ?? 0),
    nodes: {},
    groups: [],
    edges: [],
  };
  const place = (parent: ElkNode, ox: number, oy: number) => {
    for (const child of parent.children ?? []) {
      const x = ox + (child.x ?? 0);
      const y = oy + (child.y ?? 0);
      origin.set(child.id, { x, y });
      const box = { x, y, width: child.width ?? 0, height: child.height ?? 0 };
      if (child.id.startsWith('box:')) {
        layout.groups.push({ ...box, name: child.id.slice(4), count: child.children?.length ?? 0 });
        place(child, x, y);
      } else {
        layout.nodes[child.id] = box;
      }
    }
  };
  place(result, 0, 0);
  const route = (parent: Laid) => {
    for (const edge of parent.edges ?? []) {
      const at = origin.get(edge.container ?? parent.id) ?? { x: 0, y: 0 };
      const points: Array<[number, number]> = [];
      for (const section of edge.sections ?? []) {
        for (const p of [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]) {
          const point: [number, number] = [p.x + at.x, p.y + at.y];
          const previous = points[points.length - 1];
          if (!previous || previous[0] !== point[0] || previous[1] !== point[1]) points.push(point);
        }
      }
      layout.edges.push({ from: edge.sources[0], to: edge.targets[0], points });
    }
    for (const child of parent.children ?? []) route(child as Laid);
  };
  route(result);
  return layout;
}

// NOTE: ELK is synchronous compiled Java: a graph of a few hundred nodes takes seconds, so it runs
// in a worker thread and the server keeps answering meanwhile. The worker is plain CommonJS
// evaluated from this string, so it runs the same from the TypeScript sources and from dist/.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const ELK = require(workerData.elk);
const elk = new ELK();
parentPort.on('message', ({ id, graph }) => {
  elk.layout(graph).then(
    (result) => parentPort.postMessage({ id, result }),
    (error) => parentPort.postMessage({ id, error: String((error && error.message) || error) }),
  );
});
`;

/**
 * Lays out lineage graphs with ELK in a worker thread, caching the layouts of the latest shapes
 * (a layout depends only on the graph's nodes and edges, never on statuses).
 *
 * @example
 * const layouts = new GraphLayouts();
 * const layout = await layouts.layout({ nodes, edges });
 * await layouts.close();
 */
export class GraphLayouts {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (r: Laid) => void; reject: (e: Error) => void }>();
  private readonly cache = new Map<string, Promise<GraphLayout>>();

  constructor(private readonly keep = 32) {}

  async layout(input: LayoutInput): Promise<GraphLayout> {
    const key = JSON.stringify(input);
    let found = this.cache.get(key);
    if (found) {
      this.cache.delete(key);
    } else {
      found = this.compute(elkGraph(input)).then(fromElk);
      found.catch(() => this.cache.delete(key));
    }
    this.cache.set(key, found);
    while (this.cache.size > this.keep) this.cache.delete(this.cache.keys().next().value as string);
    return await found;
  }

  private compute(graph: ElkNode): Promise<Laid> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<Laid>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, graph });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const elk = createRequire(import.meta.url).resolve('elkjs/lib/elk.bundled.js');
    const worker = new Worker(WORKER, { eval: true, workerData: { elk } });
    worker.unref();
    worker.on('message', (message: { id: number; result?: Laid; error?: string }) => {
      const pending = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error !== undefined) pending?.reject(new Error(`graph layout failed: ${message.error}`));
      else pending?.resolve(message.result!);
    });
    const fail = (error: Error) => {
      for (const pending of this.waiting.values()) pending.reject(error);
      this.waiting.clear();
      this.worker = null;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the graph layout worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.cache.clear();
    if (worker) await worker.terminate();
  }
}
