export interface LayoutOptions {
  nodeWidth?: number;
  nodeHeight?: number;
  /** Horizontal space between layers. */
  layerGap?: number;
  /** Vertical space between nodes of one band. */
  rowGap?: number;
  /** Vertical space between group bands. */
  groupGap?: number;
  groupPadding?: number;
  /** Height reserved for a group's title. */
  groupHeader?: number;
  margin?: number;
  /** Barycenter sweeps (each is left→right then right→left). */
  sweeps?: number;
}

export interface LayoutInput {
  nodes: Array<{ id: string; group?: string }>;
  edges: Array<{ from: string; to: string }>;
}

export interface NodePosition {
  x: number;
  y: number;
  width: number;
  height: number;
  layer: number;
  group: string;
}

export interface GroupBox {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  count: number;
}

export interface Layout {
  nodes: Map<string, NodePosition>;
  groups: GroupBox[];
  edges: Array<{ from: string; to: string; points: [number, number][] }>;
  width: number;
  height: number;
}

/** Lays out a graph in layers from left to right, one horizontal band per group. */
export function layoutGraph(input: LayoutInput, options?: LayoutOptions): Layout;

/** Edge pairs that cross between the same two layers. */
export function countCrossings(layout: Layout): number;
