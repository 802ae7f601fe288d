import type pg from 'pg';
import { isShopflowError, ShopflowError } from '../../framework/errors/error-catalog.js';
import { copyIntoStage, type LoadRows } from './copy-into-stage.js';
import { writeLoadAudit } from './load-audit.js';
import { loadStatements } from './load-statements.js';
import { describePostgresError, isConnectionError } from './postgres-error.js';
import {
  foreignKeysOf,
  foreignKeysQuery,
  hasOwnTriggers,
  lockReferencedRows,
  mayWriteWithoutRowTriggers,
  ownTriggersQuery,
  RESTORE_ROW_TRIGGERS,
  type ReferenceCheck,
} from './set-based-references.js';
import { type TableSpec, validateTableSpec } from './table-spec.js';
import { queryWithUniqueFallback, withTransaction } from './with-transaction.js';

/** Who is loading: recorded in `shopflow.load_audit`. */
export interface LoadContext {
  runId: string;
  assetKey: string;
  partitionKey?: string | null;
}

/** A row set aside, with its 1-based position in the input (data rows, header not counted). */
export interface RejectedRow {
  row: number;
  reason: string;
  /** The row as staged (column → value). */
  values: Record<string, unknown>;
}

/**
 * What one load did. `inserted + updated + unchanged + rejected = staged`; `deleted` counts stored
 * rows of the replaced slice that the input no longer holds (see `LoadOptions.replacing`).
 */
export interface LoadResult {
  /** Rows read from the input. */
  staged: number;
  inserted: number;
  updated: number;
  /**
   * Rows that changed nothing: identical to the stored row, older than it (`versionedBy`), or
   * superseded by a later row of the same key in this input.
   */
  unchanged: number;
  rejected: number;
  /** Stored rows of the replaced slice whose key the input no longer holds, deleted (0 without `replacing`). */
  deleted: number;
  /** The first rejected rows (up to `rejectedSampleSize`), in input order. */
  rejectedSample: RejectedRow[];
  /** The id of this load's `shopflow.load_audit` row. */
  auditId: number;
  /**
   * The earliest `versionedBy` value (ISO 8601) among the rows inserted, updated or deleted; null
   * when none was, or the table has no `versionedBy` column.
   */
  earliestChange: string | null;
  /**
   * How the written rows' foreign keys were checked: `set-based` when the loader's role may turn
   * its own foreign-key triggers off (see {@link mayWriteWithoutRowTriggers}), else `per-row`.
   */
  referenceCheck: ReferenceCheck;
}

/** Tuning of one load. */
export interface LoadOptions {
  /** How many rejected rows to return (default 10). */
  rejectedSampleSize?: number;
  /** Memory for the sort that picks one row per key (default `128MB`, local to the load). */
  workMem?: string;
  /**
   * The planner's cost of a random page read, local to the load (default `1.1`). PostgreSQL's
   * default (4) prices the index probes that check a day's references against a dimension as disk
   * seeks, so it hashes the whole dimension instead: 56 ms against 6 ms for 1,300 transactions
   * checked against 200,000 customers, whose index pages are in memory like the rest of a warehouse
   * that is loaded every day. Large loads still get hash joins.
   */
  randomPageCost?: number;
  /**
   * The input is the whole content of one slice of the table — the rows whose `column` equals
   * `value` (e.g. one delivery day): stored rows of that slice whose key the input does not hold
   * are deleted in the same transaction, so a re-delivered day that lost a row loses it here too.
   */
  replacing?: { column: string; value: string };
}

/**
 * Loads `rows` (records or a CSV file path) into `spec.table` in ONE transaction: COPY into a
 * temporary staging table, set aside rows that would break a constraint (with reasons), upsert the
 * lookup dimensions, then `INSERT … ON CONFLICT DO UPDATE` only where a compared column changed
 * (bumping `version` and `updated_at`), and append a `shopflow.load_audit` row. Loading the same
 * data twice changes nothing but the audit. On failure the data is rolled back, a `failed` audit
 * row is written in its own transaction, and the error is rethrown (`SF_INPUT_INVALID` for bad
 * values, `SF_UNREACHABLE` for a lost server, `SF_IO` otherwise).
 *
 * @example
 * const result = await loadTable(pool, customersSpec, 'data/raw/customers.csv',
 *   { runId: run.id, assetKey: 'pg_customers', partitionKey: '2024-01-15' });
 * // { staged: 1000, inserted: 12, updated: 3, unchanged: 985, rejected: 0, rejectedSample: [], auditId: 41 }
 */
export async function loadTable(
  pool: pg.Pool,
  spec: TableSpec,
  rows: LoadRows,
  context: LoadContext,
  options: LoadOptions = {},
): Promise<LoadResult> {
  validateTableSpec(spec);
  const sql = loadStatements(spec);
  const startedAt = new Date();
  try {
    // NOTE: the settings, the session's staging tables and the catalog facts the reference check
    // needs go with the `begin`: one round trip.
    const prelude = [
      sql.prepare({ workMem: options.workMem ?? '128MB', randomPageCost: options.randomPageCost ?? 1.1 }),
      ownTriggersQuery(spec.table),
      foreignKeysQuery(spec.table),
    ].join(';\n');
    return await withTransaction(
      pool,
      async (client, prepared) => {
        const catalog = {
          ownTriggers: hasOwnTriggers(prepared.at(-2)!),
          foreignKeys: foreignKeysOf(prepared.at(-1)!),
        };
        const staged = await copyIntoStage(client, sql.stageTable, spec.columns, rows);

        let rejected = 0;
        let rejectedSample: RejectedRow[] = [];
        if (sql.insertRejects) {
          rejected = (await client.query(sql.insertRejects.text, sql.insertRejects.values)).rowCount ?? 0;
        }
        if (rejected > 0) {
          const sample = await client.query(sql.rejectedSample, [options.rejectedSampleSize ?? 10]);
          rejectedSample = sample.rows.map((row) => ({
            row: Number(row.row),
            reason: row.reason as string,
            values: row.values as Record<string, unknown>,
          }));
        }
        // NOTE: two round trips from here to the written rows. The first: the lookup upserts, the
        // set-based reference check (which turns the row triggers off only when no referenced row
        // is missing) and whether the smallest staged key is stored (`firstKeyStored`). The
        // second: the write and the triggers back on. When that key is stored (a re-load) the
        // write is the upsert; otherwise it first tries a plain INSERT, and when a key is stored
        // after all (or another load commits one meanwhile) that fails on the key, is undone to its
        // savepoint and done again through the upsert in a third round trip (see
        // `loadStatements().write`). The reference check's row comes back whichever write ran.
        const lockReferences = await setBasedReferenceCheck(pool, client, catalog, sql, rejected > 0);
        const lookups = sql.lookups(rejected > 0);
        const { before, main } = await queryWithUniqueFallback(client, {
          before: [...lookups, ...(lockReferences ? [lockReferences] : [])],
          probe: sql.firstKeyStored(rejected > 0),
          first: [sql.write(rejected > 0, 'insert')],
          fallback: [sql.write(rejected > 0, 'upsert')],
          after: lockReferences ? [RESTORE_ROW_TRIGGERS] : [],
        });
        const triggersOff = Number(before[lookups.length]?.rows[0]?.missing) === 0;
        const referenceCheck: ReferenceCheck = lockReferences && triggersOff ? 'set-based' : 'per-row';
        const written = main[0];
        const inserted = Number(written.rows[0].inserted);
        const updated = Number(written.rows[0].updated);
        let deleted = 0;
        const changes = [written.rows[0].earliest_change as unknown];
        if (options.replacing) {
          const { rows } = await client.query(sql.deleteAbsent(options.replacing.column), [
            options.replacing.value,
          ]);
          deleted = Number(rows[0].deleted);
          changes.push(rows[0].earliest_change);
        }
        const earliestChange = earliestOf(changes);
        const unchanged = staged - rejected - inserted - updated;
        const auditId = await writeLoadAudit(client, {
          ...context,
          targetTable: spec.table,
          inserted,
          updated,
          unchanged,
          rejected,
          deleted,
          startedAt,
          status: 'success',
        });
        return {
          staged,
          inserted,
          updated,
          unchanged,
          rejected,
          deleted,
          rejectedSample,
          auditId,
          earliestChange,
          referenceCheck,
        };
      },
      prelude,
    );
  } catch (error) {
    const failure = asLoadError(error, spec, context);
    await writeLoadAudit(pool, {
      ...context,
      targetTable: spec.table,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      rejected: 0,
      deleted: 0,
      startedAt,
      status: 'failed',
      error: failure.message,
    }).catch(() => {
      // NOTE: when the server is gone the audit cannot be written either; the load error (which
      // says so) matters more than this one.
    });
    throw failure;
  }
}

/**
 * The statement that checks the references of the rows about to be written at once instead of one
 * trigger per row and foreign key (most of a large load's time: at 300,000 transactions 5.2 s
 * against 2.4 s): every referenced row is looked up and locked `FOR KEY SHARE`, as the triggers
 * would, and when all were found the transaction's foreign-key triggers are off for the upsert.
 * Undefined where the role may not turn them off, the table has triggers of its own, or a key's
 * values are not plain staged columns; there, and where a value has no row (a source row with no
 * reject rule for it), PostgreSQL checks each row as before, and names the offending one.
 */
async function setBasedReferenceCheck(
  pool: pg.Pool,
  client: pg.PoolClient,
  catalog: { ownTriggers: boolean; foreignKeys: ReturnType<typeof foreignKeysOf> },
  sql: ReturnType<typeof loadStatements>,
  withRejects: boolean,
): Promise<string | undefined> {
  if (!(await mayWriteWithoutRowTriggers(pool, client))) return undefined;
  if (catalog.ownTriggers) return undefined;
  const { keys, complete } = catalog.foreignKeys;
  const references = complete ? sql.referencedValues(keys, withRejects) : undefined;
  return references ? lockReferencedRows(references) : undefined;
}

/** The earliest of some timestamps read from PostgreSQL (ISO 8601), ignoring nulls; null when none. */
function earliestOf(values: unknown[]): string | null {
  const times = values
    .filter((value): value is Date => value instanceof Date && !Number.isNaN(value.getTime()))
    .map((value) => value.getTime());
  return times.length === 0 ? null : new Date(Math.min(...times)).toISOString();
}

function asLoadError(error: unknown, spec: TableSpec, context: LoadContext): ShopflowError {
  if (isShopflowError(error)) return error;
  const where = `${context.assetKey}${context.partitionKey ? `[${context.partitionKey}]` : ''}`;
  const message = `loading ${spec.table} for ${where} failed: ${describePostgresError(error)}`;
  if (isConnectionError(error)) {
    return new ShopflowError('SF_UNREACHABLE', message, {
      hint: 'check that the PostgreSQL server is running and reachable, then retry; nothing was written',
      cause: error,
    });
  }
  const code = (error as { code?: unknown }).code;
  if (code === '42P01' || code === '3F000') {
    return new ShopflowError('SF_IO', message, {
      hint: 'the warehouse schema is missing; apply sql/ddl first (applyDdl)',
      cause: error,
    });
  }
  if (typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'))) {
    return new ShopflowError('SF_INPUT_INVALID', message, {
      hint: 'fix or quarantine the offending row upstream and retry; the table was left unchanged',
      cause: error,
    });
  }
  return new ShopflowError('SF_IO', `${message}; the table was left unchanged`, { cause: error });
}
