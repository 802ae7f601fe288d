import {
  type InputHandle,
  type MaterializeContext,
  type MaterializeResult,
  materialized,
  quoteIdentifier,
  quoteLiteral,
  scratchFiles,
} from '../../framework/index.js';
import { mergeScd2 } from '../../resources/postgres/scd2/merge-scd2.js';
import type { Scd2Spec } from '../../resources/postgres/scd2/scd2-spec.js';
import { incrementalSettings } from '../resources/incremental-settings.js';
import { postgresWarehouse } from '../resources/postgres-warehouse.js';
import { committedWatermark } from './committed-watermark.js';
import { watermarkFilter } from './load-from-lake.js';
import { tableContentVersion } from './table-content-version.js';

const HOUR_MS = 3_600_000;
/** The checkpoint holding the newest change time merged so far (ISO 8601, UTC). */
export const WATERMARK_CHECKPOINT = 'updated_at';

/**
 * Loads an SCD2 dimension incrementally from a lake table of versions: reads only the rows whose
 * `spec.changedAt` is later than the watermark minus `resources.incremental.lookbackHours` (72 by
 * default; every row on the first run, when there is no watermark yet), merges them with
 * {@link mergeScd2}, and stages the new watermark (the newest change time read), which the
 * framework saves only once the materialization is recorded, so a failed merge never advances it.
 *
 * The lookback catches a change that reaches silver late but is dated at most `lookbackHours`
 * before the newest change already merged; a change dated even earlier (a re-delivered old day)
 * is read because silver reports from when it changed since the last merge
 * (`upstreamChangedFrom`), and the read then starts there. Re-reading changes already merged is
 * harmless (the merge is idempotent).
 *
 * The data version is the hash of the whole dimension, so a merge that changes nothing changes no
 * version and leaves `fact_sales` fresh.
 *
 * @example
 * materialize: (context) => mergeDimensionFromLake(context, dimCustomerScd2, context.deps.silver)
 */
export async function mergeDimensionFromLake(
  context: MaterializeContext,
  spec: Scd2Spec,
  dep: string,
): Promise<MaterializeResult> {
  const source = (context.deps as Record<string, InputHandle>)[dep]!;
  const { lookbackHours } = await context.resource(incrementalSettings);
  const warehouse = await context.resource(postgresWarehouse);
  const { watermark, reloaded } = await committedWatermark(
    warehouse.pool,
    spec.table,
    await context.checkpoints.get<string>(WATERMARK_CHECKPOINT),
  );
  const since = watermark === undefined ? null : new Date(Date.parse(watermark) - lookbackHours * HOUR_MS);
  const changedAt = quoteIdentifier(spec.changedAt);
  const columns = [spec.naturalKey, ...spec.tracked, spec.changedAt].map(quoteIdentifier).join(', ');
  const filter =
    watermark === undefined
      ? ''
      : await watermarkFilter(context, { column: spec.changedAt, dep }, watermark, lookbackHours);
  const query = `select ${columns} from ${source.toSql()}
    ${filter}
    order by ${quoteIdentifier(spec.naturalKey)}, ${changedAt}`;

  const scratch = scratchFiles();
  const csv = scratch.path('changes.csv');
  try {
    await context.duckdb.run(`COPY (${query}) TO ${quoteLiteral(csv)} (FORMAT csv, HEADER true)`);
    const [read] = await context.duckdb.query(
      `select count(*)::BIGINT as n, epoch_ms(max(${changedAt}))::BIGINT as newest from (${query})`,
    );
    const result = await mergeScd2(warehouse.pool, spec, csv, {
      assetKey: context.assetKey,
      runId: context.runId,
    });
    const newest = read.newest === null ? undefined : new Date(Number(read.newest)).toISOString();
    const next = [watermark, newest]
      .filter((v): v is string => v !== undefined)
      .sort()
      .at(-1);
    if (next !== undefined) context.checkpoints.stage(next, WATERMARK_CHECKPOINT);
    const version = await tableContentVersion(warehouse, spec.table);
    // NOTE: the merge says from when the version valid for some customer changed; facts of earlier
    // days keep their dimension versions (facts it re-pointed, it re-pointed itself).
    const changed = result.inserted + result.closed + result.replaced > 0;
    const changedFrom = !changed ? 'never' : result.earliestChange;
    return materialized({
      changedFrom,
      rowCount: version.rowCount,
      dataVersion: version.dataVersion,
      metadata: {
        read: Number(read.n),
        readSince: since?.toISOString() ?? null,
        readFilter: filter || null,
        ...(reloaded ? { reloadedFromStart: 'the dimension was empty though a watermark was saved' } : {}),
        lookbackHours,
        watermark: next ?? null,
        keys: result.keys,
        inserted: result.inserted,
        closed: result.closed,
        replaced: result.replaced,
        unchanged: result.unchanged,
        repointed: result.repointed,
      },
    });
  } finally {
    scratch.dispose();
  }
}
