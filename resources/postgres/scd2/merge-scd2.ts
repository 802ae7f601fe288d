// SCD Type 2 merge, set-based, in ONE transaction.
//
// State. For each natural key the dimension holds versions (surrogate key, tracked attributes,
// valid_from, valid_to, is_current, version) and the absorbed-changes table holds the changes that
// repeated the attributes already valid at their time. Together they are exactly the set of changes
// ever merged (minus exact repeats), so the result of a merge never depends on how changes were
// split into batches or in which order the batches came: merging incrementally equals rebuilding
// from every change at once.
//
// Algorithm.
//  1. Stage the incoming changes (COPY into a temporary table typed like the dimension); a change
//     without natural key or change time rejects the whole batch.
//  2. Lock the dimension (SHARE ROW EXCLUSIVE: merges of one dimension take turns; readers go on;
//     fact loads that lock it in SHARE mode wait for the merge, so they never resolve a version the
//     merge is about to replace).
//  3. For the natural keys of the batch, collect the events: stored versions (priority 0),
//     absorbed changes (1) and incoming changes (2; the later input row wins). Keep one event per
//     (natural key, change time), the highest priority: an incoming change at the same time as a
//     stored version corrects it, unless its attributes are the same, in which case it IS the stored
//     version (same surrogate key: a re-run is a no-op).
//  4. Order each key's events by change time. An event whose attributes differ from the previous
//     event's (or that comes first) starts a version; any other event is absorbed into the version
//     before it (no new version for a change equal to the version valid at that time). Versions are
//     numbered 1..n; valid_to is the next version's valid_from, infinity for the last, which is the
//     only current one. So intervals tile [first change, infinity) with no gap or overlap, a change
//     back to an earlier value is a new version (history kept), and a late change lands where its
//     time says: in the middle (splitting a version), or first.
//  5. Apply the difference: a stored version missing from the new chain (replaced by a correction,
//     or absorbed because a late identical change now starts it earlier) is deleted; a stored
//     version still in the chain keeps its surrogate key and attributes, only valid_to, is_current
//     and version may change; every other version is inserted with a new surrogate key. The absorbed
//     changes of the keys are rewritten. Statement order (delete, update, insert) never breaks the
//     one-current-version index or the (natural key, valid_from) key on the way.
//  6. Facts (spec.facts) referencing a deleted version or one whose interval or number changed are
//     re-pointed to the version valid at their time (`versionValidAt`); the dimension foreign keys
//     must be DEFERRABLE, as the merge defers them to commit.
//  7. A merge that changed more than a tenth of the dimension (or one never analyzed) analyzes it
//     before commit: fact loads hold the dimension in SHARE mode, so autovacuum rarely can.

import type pg from 'pg';
import { didYouMean } from '../../../framework/errors/did-you-mean.js';
import { isShopflowError, ShopflowError } from '../../../framework/errors/error-catalog.js';
import { copyIntoStage, type LoadRows } from '../copy-into-stage.js';
import { describePostgresError, isConnectionError } from '../postgres-error.js';
import { withTransaction } from '../with-transaction.js';
import { absorbedTableOf, SCD2_HOUSEKEEPING_COLUMNS, type Scd2Spec, validateScd2Spec } from './scd2-spec.js';
import { SCD2_TEMP_TABLES, scd2Statements } from './scd2-statements.js';

/** Who is merging: named in errors. */
export interface Scd2MergeContext {
  assetKey?: string;
  runId?: string;
}

/** What one merge did. */
export interface Scd2MergeResult {
  /** Incoming change rows. */
  staged: number;
  /** Natural keys the batch touched. */
  keys: number;
  /** Versions inserted (new surrogate keys), from incoming or from formerly absorbed changes. */
  inserted: number;
  /** Stored versions whose valid_to changed: closed by a newer version or shortened by a late one. */
  closed: number;
  /**
   * Stored versions deleted: corrected by a change with the same time and other attributes, or
   * absorbed because a late identical change now starts them earlier.
   */
  replaced: number;
  /** Incoming rows that made no new version (already present, or equal to the valid version). */
  unchanged: number;
  /** Fact rows re-pointed to another version, per fact table. */
  repointed: Record<string, number>;
  /**
   * The earliest instant (ISO 8601) from which the version valid for some natural key changed;
   * null when the merge changed no version.
   */
  earliestChange: string | null;
}

/** Tuning of one merge. */
export interface Scd2MergeOptions {
  /** Memory for sorts and window functions (default `128MB`, local to the merge). */
  workMem?: string;
}

/**
 * Merges a batch of changes (records or a CSV file with a header naming the natural key, the tracked
 * attributes and `changedAt`) into the SCD Type 2 dimension `spec.table`, in one transaction, with
 * the algorithm described at the top of this file. Re-merging the same batch changes nothing.
 * Raises `SF_INPUT_INVALID` for a bad spec or change, `SF_IO` when the tables are missing,
 * `SF_UNREACHABLE` when the server is gone; on any error nothing is written.
 *
 * @example
 * const result = await mergeScd2(pool, customerSpec, [
 *   { customer_id: 1, name: 'Ann', email: 'ann@x.io', country: 'DE', registration_date: '2023-05-01',
 *     updated_at: '2024-01-01T00:00:00Z' },
 * ]);
 * // { staged: 1, keys: 1, inserted: 1, closed: 0, replaced: 0, unchanged: 0, repointed: {} }
 */
export async function mergeScd2(
  pool: pg.Pool,
  spec: Scd2Spec,
  changes: LoadRows,
  context: Scd2MergeContext = {},
  options: Scd2MergeOptions = {},
): Promise<Scd2MergeResult> {
  validateScd2Spec(spec);
  const sql = scd2Statements(spec);
  try {
    return await withTransaction(pool, async (client) => {
      await client.query(`select set_config('work_mem', $1, true)`, [options.workMem ?? '128MB']);
      await client.query('set constraints all deferred');
      await checkColumns(client, spec);

      for (const statement of sql.createStage) await client.query(statement);
      const columns = (await client.query(sql.stageColumns)).rows as Array<{ name: string; type: string }>;
      const staged = await copyIntoStage(client, SCD2_TEMP_TABLES.stage, columns, changes);
      const incomplete = (await client.query(sql.firstIncomplete)).rows[0];
      if (incomplete) {
        throw new ShopflowError(
          'SF_INPUT_INVALID',
          `change ${incomplete.row} of the batch for ${spec.table} has no ${spec.naturalKey} or no ${spec.changedAt}`,
          { hint: 'every change needs its natural key and the time it became valid; nothing was merged' },
        );
      }
      const keys = (await client.query(sql.createKeys)).rowCount ?? 0;
      for (const statement of sql.analyze) await client.query(statement);

      await client.query(sql.lock);
      await client.query(sql.createOld);
      await client.query(sql.createEvents, [spec.table]);
      await client.query(sql.createChain);
      await client.query(sql.createTouched);
      await client.query(sql.analyzeTouched);
      const counts = (await client.query(sql.counts)).rows[0];
      const earliest = (await client.query(sql.earliestChange)).rows[0].earliest as unknown;

      const replaced = (await client.query(sql.deleteReplaced)).rowCount ?? 0;
      await client.query(sql.updateKept);
      const inserted = (await client.query(sql.insertNew)).rowCount ?? 0;
      for (const statement of sql.replaceAbsorbed) await client.query(statement, [spec.table]);
      const repointed: Record<string, number> = {};
      for (const fact of spec.facts ?? []) {
        const moved = (await client.query(sql.repoint(fact))).rowCount ?? 0;
        repointed[fact.table] = (repointed[fact.table] ?? 0) + moved;
      }
      const closed = Number(counts.closed);
      const analyzedRows = Number((await client.query(sql.dimensionRows)).rows[0].reltuples);
      if (statisticsAreStale(analyzedRows, inserted + closed + replaced)) {
        await client.query(sql.analyzeDimension);
      }
      return {
        staged,
        keys,
        inserted,
        closed,
        replaced,
        unchanged: staged - Number(counts.from_incoming),
        repointed,
        earliestChange:
          earliest instanceof Date && !Number.isNaN(earliest.getTime()) ? earliest.toISOString() : null,
      };
    });
  } catch (error) {
    throw asMergeError(error, spec, context);
  }
}

/**
 * Whether a dimension's planner statistics, taken when it had `analyzedRows` rows (-1: never), are
 * stale after `changed` more rows: autovacuum's own default rule (50 rows plus a tenth of the table).
 */
export function statisticsAreStale(analyzedRows: number, changed: number): boolean {
  return changed > 0 && (analyzedRows < 0 || changed > 50 + 0.1 * analyzedRows);
}

/** Checks that the dimension, the fact tables and their columns exist, naming what is missing. */
async function checkColumns(client: pg.PoolClient, spec: Scd2Spec): Promise<void> {
  const columnsOf = async (table: string): Promise<Set<string> | undefined> => {
    const found = await client.query('select to_regclass($1)::oid as oid', [table]);
    const oid = found.rows[0].oid;
    if (oid === null) return undefined;
    const result = await client.query(
      'select attname from pg_attribute where attrelid = $1 and attnum > 0 and not attisdropped',
      [oid],
    );
    return new Set(result.rows.map((row) => row.attname as string));
  };
  const require = async (table: string, wanted: string[], role: string) => {
    const have = await columnsOf(table);
    if (!have) {
      throw new ShopflowError('SF_IO', `the ${role} table \`${table}\` does not exist`, {
        hint: 'apply the warehouse DDL first (applyDdl), or fix the table name in the SCD2 spec',
      });
    }
    for (const name of wanted) {
      if (!have.has(name)) {
        throw new ShopflowError(
          'SF_INPUT_INVALID',
          `the ${role} table \`${table}\` has no column \`${name}\``,
          {
            hint: didYouMean(name, have) ?? `its columns: ${[...have].join(', ')}`,
          },
        );
      }
    }
  };
  await require(spec.table, [
    spec.surrogateKey,
    spec.naturalKey,
    ...spec.tracked,
    ...SCD2_HOUSEKEEPING_COLUMNS,
  ], 'dimension');
  await require(absorbedTableOf(spec), [
    'dimension',
    'natural_key',
    'changed_at',
    'attributes',
  ], 'absorbed-changes');
  for (const fact of spec.facts ?? []) await require(fact.table, [fact.foreignKey, fact.at], 'fact');
}

function asMergeError(error: unknown, spec: Scd2Spec, context: Scd2MergeContext): ShopflowError {
  if (isShopflowError(error)) return error;
  const who = context.assetKey ? ` for ${context.assetKey}` : '';
  const message = `merging changes into ${spec.table}${who} failed: ${describePostgresError(error)}`;
  if (isConnectionError(error)) {
    return new ShopflowError('SF_UNREACHABLE', message, {
      hint: 'check that the PostgreSQL server is running and reachable, then retry; nothing was merged',
      cause: error,
    });
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'))) {
    return new ShopflowError('SF_INPUT_INVALID', message, {
      hint: 'fix the offending change upstream and retry; the dimension was left unchanged',
      cause: error,
    });
  }
  return new ShopflowError('SF_IO', `${message}; the dimension was left unchanged`, { cause: error });
}
