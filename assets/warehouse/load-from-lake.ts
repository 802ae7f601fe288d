import type pg from 'pg';
import {
  hashFile,
  type MaterializeContext,
  type MaterializeResult,
  materialized,
  NEVER,
  quoteIdentifier,
  quoteLiteral,
  ShopflowError,
  scratchFiles,
} from '../../framework/index.js';
import type { LoadContext, LoadOptions, LoadResult } from '../../resources/postgres/table-loader.js';
import { incrementalSettings } from '../resources/incremental-settings.js';
import { postgresWarehouse } from '../resources/postgres-warehouse.js';
import { committedWatermark } from './committed-watermark.js';

/** Change data capture on a timestamp column: only rows newer than the last committed watermark. */
export interface Watermark {
  /** Timestamp column of the query's source relation (`updated_at`). */
  column: string;
  /** The table loaded (`shopflow.customers`): when it is empty, the load reads everything again. */
  table: string;
  /**
   * The dependency the source reads (`silver`): a change it reports dated before the watermark's
   * lookback (a re-delivered old change) widens the read to start there.
   */
  dep: string;
}

/**
 * Loads rows from the lake into a warehouse table: the DuckDB `source` relation is exported to an
 * ordered CSV and handed to `load` (staging COPY + upsert + audit in one transaction).
 *
 * With a `watermark`, only rows whose column is later than the last committed watermark minus the
 * configured lookback (`resources.incremental.lookbackHours`) are read — re-reading the lookback
 * window catches late arrivals, and the upsert makes re-reads harmless. The new watermark (the
 * greatest value read) is staged as a checkpoint, which the framework saves only after the
 * materialization is recorded, i.e. after the load committed. Loads also report from when the table
 * changed (`changedFrom`: the earliest source timestamp among the rows written, `never` when
 * nothing was), so daily partitions reading it as of their day (`asOfWindowMapping`) stay fresh.
 *
 * With `replacing`, the source is the whole content of the partition's slice of the table (the rows
 * whose `replacing` column holds the partition key, e.g. a delivery day): stored rows of it that
 * the source no longer holds are deleted in the same transaction.
 */
export async function loadFromLake(
  context: MaterializeContext,
  options: { source: string; select: string; orderBy: string; watermark?: Watermark; replacing?: string },
  load: (
    pool: pg.Pool,
    csv: string,
    loadContext: LoadContext,
    loadOptions?: LoadOptions,
  ) => Promise<LoadResult>,
): Promise<MaterializeResult> {
  const replacing = options.replacing;
  if (replacing && context.partitionKey === null) {
    throw new ShopflowError(
      'SF_USER_CODE',
      `asset \`${context.assetKey}\` replaces the rows of its partition in \`${replacing}\`, but it has no partitions`,
      { hint: 'partition the asset, or leave out `replacing`' },
    );
  }
  const warehouse = await context.resource(postgresWarehouse);
  let where = '';
  let since: string | null = null;
  let reloaded = false;
  if (options.watermark) {
    const { lookbackHours } = await context.resource(incrementalSettings);
    const saved = await context.checkpoints.get<string>(options.watermark.column);
    const start = await committedWatermark(warehouse.pool, options.watermark.table, saved);
    since = start.watermark ?? null;
    reloaded = start.reloaded;
    if (since) {
      where = await watermarkFilter(context, options.watermark, since, lookbackHours);
    }
  }
  const scratch = scratchFiles();
  const csv = scratch.path('rows.csv');
  try {
    const query = `select ${options.select} from ${options.source} ${where} order by ${options.orderBy}`;
    await context.duckdb.run(`COPY (${query}) TO ${quoteLiteral(csv)} (FORMAT csv, HEADER true)`);
    const result = await load(
      warehouse.pool,
      csv,
      { runId: context.runId, assetKey: context.assetKey, partitionKey: context.partitionKey },
      replacing ? { replacing: { column: replacing, value: context.partitionKey! } } : undefined,
    );
    const metadata: Record<string, unknown> = {
      inserted: result.inserted,
      updated: result.updated,
      unchanged: result.unchanged,
      rejected: result.rejected,
      ...(replacing ? { deleted: result.deleted } : {}),
      rejectedSample: result.rejectedSample.slice(0, 5),
      auditId: result.auditId,
      referenceCheck: result.referenceCheck,
    };
    // NOTE: from when the table changed: the earliest source timestamp among the rows written.
    const changedFrom =
      result.inserted + result.updated + result.deleted === 0 ? 'never' : result.earliestChange;
    if (options.watermark) {
      const column = options.watermark.column;
      const [{ newest }] = await context.duckdb.query(
        `select strftime(max(${column}), '%Y-%m-%dT%H:%M:%SZ') as newest from ${options.source}`,
      );
      const next = newest ? String(newest) : since;
      if (next) context.checkpoints.stage(next, column);
      Object.assign(metadata, {
        watermarkBefore: since,
        watermarkAfter: next,
        incremental: where !== '',
        readFilter: where || null,
        ...(reloaded ? { reloadedFromStart: 'the table was empty though a watermark was saved' } : {}),
      });
    }
    // NOTE: the data version describes the whole target content, not this batch: a hash of the full
    // ordered source, so an incremental load and a full load of the same data agree.
    let full = csv;
    if (where) {
      full = scratch.path('full.csv');
      await context.duckdb.run(
        `COPY (select ${options.select} from ${options.source} order by ${options.orderBy}) TO ${quoteLiteral(full)} (FORMAT csv, HEADER true)`,
      );
    }
    return materialized({
      rowCount: result.staged,
      dataVersion: (await hashFile(full)).sha256.slice(0, 20),
      metadata,
      changedFrom,
    });
  } finally {
    scratch.dispose();
  }
}

const HOUR_MS = 3_600_000;

/**
 * The rows an incremental load reads: those dated after the watermark minus the lookback, or from
 * the earliest change its source reports since the last load when that is earlier (a re-delivered
 * old change); every row when the source cannot tell what changed.
 */
export async function watermarkFilter(
  context: MaterializeContext,
  watermark: Pick<Watermark, 'column' | 'dep'>,
  since: string,
  lookbackHours: number,
): Promise<string> {
  const column = quoteIdentifier(watermark.column);
  const changed = await context.upstreamChangedFrom(watermark.dep);
  if (changed === null) return '';
  if (changed !== NEVER && Date.parse(changed) <= Date.parse(since) - lookbackHours * HOUR_MS) {
    return `where ${column} >= ${quoteLiteral(changed)}::TIMESTAMPTZ`;
  }
  return `where ${column} > ${quoteLiteral(since)}::TIMESTAMPTZ - INTERVAL ${quoteLiteral(`${lookbackHours} hours`)}`;
}
