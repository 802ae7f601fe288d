import type { Selectable } from 'kysely';
import type {
  BackfillPartitionRecord,
  BackfillPartitionStatus,
  BackfillRecord,
  BackfillStatus,
  LeaseRecord,
  RunStatus,
  SentAlert,
  TickKind,
  TickPatch,
  TickRecord,
  TickStatus,
} from './instance-store.js';
import type { Database } from './schema.js';

// NOTE: the daemon's tables (migration 0002_schedules) map here, apart from `record-mappers.ts`,
// so that file and this one change independently.

export type TickRow = Selectable<Database['ticks']>;
export type LeaseRow = Selectable<Database['daemon_leases']>;
export type BackfillRow = Selectable<Database['backfills']>;

/**
 * A tick row as a record, JSON parsed.
 *
 * @example
 * const tick = toTick(await db.selectFrom('ticks').selectAll().where('name', '=', 'nightly').executeTakeFirstOrThrow());
 */
export function toTick(row: TickRow): TickRecord {
  return {
    name: row.name,
    kind: row.kind as TickKind,
    tickKey: row.tick_key,
    scheduledTime: row.scheduled_time,
    status: row.status as TickStatus,
    runId: row.run_id,
    parentRunId: row.parent_run_id,
    attempt: Number(row.attempt),
    runStatus: row.run_status as RunStatus | null,
    request: row.request_json === null ? null : JSON.parse(row.request_json),
    cursor: row.cursor,
    message: row.message,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The `ticks` columns a patch sets (only the fields it has). */
export function tickPatchRow(patch: TickPatch): Partial<Omit<TickRow, 'seq'>> {
  const set: Partial<Omit<TickRow, 'seq'>> = {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.runId !== undefined) set.run_id = patch.runId;
  if (patch.parentRunId !== undefined) set.parent_run_id = patch.parentRunId;
  if (patch.attempt !== undefined) set.attempt = patch.attempt;
  if (patch.runStatus !== undefined) set.run_status = patch.runStatus;
  if (patch.cursor !== undefined) set.cursor = patch.cursor;
  if (patch.message !== undefined) set.message = patch.message;
  return set;
}

/** A lease row as a record. */
export function toLease(row: LeaseRow): LeaseRecord {
  return {
    name: row.name,
    holder: row.holder,
    pid: Number(row.pid),
    hostname: row.hostname,
    acquiredAt: row.acquired_at,
    heartbeatAt: row.heartbeat_at,
    expiresAt: row.expires_at,
  };
}

/** The `daemon_leases` columns of a lease. */
export function leaseRow(lease: LeaseRecord): LeaseRow {
  return {
    name: lease.name,
    holder: lease.holder,
    pid: lease.pid,
    hostname: lease.hostname,
    acquired_at: lease.acquiredAt,
    heartbeat_at: lease.heartbeatAt,
    expires_at: lease.expiresAt,
  };
}

/** A sent-alert row as a record. */
export function toSentAlert(row: Selectable<Database['alerts_sent']>): SentAlert {
  return {
    dedupeKey: row.dedupe_key,
    kind: row.kind,
    sentAt: row.sent_at,
    alert: JSON.parse(row.alert_json),
  };
}

/** A backfill row as a record. */
export function toBackfill(row: BackfillRow): BackfillRecord {
  return {
    id: row.id,
    selection: row.selection,
    from: row.partition_from,
    to: row.partition_to,
    status: row.status as BackfillStatus,
    parallel: Number(row.parallel),
    pid: row.pid === null ? null : Number(row.pid),
    hostname: row.hostname,
    heartbeatAt: row.heartbeat_at,
    message: row.message,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

/** A backfill partition row as a record. */
export function toBackfillPartition(
  row: Selectable<Database['backfill_partitions']>,
): BackfillPartitionRecord {
  return {
    partitionKey: row.partition_key,
    status: row.status as BackfillPartitionStatus,
    runId: row.run_id,
    message: row.message,
    updatedAt: row.updated_at,
  };
}
