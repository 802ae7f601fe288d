import { ShopflowError } from '../errors/error-catalog.js';
import type { ShopflowRuntime } from '../runtime/shopflow-runtime.js';
import { duckdbPlan, statementOf } from './run-step.js';

/** What `shopflow explain` prints. */
export interface AssetExplanation {
  asset: string;
  partition: string | null;
  /** `duckdb`, or the engine of an `explainOn` explainer (e.g. `postgres`). */
  engine: string;
  analyze: boolean;
  /** The DuckDB statement (DuckDB only). */
  statement: string | null;
  plan: string;
}

/**
 * The plan of the statement an asset computes a partition with: DuckDB's, from the partition's
 * materialized upstream data exactly as a run would read it, writing nothing (see `statementOf`);
 * or, with `engine`, the asset's own explainer for that engine (`explainOn`, e.g. the same query
 * on the PostgreSQL warehouse). Without `partition`, the latest materialized one.
 *
 * @example
 * const { plan } = await explainAsset(runtime, 'top_customers', { engine: 'postgres', analyze: true });
 */
export async function explainAsset(
  runtime: ShopflowRuntime,
  assetKey: string,
  options: { partition?: string; analyze?: boolean; engine?: string } = {},
): Promise<AssetExplanation> {
  const asset = runtime.graph.get(assetKey);
  const analyze = options.analyze === true;
  let partitionKey: string | null = null;
  if (asset.partitions) {
    if (options.partition) {
      asset.partitions.validate(options.partition, runtime.services.now());
      partitionKey = options.partition;
    } else {
      const [latest] = await runtime.store.listMaterializations({ assetKey, limit: 1 });
      if (!latest) {
        throw new ShopflowError(
          'SF_BAD_USAGE',
          `asset \`${assetKey}\` is partitioned and was never materialized`,
          {
            hint: `name one: shopflow explain ${assetKey} --partition KEY`,
          },
        );
      }
      partitionKey = latest.partitionKey;
    }
  } else if (options.partition) {
    throw new ShopflowError('SF_BAD_PARTITION', `asset \`${assetKey}\` is not partitioned`, {
      hint: 'drop --partition',
    });
  }
  const engine = options.engine ?? 'duckdb';
  if (engine !== 'duckdb') {
    const explainer = asset.explainOn?.[engine];
    if (!explainer) {
      const known = ['duckdb', ...Object.keys(asset.explainOn ?? {})];
      throw new ShopflowError('SF_BAD_USAGE', `asset \`${assetKey}\` has no plan on ${engine}`, {
        hint: `its engines: ${known.join(', ')}`,
      });
    }
    const plan = await explainer({ partitionKey, analyze, resource: (d) => runtime.resources.get(d) });
    return { asset: assetKey, partition: partitionKey, engine, analyze, statement: null, plan };
  }
  const duckdb = await runtime.engine.session();
  try {
    const statement = await statementOf(runtime.services, asset, partitionKey, duckdb);
    if (statement === null) {
      throw new ShopflowError(
        'SF_BAD_USAGE',
        `asset \`${assetKey}\` does not compute its data with one DuckDB statement (it returns rows or writes its target itself): there is no plan to explain`,
        {
          hint: asset.explainOn
            ? `its other engines: ${Object.keys(asset.explainOn).join(', ')} (--on ENGINE)`
            : 'explain an asset whose materialize returns duckdb.sql`…`',
        },
      );
    }
    const plan = await duckdbPlan(duckdb, statement, analyze);
    return { asset: assetKey, partition: partitionKey, engine, analyze, statement, plan };
  } finally {
    duckdb.close();
  }
}
