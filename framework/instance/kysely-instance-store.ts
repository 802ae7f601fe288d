import { randomUUID } from 'node:crypto';
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import { ShopflowError } from '../errors/error-catalog.js';
import { decodeAssetPartitionStates, decodePlannerStates, latestItems } from './asset-partition-items.js';
import { plannerStatesSql, stateArraySql } from './asset-partition-sql.js';
import type {
  AssetPartitionState,
  AttemptRecordInput,
  BackfillPartitionStatus,
  BackfillPatch,
  BackfillRecord,
  BackfillStatus,
  CheckEvaluationRecord,
  EventRecord,
  EventType,
  InstanceStore,
  LeaseRecord,
  LeaseResult,
  LineageInput,
  LockHolder,
  LockResult,
  MaterializationRecord,
  NewBackfill,
  NewCheckEvaluation,
  NewEvent,
  NewMaterialization,
  NewRun,
  NewTick,
  RunPatch,
  RunRecord,
  RunStatus,
  SentAlert,
  StepResult,
  TickKind,
  TickPatch,
  TickRecord,
  TickStatus,
} from './instance-store.js';
import {
  attemptFields,
  CHECK_COLUMNS,
  lockRow,
  MATERIALIZATION_COLUMNS,
  type MaterializationRow,
  type RunRow,
  toCheck,
  toEvent,
  toHolder,
  toMaterialization,
  toRun,
} from './record-mappers.js';
import {
  leaseRow,
  type TickRow,
  tickPatchRow,
  toBackfill,
  toBackfillPartition,
  toLease,
  toSentAlert,
  toTick,
} from './schedule-record-mappers.js';
import { type AssetPartitionsTable, type Database, UNPARTITIONED } from './schema.js';

/** What a backend hands the shared store: its database and what only the backend knows how to do. */
export interface KyselyInstanceStoreOptions {
  backend: InstanceStore['backend'];
  db: Kysely<Database>;
  /** The schema `db` is bound to (`withSchema`), which the store's `sql` templates name themselves. */
  schema?: string;
  /** Applies pending migrations while holding the backend's cross-process migration lock. */
  migrate(): Promise<void>;
  /**
   * Called inside a transaction right before an event is inserted, so that event ids become
   * visible in increasing order (needed where writers run in parallel, i.e. PostgreSQL).
   */
  lockEventSequence?(trx: Transaction<Database>): Promise<void>;
  /** Releases the database; without it, `close()` destroys `db`. */
  close?(): Promise<void>;
}

// NOTE: well below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters per statement.
const CHUNK = 500;

type Executor = Kysely<Database> | Transaction<Database>;

function now(): string {
  return new Date().toISOString();
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * A column list written once, for the INSERT templates below: the writes every step makes are
 * `sql` templates rather than Kysely's query builder, whose build and compile cost more per
 * statement than SQLite takes to run them. A template is the same text on SQLite and PostgreSQL
 * (each dialect writes its own parameter markers: `?` or `$1`).
 */
function columnList(names: readonly string[]): RawBuilder<unknown> {
  return sql.raw(names.map((name) => `"${name}"`).join(', '));
}

/** Values of `row` in the order of `columns`. */
function inColumnOrder<C extends string>(columns: readonly C[], row: Record<C, unknown>): unknown[] {
  return columns.map((column) => row[column]);
}

/** `(…)`: a parenthesized list of parameters. */
function valueRow(row: readonly unknown[]): RawBuilder<unknown> {
  return sql`(${sql.join(row)})`;
}

/** `(…), (…)`: one {@link valueRow} per row. */
function valueRows(rows: ReadonlyArray<readonly unknown[]>): RawBuilder<unknown> {
  return sql.join(rows.map(valueRow));
}

const EVENT_COLUMNS = columnList([
  'run_id',
  'ts',
  'type',
  'asset_key',
  'partition_key',
  'message',
  'data_json',
]);
const LINEAGE_COLUMNS = columnList([
  'materialization_id',
  'position',
  'upstream_asset_key',
  'upstream_partition_key',
  'upstream_materialization_id',
  'upstream_data_version',
]);
const MATERIALIZATION_LIST = columnList(MATERIALIZATION_COLUMNS);
const CHECK_LIST = columnList(CHECK_COLUMNS);
const LOCK_COLUMNS = columnList(['key', 'run_id', 'pid', 'hostname', 'acquired_at', 'heartbeat_at']);

const TEMPLATE_TABLES = [
  'events',
  'materializations',
  'lineage',
  'check_evaluations',
  'locks',
  'asset_partitions',
] as const;

/** The tables the templates write, qualified by `schema` when there is one. */
function templateTables(schema: string | undefined) {
  const prefix = schema === undefined ? '' : `"${schema.replaceAll('"', '""')}".`;
  return Object.fromEntries(TEMPLATE_TABLES.map((name) => [name, sql.raw(`${prefix}"${name}"`)])) as Record<
    (typeof TEMPLATE_TABLES)[number],
    RawBuilder<unknown>
  >;
}

/** The column list and `do update` clause of a partition state upsert, by the fields it sets. */
const stateUpserts = new Map<string, { columns: RawBuilder<unknown>; updates: RawBuilder<unknown> }>();

function stateUpsertOf(names: readonly string[]) {
  const key = names.join(',');
  let found = stateUpserts.get(key);
  if (!found) {
    found = {
      columns: columnList(['asset_key', 'partition_key', ...names]),
      updates: sql.raw(names.map((name) => `"${name}" = excluded."${name}"`).join(', ')),
    };
    stateUpserts.set(key, found);
  }
  return found;
}

function byText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function assertPartitionKey(partitionKey: string | null, assetKey: string): void {
  if (partitionKey === UNPARTITIONED) {
    throw new ShopflowError(
      'SF_BAD_PARTITION',
      `asset \`${assetKey}\` was given the empty partition key \`''\``,
      {
        hint: 'pass `null` for an unpartitioned asset',
      },
    );
  }
}

/** A materialization as recorded: its id (a new one unless given) and its time (now unless given). */
function materializationRecord(materialization: NewMaterialization): MaterializationRecord {
  assertPartitionKey(materialization.partitionKey, materialization.assetKey);
  return {
    ...materialization,
    id: materialization.id ?? randomUUID(),
    createdAt: materialization.createdAt ?? now(),
  };
}

function checkEvaluationRecords(evaluations: readonly NewCheckEvaluation[]): CheckEvaluationRecord[] {
  const at = now();
  return evaluations.map((evaluation) => ({
    ...evaluation,
    id: randomUUID(),
    createdAt: evaluation.createdAt ?? at,
  }));
}

/**
 * The instance store over a Kysely database, shared by the SQLite and PostgreSQL backends: every
 * query is written once and runs unchanged on both. Backends construct it; users call
 * `openInstanceStore`.
 *
 * @example
 * const store = new KyselyInstanceStore({ backend: 'sqlite', db, migrate: () => migrateSqliteDatabase(db, path) });
 * await store.migrate();
 * const run = await store.createRun({ selection: '*', plan: { steps: [] } });
 */
export class KyselyInstanceStore implements InstanceStore {
  readonly backend: InstanceStore['backend'];
  readonly #options: KyselyInstanceStoreOptions;
  readonly #db: Kysely<Database>;
  readonly #table: ReturnType<typeof templateTables>;
  #closed = false;

  constructor(options: KyselyInstanceStoreOptions) {
    this.backend = options.backend;
    this.#options = options;
    this.#db = options.db;
    this.#table = templateTables(options.schema);
  }

  async migrate(): Promise<void> {
    await this.#options.migrate();
  }

  async checkIntegrity(): Promise<string[]> {
    if (this.backend === 'postgres') {
      await sql`SELECT 1`.execute(this.#db);
      return [];
    }
    const { rows } = await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(this.#db);
    const messages = rows.map((r) => String(Object.values(r)[0]));
    return messages.length === 1 && messages[0] === 'ok' ? [] : messages;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await (this.#options.close ? this.#options.close() : this.#db.destroy());
  }

  // ---- runs -------------------------------------------------------------------------------------

  async createRun(run: NewRun): Promise<RunRecord> {
    const record: RunRecord = {
      id: run.id ?? randomUUID(),
      status: run.status ?? 'queued',
      selection: run.selection,
      plan: run.plan,
      tags: run.tags ?? {},
      parentRunId: run.parentRunId ?? null,
      createdAt: now(),
      startedAt: null,
      finishedAt: null,
      pid: run.pid ?? null,
      hostname: run.hostname ?? null,
      heartbeatAt: null,
      error: null,
    };
    await this.#db
      .insertInto('runs')
      .values({
        id: record.id,
        status: record.status,
        selection: record.selection,
        plan_json: JSON.stringify(record.plan ?? null),
        tags_json: JSON.stringify(record.tags),
        parent_run_id: record.parentRunId,
        created_at: record.createdAt,
        pid: record.pid,
        hostname: record.hostname,
      })
      .execute();
    return record;
  }

  async updateRun(id: string, patch: RunPatch): Promise<void> {
    const set = runPatchRow(patch);
    const found =
      Object.keys(set).length > 0
        ? Number(
            (await this.#db.updateTable('runs').set(set).where('id', '=', id).executeTakeFirst())
              .numUpdatedRows,
          ) > 0
        : (await this.getRun(id)) !== undefined;
    if (!found) {
      throw new ShopflowError('SF_UNKNOWN_RUN', `cannot update run \`${id}\`: no run has this id`, {
        hint: 'list runs with `shopflow runs`',
      });
    }
  }

  async transitionRun(id: string, from: readonly RunStatus[], patch: RunPatch): Promise<boolean> {
    if (from.length === 0) return false;
    const result = await this.#db
      .updateTable('runs')
      .set(runPatchRow(patch))
      .where('id', '=', id)
      .where('status', 'in', [...from])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const row = await this.#db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRun(row);
  }

  async findRunsByPrefix(prefix: string): Promise<RunRecord[]> {
    // NOTE: `substr` rather than LIKE: LIKE ignores case on SQLite but not on PostgreSQL.
    const rows = await this.#db
      .selectFrom('runs')
      .selectAll()
      .where((eb) => eb(eb.fn<string>('substr', ['id', eb.val(1), eb.val(prefix.length)]), '=', prefix))
      .orderBy('created_at', 'desc')
      .orderBy('seq', 'desc')
      .execute();
    return rows.map(toRun);
  }

  async listRuns(options: { limit?: number; status?: RunStatus[] } = {}): Promise<RunRecord[]> {
    if (options.status?.length === 0) return [];
    let query = this.#db.selectFrom('runs').selectAll().orderBy('created_at', 'desc').orderBy('seq', 'desc');
    if (options.status) query = query.where('status', 'in', options.status);
    if (options.limit !== undefined) query = query.limit(options.limit);
    return (await query.execute()).map(toRun);
  }

  // ---- events -----------------------------------------------------------------------------------

  async appendEvent(event: NewEvent): Promise<EventRecord> {
    if (!this.#options.lockEventSequence) return await this.#insertEvent(this.#db, event);
    return await this.#db.transaction().execute((trx) => this.#insertEvent(trx, event));
  }

  async appendEvents(events: readonly NewEvent[]): Promise<EventRecord[]> {
    if (events.length === 0) return [];
    if (events.length === 1) return [await this.appendEvent(events[0]!)];
    if (!this.#options.lockEventSequence && events.length <= CHUNK) {
      return await this.#insertEvents(this.#db, events);
    }
    return await this.#db.transaction().execute((trx) => this.#insertAllEvents(trx, events));
  }

  /** Inserts any number of events, in order, {@link CHUNK} per statement. */
  async #insertAllEvents(db: Executor, events: readonly NewEvent[]): Promise<EventRecord[]> {
    const records: EventRecord[] = [];
    for (const chunk of chunks(events)) records.push(...(await this.#insertEvents(db, chunk)));
    return records;
  }

  async #insertEvent(db: Executor, event: NewEvent): Promise<EventRecord> {
    const [record] = await this.#insertEvents(db, [event]);
    return record!;
  }

  /** Inserts `events` (at most {@link CHUNK}) in one statement, in order. */
  async #insertEvents(db: Executor, events: readonly NewEvent[]): Promise<EventRecord[]> {
    const at = now();
    const records: Array<Omit<EventRecord, 'id'>> = events.map((event) => ({
      runId: event.runId,
      ts: event.ts ?? at,
      type: event.type,
      assetKey: event.assetKey ?? null,
      partitionKey: event.partitionKey ?? null,
      message: event.message ?? null,
      data: event.data ?? {},
    }));
    if (this.#options.lockEventSequence && db.isTransaction) {
      await this.#options.lockEventSequence(db as Transaction<Database>);
    }
    const values = valueRows(
      records.map((record) => [
        record.runId,
        record.ts,
        record.type,
        record.assetKey,
        record.partitionKey,
        record.message,
        JSON.stringify(record.data),
      ]),
    );
    const { rows } = await sql<{ id: number | string }>`
      insert into ${this.#table.events} (${EVENT_COLUMNS}) values ${values} returning "id"`.execute(db);
    // NOTE: one statement inserts its rows in the order given, so their ids increase in that order;
    // RETURNING itself promises no order, hence the sort.
    const ids = rows.map((row) => Number(row.id)).sort((a, b) => a - b);
    return records.map((record, index) => ({ id: ids[index]!, ...record }));
  }

  async listEvents(
    options: {
      runId?: string;
      afterId?: number;
      beforeId?: number;
      assetKey?: string;
      partitionKey?: string | null;
      types?: EventType[];
      limit?: number;
      newestFirst?: boolean;
    } = {},
  ): Promise<EventRecord[]> {
    if (options.types?.length === 0) return [];
    let query = this.#db
      .selectFrom('events')
      .selectAll()
      .orderBy('id', options.newestFirst ? 'desc' : 'asc');
    if (options.runId !== undefined) query = query.where('run_id', '=', options.runId);
    if (options.afterId !== undefined) query = query.where('id', '>', options.afterId);
    if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
    if (options.assetKey !== undefined) query = query.where('asset_key', '=', options.assetKey);
    if (options.partitionKey !== undefined) {
      query =
        options.partitionKey === null
          ? query.where('partition_key', 'is', null)
          : query.where('partition_key', '=', options.partitionKey);
    }
    if (options.types) query = query.where('type', 'in', options.types);
    if (options.limit !== undefined) query = query.limit(options.limit);
    return (await query.execute()).map(toEvent);
  }

  // ---- materializations -------------------------------------------------------------------------

  async recordMaterialization(materialization: NewMaterialization): Promise<MaterializationRecord> {
    const record = materializationRecord(materialization);
    await this.#db.transaction().execute((trx) => this.#writeMaterialization(trx, record));
    return record;
  }

  async recordStepResult(result: StepResult): Promise<{
    materialization: MaterializationRecord;
    checkEvaluations: CheckEvaluationRecord[];
    events: EventRecord[];
  }> {
    const record = materializationRecord(result.materialization);
    const evaluations = checkEvaluationRecords(
      result.checkEvaluations.map((evaluation) => ({ ...evaluation, materializationId: record.id })),
    );
    return await this.#db.transaction().execute(async (trx) => {
      for (const [name, value] of result.checkpoints) await this.#writeCheckpoint(trx, name, value);
      await this.#insertCheckEvaluations(trx, evaluations);
      const events = await this.#writeMaterialization(trx, record, result.events);
      if (result.releaseLock) {
        const { key, runId } = result.releaseLock;
        await sql`delete from ${this.#table.locks} where "key" = ${key} and "run_id" = ${runId}`.execute(trx);
      }
      return { materialization: record, checkEvaluations: evaluations, events };
    });
  }

  /**
   * The materialization, its lineage, the asset partition's new state and the `materialization`
   * event, followed by `events` in the same statement; returns the records of `events`.
   */
  async #writeMaterialization(
    trx: Transaction<Database>,
    record: MaterializationRecord,
    events: readonly NewEvent[] = [],
  ): Promise<EventRecord[]> {
    const row = inColumnOrder(MATERIALIZATION_COLUMNS, {
      id: record.id,
      run_id: record.runId,
      asset_key: record.assetKey,
      partition_key: record.partitionKey,
      data_version: record.dataVersion,
      code_version: record.codeVersion,
      row_count: record.rowCount,
      metadata_json: JSON.stringify(record.metadata),
      created_at: record.createdAt,
    });
    await sql`insert into ${this.#table.materializations} (${MATERIALIZATION_LIST}) values ${valueRow(row)}`.execute(
      trx,
    );
    const lineage = record.inputs.map((input, position) => [
      record.id,
      position,
      input.assetKey,
      input.partitionKey,
      input.materializationId,
      input.dataVersion,
    ]);
    for (const chunk of chunks(lineage)) {
      await sql`insert into ${this.#table.lineage} (${LINEAGE_COLUMNS}) values ${valueRows(chunk)}`.execute(
        trx,
      );
    }
    const latest = {
      materialization_id: record.id,
      data_version: record.dataVersion,
      code_version: record.codeVersion,
      row_count: record.rowCount,
      materialized_at: record.createdAt,
      latest_items: latestItems(record),
      ...attemptFields({ ...record, status: 'success', at: record.createdAt, error: null }),
    };
    await this.#upsertPartitionState(trx, record, latest);
    const materialized: NewEvent = {
      runId: record.runId,
      ts: record.createdAt,
      type: 'materialization',
      assetKey: record.assetKey,
      partitionKey: record.partitionKey,
      data: { materializationId: record.id, dataVersion: record.dataVersion, rowCount: record.rowCount },
    };
    const [, ...records] = await this.#insertAllEvents(trx, [materialized, ...events]);
    return records;
  }

  async recordAttempt(attempt: AttemptRecordInput, events: readonly NewEvent[] = []): Promise<EventRecord[]> {
    assertPartitionKey(attempt.partitionKey, attempt.assetKey);
    if (events.length === 0) return await this.#writeAttempt(this.#db, attempt, events);
    return await this.#db.transaction().execute((trx) => this.#writeAttempt(trx, attempt, events));
  }

  async #writeAttempt(
    db: Executor,
    attempt: AttemptRecordInput,
    events: readonly NewEvent[],
  ): Promise<EventRecord[]> {
    const fields = attemptFields({ ...attempt, at: attempt.at ?? now(), error: attempt.error ?? null });
    await this.#upsertPartitionState(db, attempt, fields);
    return await this.#insertAllEvents(db, events);
  }

  /** Sets `fields` of the state row of an asset partition, creating the row when it is the first. */
  async #upsertPartitionState(
    db: Executor,
    partition: { assetKey: string; partitionKey: string | null },
    fields: Pick<AssetPartitionsTable, 'attempt_items'> &
      Partial<Omit<AssetPartitionsTable, 'asset_key' | 'partition_key'>>,
  ): Promise<void> {
    const names = Object.keys(fields).filter((name) => fields[name as keyof typeof fields] !== undefined);
    const { columns, updates } = stateUpsertOf(names);
    const values = [
      partition.assetKey,
      partition.partitionKey ?? UNPARTITIONED,
      ...names.map((name) => fields[name as keyof typeof fields]),
    ];
    await sql`insert into ${this.#table.asset_partitions} (${columns}) values ${valueRow(values)}
      on conflict ("asset_key", "partition_key") do update set ${updates}`.execute(db);
  }

  async getMaterialization(id: string): Promise<MaterializationRecord | undefined> {
    const row = await this.#db
      .selectFrom('materializations')
      .select(MATERIALIZATION_COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return toMaterialization(row, (await this.#inputsOf([id])).get(id) ?? []);
  }

  async materializationMetadata(ids: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    const byId = new Map<string, Record<string, unknown>>();
    for (const chunk of chunks([...new Set(ids)])) {
      const rows = await this.#db
        .selectFrom('materializations')
        .select(['id', 'metadata_json'])
        .where('id', 'in', chunk)
        .execute();
      for (const row of rows) byId.set(row.id, JSON.parse(row.metadata_json) as Record<string, unknown>);
    }
    return byId;
  }

  async listMaterializations(options: {
    assetKey: string;
    partitionKey?: string | null;
    limit?: number;
  }): Promise<MaterializationRecord[]> {
    let query = this.#db
      .selectFrom('materializations')
      .select(MATERIALIZATION_COLUMNS)
      .where('asset_key', '=', options.assetKey)
      .orderBy('created_at', 'desc')
      .orderBy('seq', 'desc');
    if (options.partitionKey === null) query = query.where('partition_key', 'is', null);
    else if (options.partitionKey !== undefined)
      query = query.where('partition_key', '=', options.partitionKey);
    if (options.limit !== undefined) query = query.limit(options.limit);
    return await this.#withInputs(await query.execute());
  }

  async listDownstreamMaterializations(materializationId: string): Promise<MaterializationRecord[]> {
    const rows = await this.#db
      .selectFrom('materializations')
      .select(MATERIALIZATION_COLUMNS)
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('lineage')
          .select('materialization_id')
          .where('upstream_materialization_id', '=', materializationId),
      )
      .orderBy('created_at', 'desc')
      .orderBy('seq', 'desc')
      .execute();
    return await this.#withInputs(rows);
  }

  async #withInputs(rows: MaterializationRow[]): Promise<MaterializationRecord[]> {
    const inputs = await this.#inputsOf(rows.map((row) => row.id));
    return rows.map((row) => toMaterialization(row, inputs.get(row.id) ?? []));
  }

  async #inputsOf(ids: string[]): Promise<Map<string, LineageInput[]>> {
    const byId = new Map<string, LineageInput[]>();
    for (const chunk of chunks(ids)) {
      const rows = await this.#db
        .selectFrom('lineage')
        .selectAll()
        .where('materialization_id', 'in', chunk)
        .orderBy('materialization_id')
        .orderBy('position')
        .execute();
      for (const row of rows) {
        const list = byId.get(row.materialization_id) ?? [];
        if (list.length === 0) byId.set(row.materialization_id, list);
        list.push({
          assetKey: row.upstream_asset_key,
          partitionKey: row.upstream_partition_key,
          materializationId: row.upstream_materialization_id,
          dataVersion: row.upstream_data_version,
        });
      }
    }
    return byId;
  }

  async listAssetPartitionStates(
    assetKeys?: string[],
    partitionKeys?: Array<string | null>,
  ): Promise<AssetPartitionState[]> {
    // NOTE: the planner reads every row on every plan; one pre-encoded string per row and one
    // `JSON.parse` each costs about half of reading a value per column (see `AssetPartitionsTable`).
    const query = this.#db.selectFrom('asset_partitions').select(stateArraySql().as('state'));
    const decode = (rows: Array<{ state: string }>) =>
      decodeAssetPartitionStates(rows.map((row) => row.state));
    if (assetKeys === undefined) return decode(await query.execute());
    let states: AssetPartitionState[] = [];
    for (const chunk of chunks([...new Set(assetKeys)])) {
      const ofAssets = query.where('asset_key', 'in', chunk);
      if (partitionKeys === undefined) {
        states = states.concat(decode(await ofAssets.execute()));
        continue;
      }
      const keys = [...new Set(partitionKeys.map((key) => key ?? UNPARTITIONED))];
      for (const part of chunks(keys)) {
        states = states.concat(decode(await ofAssets.where('partition_key', 'in', part).execute()));
      }
    }
    return states;
  }

  async listPlannerStates(): Promise<AssetPartitionState[]> {
    // NOTE: one row per asset, its partitions aggregated into one text, and no `JSON.parse` of
    // inputs the plan does not compare: a few times faster than `listAssetPartitionStates()`.
    const rows = await this.#db
      .selectFrom('asset_partitions')
      .select([plannerStatesSql(this.backend).as('states')])
      .groupBy('asset_key')
      .execute();
    const states: AssetPartitionState[] = [];
    for (const row of rows) decodePlannerStates(row.states, states);
    return states;
  }

  // ---- checks -----------------------------------------------------------------------------------

  async recordCheckEvaluation(evaluation: NewCheckEvaluation): Promise<CheckEvaluationRecord> {
    const [record] = await this.recordCheckEvaluations([evaluation]);
    return record!;
  }

  async recordCheckEvaluations(evaluations: NewCheckEvaluation[]): Promise<CheckEvaluationRecord[]> {
    const records = checkEvaluationRecords(evaluations);
    await this.#insertCheckEvaluations(this.#db, records);
    return records;
  }

  async #insertCheckEvaluations(db: Executor, records: readonly CheckEvaluationRecord[]): Promise<void> {
    if (records.length === 0) return;
    const rows = records.map((record) =>
      inColumnOrder(CHECK_COLUMNS, {
        id: record.id,
        run_id: record.runId,
        asset_key: record.assetKey,
        partition_key: record.partitionKey,
        check_name: record.checkName,
        severity: record.severity,
        passed: record.passed ? 1 : 0,
        metadata_json: JSON.stringify(record.metadata),
        materialization_id: record.materializationId,
        created_at: record.createdAt,
      }),
    );
    await sql`insert into ${this.#table.check_evaluations} (${CHECK_LIST}) values ${valueRows(rows)}`.execute(
      db,
    );
  }

  async latestCheckEvaluations(options: { assetKey?: string } = {}): Promise<CheckEvaluationRecord[]> {
    let ranked = this.#db
      .selectFrom('check_evaluations')
      .select(CHECK_COLUMNS)
      .select((eb) =>
        eb.fn
          .agg<number>('row_number')
          .over((ob) =>
            ob
              .partitionBy(['asset_key', 'partition_key', 'check_name'])
              .orderBy('created_at', 'desc')
              .orderBy('seq', 'desc'),
          )
          .as('rank'),
      );
    if (options.assetKey !== undefined) ranked = ranked.where('asset_key', '=', options.assetKey);
    const rows = await this.#db
      .selectFrom(ranked.as('ranked'))
      .select(CHECK_COLUMNS)
      .where('rank', '=', 1)
      .execute();
    // NOTE: sorted here, not in SQL: PostgreSQL's collation and null ordering differ from SQLite's.
    return rows
      .map(toCheck)
      .sort(
        (a, b) =>
          byText(a.assetKey, b.assetKey) ||
          byText(a.partitionKey, b.partitionKey) ||
          byText(a.checkName, b.checkName),
      );
  }

  async listCheckEvaluations(
    options: { assetKey?: string; checkName?: string; runId?: string; limit?: number } = {},
  ): Promise<CheckEvaluationRecord[]> {
    let query = this.#db
      .selectFrom('check_evaluations')
      .select(CHECK_COLUMNS)
      .orderBy('created_at', 'desc')
      .orderBy('seq', 'desc');
    if (options.assetKey !== undefined) query = query.where('asset_key', '=', options.assetKey);
    if (options.checkName !== undefined) query = query.where('check_name', '=', options.checkName);
    if (options.runId !== undefined) query = query.where('run_id', '=', options.runId);
    if (options.limit !== undefined) query = query.limit(options.limit);
    return (await query.execute()).map(toCheck);
  }

  // ---- locks ------------------------------------------------------------------------------------

  async tryAcquireLock(key: string, holder: LockHolder): Promise<LockResult> {
    for (;;) {
      if (await this.#insertLock(this.#db, key, holder)) return { acquired: true };
      const current = await this.#lockHolder(key);
      // NOTE: no row means the holder released it between the two statements; try again.
      if (current) return { acquired: false, holder: current };
    }
  }

  async tryAcquireLockAndStart(
    key: string,
    holder: LockHolder,
    start: { attempt: AttemptRecordInput; events: readonly NewEvent[] },
  ): Promise<{ acquired: true; events: EventRecord[] } | { acquired: false; holder: LockHolder }> {
    assertPartitionKey(start.attempt.partitionKey, start.attempt.assetKey);
    for (;;) {
      const events = await this.#db.transaction().execute(async (trx) => {
        if (!(await this.#insertLock(trx, key, holder))) return undefined;
        return await this.#writeAttempt(trx, start.attempt, start.events);
      });
      if (events) return { acquired: true, events };
      const current = await this.#lockHolder(key);
      if (current) return { acquired: false, holder: current };
    }
  }

  /** Inserts the lock row unless the key is taken; whether it did. */
  async #insertLock(db: Executor, key: string, holder: LockHolder): Promise<boolean> {
    const row = lockRow(holder);
    const values = [key, row.run_id, row.pid, row.hostname, row.acquired_at, row.heartbeat_at];
    const inserted = await sql`insert into ${this.#table.locks} (${LOCK_COLUMNS}) values ${valueRow(values)}
      on conflict ("key") do nothing`.execute(db);
    return Number(inserted.numAffectedRows ?? 0n) === 1;
  }

  async #lockHolder(key: string): Promise<LockHolder | undefined> {
    const row = await this.#db.selectFrom('locks').selectAll().where('key', '=', key).executeTakeFirst();
    return row ? toHolder(row) : undefined;
  }

  async stealLock(key: string, expectedRunId: string, holder: LockHolder): Promise<boolean> {
    const result = await this.#db
      .updateTable('locks')
      .set(lockRow(holder))
      .where('key', '=', key)
      .where('run_id', '=', expectedRunId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async releaseLock(key: string, runId: string): Promise<void> {
    await this.#db.deleteFrom('locks').where('key', '=', key).where('run_id', '=', runId).execute();
  }

  async releaseLocksOfRun(runId: string): Promise<void> {
    await this.#db.deleteFrom('locks').where('run_id', '=', runId).execute();
  }

  async listLocks(): Promise<Array<{ key: string } & LockHolder>> {
    const rows = await this.#db.selectFrom('locks').selectAll().execute();
    return rows.map((row) => ({ key: row.key, ...toHolder(row) })).sort((a, b) => byText(a.key, b.key));
  }

  async heartbeat(runId: string, at: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.updateTable('runs').set({ heartbeat_at: at }).where('id', '=', runId).execute();
      await trx.updateTable('locks').set({ heartbeat_at: at }).where('run_id', '=', runId).execute();
    });
  }

  // ---- checkpoints ------------------------------------------------------------------------------

  async getCheckpoint<T = unknown>(name: string): Promise<T | undefined> {
    const row = await this.#db
      .selectFrom('checkpoints')
      .select('value_json')
      .where('name', '=', name)
      .executeTakeFirst();
    return row && (JSON.parse(row.value_json) as T);
  }

  /** Stores `value` as JSON under `name`, replacing any previous value; `undefined` removes it. */
  async setCheckpoint(name: string, value: unknown): Promise<void> {
    await this.#writeCheckpoint(this.#db, name, value);
  }

  async #writeCheckpoint(db: Executor, name: string, value: unknown): Promise<void> {
    if (value === undefined) {
      await db.deleteFrom('checkpoints').where('name', '=', name).execute();
      return;
    }
    const fields = { value_json: JSON.stringify(value), updated_at: now() };
    await db
      .insertInto('checkpoints')
      .values({ name, ...fields })
      .onConflict((oc) => oc.column('name').doUpdateSet(fields))
      .execute();
  }

  // ---- schedules, sensors, the daemon, alerts and backfills -------------------------------------

  async claimTick(tick: NewTick): Promise<{ claimed: boolean; tick: TickRecord }> {
    const at = now();
    const row: Omit<TickRow, 'seq'> = {
      name: tick.name,
      kind: tick.kind,
      tick_key: tick.tickKey,
      scheduled_time: tick.scheduledTime,
      status: tick.status,
      run_id: tick.runId ?? null,
      parent_run_id: tick.parentRunId ?? null,
      attempt: tick.attempt ?? 0,
      run_status: null,
      request_json: tick.request === undefined || tick.request === null ? null : JSON.stringify(tick.request),
      cursor: tick.cursor ?? null,
      message: tick.message ?? null,
      created_at: at,
      updated_at: at,
    };
    const inserted = await this.#db
      .insertInto('ticks')
      .values(row)
      .onConflict((oc) => oc.columns(['name', 'tick_key']).doNothing())
      .executeTakeFirst();
    const claimed = Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
    const stored = claimed ? undefined : await this.getTick(tick.name, tick.tickKey);
    return { claimed, tick: stored ?? toTick({ ...row, seq: 0 }) };
  }

  async updateTick(
    name: string,
    tickKey: string,
    patch: TickPatch,
    expect: { status?: TickStatus[]; runId?: string | null } = {},
  ): Promise<boolean> {
    let query = this.#db
      .updateTable('ticks')
      .set({ ...tickPatchRow(patch), updated_at: now() })
      .where('name', '=', name)
      .where('tick_key', '=', tickKey);
    if (expect.status) {
      if (expect.status.length === 0) return false;
      query = query.where('status', 'in', expect.status);
    }
    if (expect.runId === null) query = query.where('run_id', 'is', null);
    else if (expect.runId !== undefined) query = query.where('run_id', '=', expect.runId);
    return Number((await query.executeTakeFirst()).numUpdatedRows) > 0;
  }

  async getTick(name: string, tickKey: string): Promise<TickRecord | undefined> {
    const row = await this.#db
      .selectFrom('ticks')
      .selectAll()
      .where('name', '=', name)
      .where('tick_key', '=', tickKey)
      .executeTakeFirst();
    return row && toTick(row);
  }

  async listTicks(
    options: {
      name?: string;
      kinds?: TickKind[];
      status?: TickStatus[];
      unsettled?: boolean;
      limit?: number;
    } = {},
  ): Promise<TickRecord[]> {
    if (options.kinds?.length === 0 || options.status?.length === 0) return [];
    let query = this.#db
      .selectFrom('ticks')
      .selectAll()
      .orderBy('scheduled_time', 'desc')
      .orderBy('seq', 'desc');
    if (options.name !== undefined) query = query.where('name', '=', options.name);
    if (options.kinds) query = query.where('kind', 'in', options.kinds);
    if (options.status) query = query.where('status', 'in', options.status);
    if (options.unsettled) query = query.where('status', '=', 'launched').where('run_status', 'is', null);
    if (options.limit !== undefined) query = query.limit(options.limit);
    return (await query.execute()).map(toTick);
  }

  async acquireLease(lease: LeaseRecord, at: string): Promise<LeaseResult> {
    for (;;) {
      const inserted = await this.#db
        .insertInto('daemon_leases')
        .values(leaseRow(lease))
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return { acquired: true };
      const { name, acquired_at, ...renewal } = leaseRow(lease);
      // NOTE: a renewal keeps the original `acquired_at`; taking over an expired lease replaces it.
      const renewed = await this.#db
        .updateTable('daemon_leases')
        .set(renewal)
        .where('name', '=', name)
        .where('holder', '=', lease.holder)
        .executeTakeFirst();
      if (Number(renewed.numUpdatedRows) === 1) return { acquired: true };
      const expired = await this.#db
        .updateTable('daemon_leases')
        .set({ ...renewal, acquired_at })
        .where('name', '=', name)
        .where('expires_at', '<', at)
        .executeTakeFirst();
      if (Number(expired.numUpdatedRows) === 1) return { acquired: true };
      const current = await this.getLease(name);
      // NOTE: no row means the holder released it between the statements; try again.
      if (current) return { acquired: false, holder: current };
    }
  }

  async stealLease(expectedHolder: string, lease: LeaseRecord): Promise<boolean> {
    const { name, ...row } = leaseRow(lease);
    const result = await this.#db
      .updateTable('daemon_leases')
      .set(row)
      .where('name', '=', name)
      .where('holder', '=', expectedHolder)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.#db
      .deleteFrom('daemon_leases')
      .where('name', '=', name)
      .where('holder', '=', holder)
      .execute();
  }

  async getLease(name: string): Promise<LeaseRecord | undefined> {
    const row = await this.#db
      .selectFrom('daemon_leases')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row && toLease(row);
  }

  async recordAlertSent(alert: SentAlert): Promise<boolean> {
    const inserted = await this.#db
      .insertInto('alerts_sent')
      .values({
        dedupe_key: alert.dedupeKey,
        kind: alert.kind,
        sent_at: alert.sentAt,
        alert_json: JSON.stringify(alert.alert),
      })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async forgetAlertSent(dedupeKey: string): Promise<void> {
    await this.#db.deleteFrom('alerts_sent').where('dedupe_key', '=', dedupeKey).execute();
  }

  async listAlertsSent(options: { kind?: string; limit?: number } = {}): Promise<SentAlert[]> {
    let query = this.#db
      .selectFrom('alerts_sent')
      .selectAll()
      .orderBy('sent_at', 'desc')
      .orderBy('dedupe_key', 'desc');
    if (options.kind !== undefined) query = query.where('kind', '=', options.kind);
    if (options.limit !== undefined) query = query.limit(options.limit);
    return (await query.execute()).map(toSentAlert);
  }

  async createBackfill(backfill: NewBackfill, partitionKeys: string[]): Promise<BackfillRecord> {
    const at = backfill.createdAt ?? now();
    const record: BackfillRecord = {
      id: backfill.id ?? randomUUID(),
      selection: backfill.selection,
      from: backfill.from,
      to: backfill.to,
      status: backfill.status ?? 'running',
      parallel: backfill.parallel,
      pid: backfill.pid ?? null,
      hostname: backfill.hostname ?? null,
      heartbeatAt: backfill.heartbeatAt ?? null,
      message: null,
      createdAt: at,
      updatedAt: at,
      finishedAt: null,
    };
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('backfills')
        .values({
          id: record.id,
          selection: record.selection,
          partition_from: record.from,
          partition_to: record.to,
          status: record.status,
          parallel: record.parallel,
          pid: record.pid,
          hostname: record.hostname,
          heartbeat_at: record.heartbeatAt,
          message: null,
          created_at: at,
          updated_at: at,
          finished_at: null,
        })
        .execute();
      const rows = [...new Set(partitionKeys)].map((key) => ({
        backfill_id: record.id,
        partition_key: key,
        status: 'pending',
        run_id: null,
        message: null,
        updated_at: at,
      }));
      for (const chunk of chunks(rows)) await trx.insertInto('backfill_partitions').values(chunk).execute();
    });
    return record;
  }

  async getBackfill(id: string): Promise<BackfillRecord | undefined> {
    const row = await this.#db.selectFrom('backfills').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toBackfill(row);
  }

  async listBackfills(
    options: { status?: BackfillStatus[]; limit?: number } = {},
  ): Promise<BackfillRecord[]> {
    if (options.status?.length === 0) return [];
    let query = this.#db
      .selectFrom('backfills')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('seq', 'desc');
    if (options.status) query = query.where('status', 'in', options.status);
    if (options.limit !== undefined) query = query.limit(options.limit);
    return (await query.execute()).map(toBackfill);
  }

  async updateBackfill(id: string, patch: BackfillPatch): Promise<void> {
    const set: Record<string, unknown> = { updated_at: now() };
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.parallel !== undefined) set.parallel = patch.parallel;
    if (patch.pid !== undefined) set.pid = patch.pid;
    if (patch.hostname !== undefined) set.hostname = patch.hostname;
    if (patch.heartbeatAt !== undefined) set.heartbeat_at = patch.heartbeatAt;
    if (patch.message !== undefined) set.message = patch.message;
    if (patch.finishedAt !== undefined) set.finished_at = patch.finishedAt;
    const result = await this.#db.updateTable('backfills').set(set).where('id', '=', id).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      throw new ShopflowError(
        'SF_UNKNOWN_BACKFILL',
        `cannot update backfill \`${id}\`: no backfill has this id`,
        {
          hint: 'list backfills with `shopflow backfill --list`',
        },
      );
    }
  }

  async updateBackfillPartitions(
    id: string,
    partitions: Array<{
      partitionKey: string;
      status: BackfillPartitionStatus;
      runId?: string | null;
      message?: string | null;
    }>,
  ): Promise<void> {
    if (partitions.length === 0) return;
    const at = now();
    await this.#db.transaction().execute(async (trx) => {
      for (const partition of partitions) {
        const fields = {
          status: partition.status,
          run_id: partition.runId ?? null,
          message: partition.message ?? null,
          updated_at: at,
        };
        await trx
          .insertInto('backfill_partitions')
          .values({ backfill_id: id, partition_key: partition.partitionKey, ...fields })
          .onConflict((oc) => oc.columns(['backfill_id', 'partition_key']).doUpdateSet(fields))
          .execute();
      }
    });
  }

  async listBackfillPartitions(id: string) {
    const rows = await this.#db
      .selectFrom('backfill_partitions')
      .selectAll()
      .where('backfill_id', '=', id)
      .execute();
    return rows.map(toBackfillPartition).sort((a, b) => byText(a.partitionKey, b.partitionKey));
  }
}

/** The columns a run patch sets. */
function runPatchRow(patch: RunPatch): Partial<Omit<RunRow, 'seq'>> {
  const set: Partial<Omit<RunRow, 'seq'>> = {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
  if (patch.finishedAt !== undefined) set.finished_at = patch.finishedAt;
  if (patch.pid !== undefined) set.pid = patch.pid;
  if (patch.hostname !== undefined) set.hostname = patch.hostname;
  if (patch.heartbeatAt !== undefined) set.heartbeat_at = patch.heartbeatAt;
  if (patch.error !== undefined) set.error = patch.error;
  if (patch.plan !== undefined) set.plan_json = JSON.stringify(patch.plan);
  return set;
}
