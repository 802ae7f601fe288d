import type { AssetPartitionState } from '../instance/instance-store.js';
import { symlinkManifestPath } from '../io/lake-storage/symlink-manifest.js';
import { type PiiKind, type Sensitivity, schemaColumns } from '../io/schema-columns.js';
import { AssetStateIndex } from '../planner/asset-state-index.js';
import { assessAssetStatus } from '../planner/asset-status.js';
import { loadChangeLogs } from '../planner/change-log.js';
import type { ShopflowRuntime } from '../runtime/shopflow-runtime.js';

/** One table of the catalog, as `shopflow catalog` lists it. */
export interface CatalogEntry {
  key: string;
  group: string;
  description: string;
  owners: string[];
  tags: string[];
  /** `lake-table`, `postgres-table`, … */
  storage: string;
  /** Where it lives: the lake folder or `s3://` prefix, or the PostgreSQL table. */
  location: string;
  partitioning: string | null;
  columns: Array<{
    name: string;
    type: string;
    /** public, internal, confidential or restricted (null: unclassified, see `shopflow docs --check`). */
    classification: Sensitivity | null;
    /** The kind of personal data, null when none. */
    piiKind: PiiKind | null;
    description: string;
  }>;
  freshness: { maxLagMinutes: number } | null;
  status: string;
  /** Rows of the latest materialization of every partition, summed (null when none records a count). */
  rows: number | null;
  partitionsMaterialized: number;
  lastMaterializedAt: string | null;
}

/**
 * Every asset as a catalog entry: owner, description, classification of each column,
 * partitioning, freshness policy and status, row count and where it lives.
 *
 * @example
 * const entries = await describeCatalog(runtime);
 */
export async function describeCatalog(runtime: ShopflowRuntime): Promise<CatalogEntry[]> {
  const states = await runtime.store.listPlannerStates();
  const index = new AssetStateIndex(states);
  const report = assessAssetStatus({
    graph: runtime.graph,
    states: index,
    now: runtime.services.now(),
    changeLogs: await loadChangeLogs(runtime.store, runtime.graph),
    observed: await runtime.observeInputs({ states: index }),
  });
  const facts = await tableFacts(runtime, states);
  const classes = await runtime.classification();
  return runtime.graph.toposorted().map((key) => {
    const asset = runtime.graph.get(key);
    const status = report.statuses.get(key)!;
    const fact = facts.get(key)!;
    return {
      key,
      group: asset.group,
      description: asset.description,
      owners: [...asset.owners],
      tags: [...asset.tags],
      storage: asset.io.kind,
      location: fact.location,
      partitioning: asset.partitions?.description ?? null,
      columns: schemaColumns(asset.schema).map((c) => {
        const resolved = classes.columns.get(key)?.find((r) => r.column === c.name);
        return {
          name: c.name,
          type: c.type,
          classification: resolved?.classification ?? null,
          piiKind: resolved?.piiKind ?? null,
          description: c.description,
        };
      }),
      freshness: asset.freshness ?? null,
      status: status.status,
      rows: fact.rows,
      partitionsMaterialized: status.materialized,
      lastMaterializedAt: status.lastMaterializedAt,
    };
  });
}

/** Where a table lives, its rows and its personal-data columns (see {@link tableFacts}). */
export interface TableFacts {
  location: string;
  rows: number | null;
  personalData: string[];
}

/**
 * For every asset: where it lives (a partitioned table's location with `{partition}` in place of
 * the key), the rows of the latest materialization of each partition summed (null when none
 * records a count), and its personal-data columns. The catalog of the CLI and of the web page.
 *
 * @example
 * (await tableFacts(runtime)).get('silver_customers'); // { location: '…', rows: 1000, personalData: ['name', 'email'] }
 */
export async function tableFacts(
  runtime: ShopflowRuntime,
  /** The planner states, when the caller read them already. */
  states?: readonly AssetPartitionState[],
): Promise<Map<string, TableFacts>> {
  const classes = await runtime.classification();
  const rows = new Map<string, number | null>();
  for (const state of states ?? (await runtime.store.listPlannerStates())) {
    if (!state.materializationId) continue;
    const before = rows.get(state.assetKey);
    rows.set(state.assetKey, state.rowCount === null ? (before ?? null) : (before ?? 0) + state.rowCount);
  }
  return new Map(
    runtime.graph.assets.map((asset) => [
      asset.key,
      {
        location: asset.io.location(asset.key, asset.partitions ? '{partition}' : null, runtime.lake),
        rows: rows.get(asset.key) ?? null,
        // NOTE: declared or inherited through the column lineage.
        personalData: (classes.columns.get(asset.key) ?? []).filter((c) => c.piiKind).map((c) => c.column),
      },
    ]),
  );
}

/**
 * Writes, for every materialized partition of the lake tables `assetKeys`, the symlink manifest a
 * query engine reads it through (`<lake>/_symlinks/<asset>/partition=<key>/manifest`): the
 * locations of exactly the Parquet files of its committed version, one per line. Returns how many
 * manifests were written. Run it after materializing (or from a schedule) to keep the Glue tables
 * current; a partition rewritten since keeps pointing at its previous files, which the lake keeps
 * for `lake.orphanGraceMinutes`.
 *
 * @example
 * await writeSymlinkManifests(runtime, ['silver_transactions']);
 */
export async function writeSymlinkManifests(runtime: ShopflowRuntime, assetKeys: string[]): Promise<number> {
  let written = 0;
  for (const key of assetKeys) {
    const asset = runtime.graph.get(key);
    if (asset.io.kind !== 'lake-table') continue;
    for (const state of await runtime.store.listAssetPartitionStates([key])) {
      if (!state.materializationId) continue;
      const ref = { assetKey: key, partitionKey: state.partitionKey };
      const version = await runtime.lake.head(ref);
      if (!version) continue;
      const files = version.files.map((f) => runtime.lake.locate(ref, f.name));
      await runtime.lake.writeText(symlinkManifestPath(ref), `${files.join('\n')}\n`);
      written++;
    }
  }
  return written;
}
