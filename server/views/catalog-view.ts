import type { AssetGraph, AssetStatus, AssetStatusSummary, TableFacts } from '../../framework/index.js';
import { type PartitionCounts, partitionCounts } from './partition-counts.js';

/** How an asset stands against its freshness policy. */
export type FreshnessState = 'on_time' | 'overdue' | 'never_materialized' | 'no_policy';

/** One row of the asset catalog. */
export interface CatalogRow {
  key: string;
  group: string;
  description: string;
  owners: string[];
  tags: string[];
  /** The IO target kind, e.g. `lake-table`. */
  kind: string;
  partitioned: string | null;
  status: AssetStatus;
  partitions: PartitionCounts;
  lastMaterializedAt: string | null;
  checks: number;
  /** Where it lives (a partitioned table's with `{partition}`), its rows and personal-data columns. */
  location: string | null;
  rows: number | null;
  personalData: string[];
  freshness: {
    state: FreshnessState;
    maxLagMinutes: number | null;
    /** Minutes since the newest materialization (null when never materialized). */
    lagMinutes: number | null;
  };
}

/**
 * Every asset with its group, owners, tags, status (the same computation as `shopflow assets`),
 * freshness against its policy and last materialization, in topological order.
 *
 * @example
 * buildCatalog(runtime.graph, snapshot.report.statuses, snapshot.computedAt)
 */
export function buildCatalog(
  graph: AssetGraph,
  statuses: Map<string, AssetStatusSummary>,
  now: Date,
  facts: ReadonlyMap<string, TableFacts> = new Map(),
): CatalogRow[] {
  return graph.toposorted().map((key) => {
    const asset = graph.get(key);
    const summary = statuses.get(key);
    const last = summary?.lastMaterializedAt ?? null;
    const lagMinutes = last ? Math.max(0, Math.round((now.getTime() - Date.parse(last)) / 60_000)) : null;
    const maxLagMinutes = asset.freshness?.maxLagMinutes ?? null;
    const state: FreshnessState =
      maxLagMinutes === null
        ? 'no_policy'
        : lagMinutes === null
          ? 'never_materialized'
          : lagMinutes > maxLagMinutes
            ? 'overdue'
            : 'on_time';
    return {
      key,
      group: asset.group,
      description: asset.description,
      owners: [...asset.owners],
      tags: [...asset.tags],
      kind: asset.io.kind,
      partitioned: asset.partitions?.description ?? null,
      status: summary?.status ?? 'missing',
      partitions: partitionCounts(summary),
      lastMaterializedAt: last,
      checks: asset.checks.length,
      location: facts.get(key)?.location ?? null,
      rows: facts.get(key)?.rows ?? null,
      personalData: facts.get(key)?.personalData ?? [],
      freshness: { state, maxLagMinutes, lagMinutes },
    };
  });
}
