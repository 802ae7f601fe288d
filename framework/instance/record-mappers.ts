import type { Selectable } from 'kysely';
import { attemptItems } from './asset-partition-items.js';
import type {
  AttemptStatus,
  CheckEvaluationRecord,
  EventRecord,
  EventType,
  LineageInput,
  LockHolder,
  MaterializationRecord,
  RunRecord,
  RunStatus,
} from './instance-store.js';
import type { Database } from './schema.js';

// NOTE: both backends return the same row shapes: JSON as text, flags as integers 0/1, and int8
// parsed to numbers (see `create-postgres-pool.ts`); `Number()` below only guards that.

/** The `materializations` columns a {@link MaterializationRecord} is built from. */
export const MATERIALIZATION_COLUMNS = [
  'id',
  'run_id',
  'asset_key',
  'partition_key',
  'data_version',
  'code_version',
  'row_count',
  'metadata_json',
  'created_at',
] as const;

/** The `check_evaluations` columns a {@link CheckEvaluationRecord} is built from. */
export const CHECK_COLUMNS = [
  'id',
  'run_id',
  'asset_key',
  'partition_key',
  'check_name',
  'severity',
  'passed',
  'metadata_json',
  'materialization_id',
  'created_at',
] as const;

export type RunRow = Selectable<Database['runs']>;
export type EventRow = Selectable<Database['events']>;
export type MaterializationRow = Pick<
  Selectable<Database['materializations']>,
  (typeof MATERIALIZATION_COLUMNS)[number]
>;
export type CheckRow = Pick<Selectable<Database['check_evaluations']>, (typeof CHECK_COLUMNS)[number]>;
export type LockRow = Selectable<Database['locks']>;

/**
 * A run row as a record, JSON parsed.
 *
 * @example
 * const run = toRun(await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
 */
export function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    status: row.status as RunStatus,
    selection: row.selection,
    plan: JSON.parse(row.plan_json),
    tags: JSON.parse(row.tags_json),
    parentRunId: row.parent_run_id,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    pid: row.pid,
    hostname: row.hostname,
    heartbeatAt: row.heartbeat_at,
    error: row.error,
  };
}

/** An event row as a record, JSON parsed. */
export function toEvent(row: EventRow): EventRecord {
  return {
    id: Number(row.id),
    runId: row.run_id,
    ts: row.ts,
    type: row.type as EventType,
    assetKey: row.asset_key,
    partitionKey: row.partition_key,
    message: row.message,
    data: JSON.parse(row.data_json),
  };
}

/** A materialization row and its lineage inputs as a record. */
export function toMaterialization(row: MaterializationRow, inputs: LineageInput[]): MaterializationRecord {
  return {
    id: row.id,
    runId: row.run_id,
    assetKey: row.asset_key,
    partitionKey: row.partition_key,
    dataVersion: row.data_version,
    codeVersion: row.code_version,
    rowCount: row.row_count === null ? null : Number(row.row_count),
    metadata: JSON.parse(row.metadata_json),
    createdAt: row.created_at,
    inputs,
  };
}

/** A check evaluation row as a record, `passed` as a boolean. */
export function toCheck(row: CheckRow): CheckEvaluationRecord {
  return {
    id: row.id,
    runId: row.run_id,
    assetKey: row.asset_key,
    partitionKey: row.partition_key,
    checkName: row.check_name,
    severity: row.severity as CheckEvaluationRecord['severity'],
    passed: Number(row.passed) === 1,
    metadata: JSON.parse(row.metadata_json),
    materializationId: row.materialization_id,
    createdAt: row.created_at,
  };
}

/** The holder of a lock row. */
export function toHolder(row: LockRow): LockHolder {
  return {
    runId: row.run_id,
    pid: Number(row.pid),
    hostname: row.hostname,
    acquiredAt: row.acquired_at,
    heartbeatAt: row.heartbeat_at,
  };
}

/** The `asset_partitions` columns an attempt writes (plain columns and `attempt_items`). */
export function attemptFields(attempt: {
  assetKey: string;
  partitionKey: string | null;
  runId: string;
  status: AttemptStatus;
  at: string;
  error: string | null;
}) {
  return {
    last_attempt_status: attempt.status,
    last_attempt_at: attempt.at,
    last_run_id: attempt.runId,
    last_error: attempt.error,
    attempt_items: attemptItems(attempt),
  };
}

/** The `locks` columns of a holder. */
export function lockRow(holder: LockHolder): Omit<LockRow, 'key'> {
  return {
    run_id: holder.runId,
    pid: holder.pid,
    hostname: holder.hostname,
    acquired_at: holder.acquiredAt,
    heartbeat_at: holder.heartbeatAt,
  };
}
