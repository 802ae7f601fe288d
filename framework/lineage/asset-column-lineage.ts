import type { Logger } from 'pino';
import type { AnyAsset, MaterializeContext } from '../definitions/define-asset.js';
import type { DuckDbSession } from '../duckdb/duckdb-session.js';
import { quoteIdentifier, quoteLiteral, SqlQuery } from '../duckdb/sql-template.js';
import { ShopflowError } from '../errors/error-catalog.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import { schemaColumns } from '../io/schema-columns.js';
import { columnLineageOf, type LineageInputs, type OutputColumnLineage } from './sql-column-lineage.js';

/** The column lineage of one asset, derived from its statement without running it. */
export interface AssetColumnLineage {
  asset: string;
  /** Per output column; null when the asset has no statement to read it from. */
  columns: OutputColumnLineage[] | null;
  /** Why there is no statement (it returns rows or writes its target itself, it needs a resource …). */
  reason: string | null;
}

/** How long a dry run may wait for `materialize` to return a statement (it builds a string). */
const DRY_RUN_BUDGET_MS = 1000;

/** `output`, or a `NeedsRuntime` once the budget is spent (a `materialize` that waits for something). */
async function withinDryRunBudget<T>(output: T | Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve(output),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new NeedsRuntime('to wait for something')), DRY_RUN_BUDGET_MS);
        timer.unref();
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Thrown by the dry-run context when `materialize` reaches for anything beyond building a statement. */
class NeedsRuntime extends Error {}

const INPUT_PREFIX = 'shopflow_input:';

function dryRunContext(asset: AnyAsset, graph: AssetGraph, partitionKey: string | null): MaterializeContext {
  const needs = (what: string) => () => {
    throw new NeedsRuntime(what);
  };
  const deps: Record<string, unknown> = {};
  for (const dep of graph.upstream(asset.key)) {
    const upstream = graph.get(dep.assetKey);
    deps[dep.name] = {
      assetKey: dep.assetKey,
      partitionKeys: upstream.partitions ? (partitionKey === null ? [] : [partitionKey]) : [null],
      toSql: () => quoteIdentifier(`${INPUT_PREFIX}${dep.name}`),
    };
  }
  // NOTE: a logger that accepts everything and writes nothing (`child()` returns itself).
  const log: Logger = new Proxy({} as Logger, { get: () => () => log });
  const partition = partitionKey === null ? null : (asset.partitions?.partition(partitionKey) ?? null);
  return {
    assetKey: asset.key,
    runId: 'column-lineage',
    partition,
    partitionKey,
    deps: deps as MaterializeContext['deps'],
    readsUntil: {},
    duckdb: new Proxy({} as DuckDbSession, { get: () => needs('a DuckDB query') }),
    log,
    resource: needs('a resource'),
    addMetadata: () => {},
    previous: needs('its previous data'),
    upstreamChangedFrom: needs('its upstream change log'),
    checkpoints: { get: needs('a checkpoint'), stage: () => {} },
    recordInput: () => {},
  };
}

function samplePartition(asset: AnyAsset, now: Date): string | null {
  if (!asset.partitions) return null;
  try {
    return asset.partitions.keys(now)[0] ?? null;
  } catch {
    return null;
  }
}

/** The lineage of an asset that copies the columns of its dependency `name` (`columnsFrom`). */
function copiedColumns(graph: AssetGraph, asset: AnyAsset, name: string): OutputColumnLineage[] {
  const dep = graph.upstream(asset.key).find((d) => d.name === name);
  if (!dep) {
    throw new ShopflowError(
      'SF_INVALID_ASSET',
      `asset \`${asset.key}\` has columnsFrom \`${name}\`, which is not one of its deps`,
      {
        hint: `name one of: ${
          graph
            .upstream(asset.key)
            .map((d) => d.name)
            .join(', ') || '(it has no deps)'
        }`,
      },
    );
  }
  const upstream = new Set(schemaColumns(graph.get(dep.assetKey).schema).map((c) => c.name));
  return schemaColumns(asset.schema).map((c) =>
    upstream.has(c.name)
      ? {
          column: c.name,
          origins: [
            { asset: dep.assetKey, column: c.name, transform: 'IDENTITY', masked: false, reduced: false },
          ],
          unresolved: [],
        }
      : { column: c.name, origins: [], unresolved: [`${dep.assetKey}.${c.name}`] },
  );
}

/** The JSON parse tree DuckDB gives for `text` (`json_serialize_sql`); nothing is bound or run. */
export async function parseDuckDbSql(duckdb: DuckDbSession, text: string): Promise<Record<string, unknown>> {
  const [row] = await duckdb.query(`select json_serialize_sql(${quoteLiteral(text)}) as tree`);
  return JSON.parse(String(row!.tree));
}

/**
 * The column lineage of every asset of `graph` whose `materialize` returns a DuckDB statement:
 * each asset with dependencies is called once with stand-in inputs, each rendering as a name the
 * parser traces back to its dependency — no data, no resources, no DuckDB session: an asset that reaches for them, or takes longer than a second to return, has no
 * static lineage — and its statement parsed by DuckDB. So `materialize` must not change anything
 * before it reaches for a resource (the documented contract, see docs/security.md).
 *
 * @example
 * const lineage = await graphColumnLineage(definitions.graph, duckdb);
 * lineage.get('customer_clv')?.columns; // [{ column: 'customer_id', origins: [...] }, …]
 */
export async function graphColumnLineage(
  graph: AssetGraph,
  duckdb: DuckDbSession,
  options: { now?: Date } = {},
): Promise<Map<string, AssetColumnLineage>> {
  const now = options.now ?? new Date();
  const result = new Map<string, AssetColumnLineage>();
  for (const key of graph.toposorted()) {
    const asset = graph.get(key);
    const inputs: LineageInputs = new Map(
      graph
        .upstream(key)
        .map((dep) => [
          `${INPUT_PREFIX}${dep.name}`,
          { asset: dep.assetKey, columns: schemaColumns(graph.get(dep.assetKey).schema).map((c) => c.name) },
        ]),
    );
    if (asset.columnsFrom) {
      result.set(key, { asset: key, columns: copiedColumns(graph, asset, asset.columnsFrom), reason: null });
      continue;
    }
    if (inputs.size === 0) {
      // NOTE: a source has no upstream column to trace (and is often the one asset with side effects).
      result.set(key, { asset: key, columns: null, reason: 'it reads no upstream asset' });
      continue;
    }
    let output: unknown;
    try {
      output = await withinDryRunBudget(
        asset.materialize(dryRunContext(asset, graph, samplePartition(asset, now))),
      );
    } catch (error) {
      const reason =
        error instanceof NeedsRuntime
          ? `its materialize needs ${error.message}`
          : `its materialize cannot run without data (${(error as Error).message})`;
      result.set(key, { asset: key, columns: null, reason });
      continue;
    }
    if (!(output instanceof SqlQuery)) {
      result.set(key, { asset: key, columns: null, reason: 'it returns rows or writes its target itself' });
      continue;
    }
    const tree = await parseDuckDbSql(duckdb, output.text);
    result.set(key, { asset: key, columns: columnLineageOf(tree, inputs), reason: null });
  }
  return result;
}
