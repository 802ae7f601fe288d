import type { Generated } from 'kysely';

/**
 * The instance store's tables as Kysely sees them. Both backends share this schema: timestamps are
 * ISO-8601 text, JSON is text, booleans are integers 0/1, so both sort, compare and round-trip alike.
 *
 * @example
 * const db = new Kysely<Database>({ dialect });
 * await db.selectFrom('runs').select(['id', 'status']).execute();
 */
export interface Database {
  runs: RunsTable;
  events: EventsTable;
  materializations: MaterializationsTable;
  lineage: LineageTable;
  asset_partitions: AssetPartitionsTable;
  check_evaluations: CheckEvaluationsTable;
  locks: LocksTable;
  checkpoints: CheckpointsTable;
  ticks: TicksTable;
  daemon_leases: DaemonLeasesTable;
  alerts_sent: AlertsSentTable;
  backfills: BackfillsTable;
  backfill_partitions: BackfillPartitionsTable;
}

/** One row per run; `seq` only breaks ties between runs created in the same millisecond. */
export interface RunsTable {
  seq: Generated<number>;
  id: string;
  status: string;
  selection: string;
  plan_json: string;
  tags_json: string;
  parent_run_id: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  pid: number | null;
  hostname: string | null;
  heartbeat_at: string | null;
  error: string | null;
}

/** The append-only event log; `id` increases across the whole store. */
export interface EventsTable {
  id: Generated<number>;
  run_id: string;
  ts: string;
  type: string;
  asset_key: string | null;
  partition_key: string | null;
  message: string | null;
  data_json: string;
}

/** Every materialization ever recorded. */
export interface MaterializationsTable {
  seq: Generated<number>;
  id: string;
  run_id: string;
  asset_key: string;
  partition_key: string | null;
  data_version: string;
  code_version: string;
  row_count: number | null;
  metadata_json: string;
  created_at: string;
}

/** The upstream partitions a materialization read, in the order they were given. */
export interface LineageTable {
  materialization_id: string;
  position: number;
  upstream_asset_key: string;
  upstream_partition_key: string | null;
  upstream_materialization_id: string;
  upstream_data_version: string;
}

/**
 * The current state of every asset partition. `partition_key` is part of the primary key, so an
 * unpartitioned asset is stored as `''` ({@link UNPARTITIONED}) and read back as `null`.
 *
 * The planner reads every row on every plan, so besides the plain columns (for filtering and for
 * people reading the database) each row carries its state pre-encoded as JSON array items:
 * `attempt_items` (keys and last attempt, written by every attempt) and `latest_items` (the latest
 * materialization with its inputs, written with it). A full read concatenates them into one string
 * per row, which costs about half of reading one value per column.
 */
export interface AssetPartitionsTable {
  asset_key: string;
  partition_key: string;
  materialization_id: string | null;
  data_version: string | null;
  code_version: string | null;
  row_count: number | null;
  materialized_at: string | null;
  last_attempt_status: string | null;
  last_attempt_at: string | null;
  last_run_id: string | null;
  last_error: string | null;
  /** `"assetKey",partitionKey,"status","at","runId",error` (JSON items, no brackets). */
  attempt_items: string;
  /** `"materializationId","dataVersion","codeVersion",rowCount,"materializedAt",[inputs…]`, or null. */
  latest_items: string | null;
}

/** Every check evaluation; `seq` breaks ties between evaluations in the same millisecond. */
export interface CheckEvaluationsTable {
  seq: Generated<number>;
  id: string;
  run_id: string;
  asset_key: string;
  partition_key: string | null;
  check_name: string;
  severity: string;
  passed: number;
  metadata_json: string;
  materialization_id: string | null;
  created_at: string;
}

/** Partition locks, one row per held lock. */
export interface LocksTable {
  key: string;
  run_id: string;
  pid: number;
  hostname: string;
  acquired_at: string;
  heartbeat_at: string;
}

/** Named JSON values (e.g. incremental load positions). */
export interface CheckpointsTable {
  name: string;
  value_json: string;
  updated_at: string;
}

/** How an unpartitioned asset's `partition_key` is stored in `asset_partitions`. */
export const UNPARTITIONED = '';

/**
 * Schedule ticks, sensor evaluations and sensor run requests (migration `0002_schedules`). A row is
 * claimed before its run is created, so `UNIQUE(name, tick_key)` makes every tick launch at most one
 * run: `tick_key` is the scheduled time (ISO) of a schedule tick, the evaluation time of a sensor
 * evaluation, and the dedupe key of a sensor run request.
 */
export interface TicksTable {
  seq: Generated<number>;
  name: string;
  /** `schedule`, `sensor` or `request`. */
  kind: string;
  tick_key: string;
  scheduled_time: string;
  /** `claimed`, `launched`, `skipped` or `failed`. */
  status: string;
  run_id: string | null;
  parent_run_id: string | null;
  /** Retries of this tick's run so far. */
  attempt: number;
  /** The launched run's final status, once the daemon has seen it finish. */
  run_status: string | null;
  /** `{ selection, partitions, tags }` of the run to launch, JSON. */
  request_json: string | null;
  /** A sensor's cursor after this evaluation. */
  cursor: string | null;
  /** Why the tick was skipped or failed, or what it requested. */
  message: string | null;
  created_at: string;
  updated_at: string;
}

/** Leases that make one daemon at a time the leader of an instance. */
export interface DaemonLeasesTable {
  name: string;
  holder: string;
  pid: number;
  hostname: string;
  acquired_at: string;
  heartbeat_at: string;
  expires_at: string;
}

/** Notifications already sent, by dedupe key (once per run failure, check failure, freshness breach). */
export interface AlertsSentTable {
  dedupe_key: string;
  kind: string;
  sent_at: string;
  alert_json: string;
}

/** Backfills of a partition range, with the process working on them. */
export interface BackfillsTable {
  seq: Generated<number>;
  id: string;
  selection: string;
  partition_from: string;
  partition_to: string;
  /** `running`, `interrupted`, `success` or `failed`. */
  status: string;
  parallel: number;
  pid: number | null;
  hostname: string | null;
  heartbeat_at: string | null;
  message: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** The status of each partition of a backfill. */
export interface BackfillPartitionsTable {
  backfill_id: string;
  partition_key: string;
  /** `pending`, `success` or `failed`. */
  status: string;
  run_id: string | null;
  message: string | null;
  updated_at: string;
}
