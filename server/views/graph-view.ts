import {
  type AssetGraph,
  type AssetStatus,
  type AssetStatusSummary,
  didYouMean,
  ShopflowError,
} from '../../framework/index.js';
import { type PartitionCounts, partitionCounts } from './partition-counts.js';
import { type RootCauseView, rootCauseView, statusReason } from './status-reason.js';

/** One asset as the lineage graph draws it. */
export interface GraphNode {
  key: string;
  group: string;
  description: string;
  status: AssetStatus;
  /** Why it is not fresh, in one sentence (empty when fresh). */
  reason: string;
  /** Where its staleness starts, when upstream. */
  rootCause: RootCauseView | null;
  lastMaterializedAt: string | null;
  partitions: PartitionCounts;
  /** Human-readable partitions definition, null when unpartitioned. */
  partitioned: string | null;
  tags: string[];
  /** The IO target kind, e.g. `lake`. */
  kind: string;
  checks: number;
}

export interface GraphView {
  nodes: GraphNode[];
  edges: Array<{ from: string; to: string }>;
  /** Assets in the whole graph (nodes may be fewer with `focus` or `group`). */
  totalAssets: number;
  groups: string[];
  focus: string | null;
  depth: number | null;
  group: string | null;
  computedAt: string;
}

export interface GraphViewOptions {
  focus?: string;
  depth?: number;
  group?: string;
}

/**
 * Keys within `depth` hops upstream or downstream of `focus` (the two directions are walked
 * separately, so siblings of the focus are not pulled in).
 *
 * @example
 * neighbourhood(graph, 'daily_stats', 1) // daily_stats, readings, weekly_stats, station_summary
 */
export function neighbourhood(graph: AssetGraph, focus: string, depth: number): Set<string> {
  graph.get(focus);
  const keep = new Set([focus]);
  const walk = (next: (key: string) => string[]) => {
    let frontier = [focus];
    for (let hop = 0; hop < depth && frontier.length > 0; hop++) {
      const following: string[] = [];
      for (const key of frontier) {
        for (const neighbour of next(key)) {
          if (keep.has(neighbour)) continue;
          keep.add(neighbour);
          following.push(neighbour);
        }
      }
      frontier = following;
    }
  };
  walk((key) => graph.upstream(key).map((d) => d.assetKey));
  walk((key) => graph.downstream(key));
  return keep;
}

/**
 * The lineage graph for the web page: every asset (or the neighbourhood of `focus`, or one group)
 * in topological order with its status, plus the edges between the nodes shown.
 *
 * @example
 * buildGraphView(runtime.graph, statuses, now, { focus: 'daily_stats', depth: 2 })
 */
export function buildGraphView(
  graph: AssetGraph,
  statuses: Map<string, AssetStatusSummary>,
  computedAt: Date,
  options: GraphViewOptions = {},
): GraphView {
  const groups = [...new Set(graph.assets.map((a) => a.group))].sort();
  let keep: Set<string> | null = null;
  const depth = options.focus ? (options.depth ?? 2) : null;
  if (options.focus) keep = neighbourhood(graph, options.focus, depth!);
  if (options.group) {
    if (!groups.includes(options.group)) {
      throw new ShopflowError('SF_BAD_SELECTION', `no asset has group \`${options.group}\``, {
        hint: didYouMean(options.group, groups) ?? `known groups: ${groups.join(', ')}`,
      });
    }
    const inGroup = new Set(graph.assets.filter((a) => a.group === options.group).map((a) => a.key));
    keep = new Set([...(keep ?? inGroup)].filter((key) => inGroup.has(key) || key === options.focus));
  }
  const keys = graph.toposorted().filter((key) => keep === null || keep.has(key));
  const shown = new Set(keys);
  const nodes = keys.map((key): GraphNode => {
    const asset = graph.get(key);
    const summary = statuses.get(key);
    return {
      key,
      group: asset.group,
      description: asset.description,
      status: summary?.status ?? 'missing',
      reason: statusReason(summary, asset.partitions !== undefined),
      rootCause: rootCauseView(summary?.rootCause ?? null),
      lastMaterializedAt: summary?.lastMaterializedAt ?? null,
      partitions: partitionCounts(summary),
      partitioned: asset.partitions?.description ?? null,
      tags: [...asset.tags],
      kind: asset.io.kind,
      checks: asset.checks.length,
    };
  });
  const edges: GraphView['edges'] = [];
  for (const key of keys) {
    for (const dep of graph.upstream(key))
      if (shown.has(dep.assetKey)) edges.push({ from: dep.assetKey, to: key });
  }
  return {
    nodes,
    edges,
    totalAssets: graph.keys.length,
    groups,
    focus: options.focus ?? null,
    depth,
    group: options.group ?? null,
    computedAt: computedAt.toISOString(),
  };
}
