/**
 * The instance store is the single source of truth for runs, their event log, materializations,
 * lineage, the current state of every asset partition, check evaluations, partition locks and
 * checkpoints. Two backends implement it with one Kysely schema: SQLite (default, one machine) and
 * PostgreSQL (many processes and machines).
 *
 * Conventions:
 * - Timestamps are ISO-8601 strings in UTC (`2024-01-15T02:00:00.000Z`).
 * - An unpartitioned asset has `partitionKey: null`.
 * - JSON-valued fields (`metadata`, `data`, `plan`, `inputs`, checkpoint values) round-trip exactly.
 */

export type RunStatus = 'queued' | 'running' | 'success' | 'failed' | 'canceled';

export interface RunRecord {
  id: string;
  status: RunStatus;
  /** The selection expression the run was planned from, e.g. `+silver_customers`. */
  selection: string;
  /** The plan as plain data (see `framework/planner`). */
  plan: unknown;
  tags: Record<string, string>;
  /** The run this one retries, if any. */
  parentRunId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Process and host executing the run, for dead-process detection. */
  pid: number | null;
  hostname: string | null;
  heartbeatAt: string | null;
  /** Why the run failed, in one readable sentence. */
  error: string | null;
}

export type NewRun = Pick<RunRecord, 'selection' | 'plan'> &
  Partial<Pick<RunRecord, 'id' | 'status' | 'tags' | 'parentRunId' | 'pid' | 'hostname'>>;

export type RunPatch = Partial<
  Pick<
    RunRecord,
    'status' | 'startedAt' | 'finishedAt' | 'pid' | 'hostname' | 'heartbeatAt' | 'error' | 'plan'
  >
>;

export type EventType =
  /** The run was handed to a run launcher (an ECS task) and waits for it to start. */
  | 'run_queued'
  | 'run_start'
  | 'run_success'
  | 'run_failure'
  /** Someone asked to cancel the run; the process executing it stops launching steps. */
  | 'run_cancel_requested'
  /** The run ended canceled: steps not started were skipped, steps in flight finished. */
  | 'run_canceled'
  | 'step_start'
  | 'step_success'
  | 'step_failure'
  | 'step_skipped'
  | 'step_retry'
  | 'materialization'
  | 'check_evaluation'
  | 'log';

export interface EventRecord {
  /** Monotonically increasing across the whole store; used to follow a run live. */
  id: number;
  runId: string;
  ts: string;
  type: EventType;
  assetKey: string | null;
  partitionKey: string | null;
  message: string | null;
  data: Record<string, unknown>;
}

export type NewEvent = Omit<EventRecord, 'id' | 'ts' | 'assetKey' | 'partitionKey' | 'message' | 'data'> &
  Partial<Pick<EventRecord, 'ts' | 'assetKey' | 'partitionKey' | 'message' | 'data'>>;

/** One upstream partition a materialization read, and the version it saw. */
export interface LineageInput {
  assetKey: string;
  partitionKey: string | null;
  materializationId: string;
  dataVersion: string;
}

export interface MaterializationRecord {
  id: string;
  runId: string;
  assetKey: string;
  partitionKey: string | null;
  /** Content hash of what was written. */
  dataVersion: string;
  codeVersion: string;
  rowCount: number | null;
  /** Free-form metadata: duration, preview, path, bytes … */
  metadata: Record<string, unknown>;
  createdAt: string;
  inputs: LineageInput[];
}

export type NewMaterialization = Omit<MaterializationRecord, 'id' | 'createdAt'> &
  Partial<Pick<MaterializationRecord, 'id' | 'createdAt'>>;

export type AttemptStatus = 'running' | 'success' | 'failed' | 'skipped';

/**
 * The current state of one asset partition: its latest materialization (if any) and its latest
 * attempt. The planner reads all of these in one query.
 */
export interface AssetPartitionState {
  assetKey: string;
  partitionKey: string | null;
  materializationId: string | null;
  dataVersion: string | null;
  codeVersion: string | null;
  rowCount: number | null;
  materializedAt: string | null;
  /** The upstream versions the latest materialization read. */
  inputs: LineageInput[];
  lastAttemptStatus: AttemptStatus | null;
  lastAttemptAt: string | null;
  lastRunId: string | null;
  lastError: string | null;
}

export interface CheckEvaluationRecord {
  id: string;
  runId: string;
  assetKey: string;
  partitionKey: string | null;
  checkName: string;
  severity: 'error' | 'warn';
  passed: boolean;
  /** e.g. `{ failingRows: 3, sample: [...] }` */
  metadata: Record<string, unknown>;
  materializationId: string | null;
  createdAt: string;
}

export type NewCheckEvaluation = Omit<CheckEvaluationRecord, 'id' | 'createdAt'> &
  Partial<Pick<CheckEvaluationRecord, 'createdAt'>>;

/** What {@link InstanceStore.recordStepResult} writes; the evaluations name the materialization by its `id`. */
export interface StepResult {
  materialization: NewMaterialization & { id: string };
  /** Checkpoints to set, in order (`undefined` removes one). */
  checkpoints: ReadonlyArray<readonly [name: string, value: unknown]>;
  checkEvaluations: readonly NewCheckEvaluation[];
  events: readonly NewEvent[];
  /** The partition lock the step held, released with the record. */
  releaseLock?: { key: string; runId: string };
}

export interface LockHolder {
  runId: string;
  pid: number;
  hostname: string;
  acquiredAt: string;
  heartbeatAt: string;
}

export type LockResult = { acquired: true } | { acquired: false; holder: LockHolder };

/** An attempt of an asset partition, as {@link InstanceStore.recordAttempt} records it. */
export interface AttemptRecordInput {
  assetKey: string;
  partitionKey: string | null;
  runId: string;
  status: AttemptStatus;
  error?: string | null;
  at?: string;
}

export interface InstanceStore {
  /** `sqlite` or `postgres`. */
  readonly backend: 'sqlite' | 'postgres';
  /** Applies pending migrations; safe to call on every start and from several processes. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /**
   * What the database itself reports damaged (SQLite: `PRAGMA integrity_check`; PostgreSQL: a
   * round trip, its own checks run server-side); empty when sound.
   */
  checkIntegrity(): Promise<string[]>;

  createRun(run: NewRun): Promise<RunRecord>;
  updateRun(id: string, patch: RunPatch): Promise<void>;
  /**
   * Applies `patch` only while the run's status is one of `from`, in one statement, so two
   * processes ending or taking the same run cannot both do it; whether it applied.
   */
  transitionRun(id: string, from: readonly RunStatus[], patch: RunPatch): Promise<boolean>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Runs whose id starts with `prefix` (for short ids typed by users). */
  findRunsByPrefix(prefix: string): Promise<RunRecord[]>;
  /** Newest first. */
  listRuns(options?: { limit?: number; status?: RunStatus[] }): Promise<RunRecord[]>;

  appendEvent(event: NewEvent): Promise<EventRecord>;
  /**
   * Appends several events at once (one statement for up to 500), in the order given: their ids
   * increase in that order, and readers following `afterId` see all of them or none.
   */
  appendEvents(events: readonly NewEvent[]): Promise<EventRecord[]>;
  /** Oldest first. `afterId` returns only events with a larger id. */
  listEvents(options?: {
    runId?: string;
    afterId?: number;
    /** Only events with a smaller id (a cursor for paging back in time). */
    beforeId?: number;
    assetKey?: string;
    /** With `assetKey`: only this partition (`null`: the unpartitioned asset). */
    partitionKey?: string | null;
    types?: EventType[];
    limit?: number;
    /** Newest (highest id) first instead of oldest first. */
    newestFirst?: boolean;
  }): Promise<EventRecord[]>;

  /**
   * In one transaction: stores the materialization and its lineage rows, appends a `materialization`
   * event, and makes it the current state of the asset partition (last attempt `success`).
   */
  recordMaterialization(materialization: NewMaterialization): Promise<MaterializationRecord>;
  /**
   * Everything a successful step leaves on record, in one transaction: its materialization (as
   * {@link InstanceStore.recordMaterialization}), the checkpoints it advanced, its check
   * evaluations, its events (after the `materialization` event, in order) and, when given, the
   * release of its partition lock. Readers never see the materialization without the evaluations
   * of its checks, so another run cannot start downstream of data a blocking check is failing.
   */
  recordStepResult(result: StepResult): Promise<{
    materialization: MaterializationRecord;
    checkEvaluations: CheckEvaluationRecord[];
    events: EventRecord[];
  }>;
  /**
   * Records the latest attempt of an asset partition without a new materialization, and appends
   * `events` (in order) in the same transaction.
   */
  recordAttempt(attempt: AttemptRecordInput, events?: readonly NewEvent[]): Promise<EventRecord[]>;
  getMaterialization(id: string): Promise<MaterializationRecord | undefined>;
  /** The metadata of the materializations `ids`, by id (ids not found are absent); no lineage is read. */
  materializationMetadata(ids: readonly string[]): Promise<Map<string, Record<string, unknown>>>;
  /** Newest first. Without `partitionKey`, all partitions of the asset. */
  listMaterializations(options: {
    assetKey: string;
    partitionKey?: string | null;
    limit?: number;
  }): Promise<MaterializationRecord[]>;
  /** Materializations that read the given one (one level downstream). */
  listDownstreamMaterializations(materializationId: string): Promise<MaterializationRecord[]>;

  /**
   * Current state of every asset partition ever attempted; filtered by asset when keys are given,
   * and then by partition when partition keys are given too (`null`: unpartitioned).
   */
  listAssetPartitionStates(
    assetKeys?: string[],
    partitionKeys?: Array<string | null>,
  ): Promise<AssetPartitionState[]>;
  /**
   * The same states as `listAssetPartitionStates()` (all of them; an asset's states together, in no
   * particular order), read for the planner, several times faster: the fields every plan reads are
   * decoded at once, the others (`inputs`, `lastAttemptAt`, `lastRunId`, `lastError`, `rowCount`,
   * `materializedAt`) when first read. They serialize as plain states; spreading one copies only
   * the fields decoded at once.
   *
   * @example
   * const plan = planMaterialization({ graph, states: await store.listPlannerStates(), assetKeys });
   */
  listPlannerStates(): Promise<AssetPartitionState[]>;

  recordCheckEvaluation(evaluation: NewCheckEvaluation): Promise<CheckEvaluationRecord>;
  /** Records the evaluations of one step's checks at once (one statement), in their order. */
  recordCheckEvaluations(evaluations: NewCheckEvaluation[]): Promise<CheckEvaluationRecord[]>;
  /** The latest evaluation per (asset, partition, check). */
  latestCheckEvaluations(options?: { assetKey?: string }): Promise<CheckEvaluationRecord[]>;
  /** Newest first, for trends. */
  listCheckEvaluations(options: {
    assetKey?: string;
    checkName?: string;
    runId?: string;
    limit?: number;
  }): Promise<CheckEvaluationRecord[]>;

  /**
   * Takes the lock `key` for `holder` if it is free. If it is held, returns the holder; callers
   * decide whether the holder is dead and then call {@link InstanceStore.stealLock}.
   */
  tryAcquireLock(key: string, holder: LockHolder): Promise<LockResult>;
  /**
   * {@link InstanceStore.tryAcquireLock}, and when the lock is free, the attempt `start` records
   * ({@link InstanceStore.recordAttempt}) in the same transaction: a step that gets its lock
   * starts with one write. When the lock is held nothing is written.
   */
  tryAcquireLockAndStart(
    key: string,
    holder: LockHolder,
    start: { attempt: AttemptRecordInput; events: readonly NewEvent[] },
  ): Promise<{ acquired: true; events: EventRecord[] } | { acquired: false; holder: LockHolder }>;
  /** Replaces the lock's holder only if it is still held by `expectedRunId` (compare-and-swap). */
  stealLock(key: string, expectedRunId: string, holder: LockHolder): Promise<boolean>;
  releaseLock(key: string, runId: string): Promise<void>;
  releaseLocksOfRun(runId: string): Promise<void>;
  listLocks(): Promise<Array<{ key: string } & LockHolder>>;
  /** Sets `heartbeatAt` on the run and on every lock it holds. */
  heartbeat(runId: string, at: string): Promise<void>;

  getCheckpoint<T = unknown>(name: string): Promise<T | undefined>;
  setCheckpoint(name: string, value: unknown): Promise<void>;

  // ---- schedules, sensors, the daemon, alerts and backfills (migration 0002_schedules) ----------

  /**
   * Inserts the tick unless a tick with the same `(name, tickKey)` exists. `claimed: true` means this
   * caller inserted it and owns launching its run; otherwise `tick` is the row that was already there.
   */
  claimTick(tick: NewTick): Promise<{ claimed: boolean; tick: TickRecord }>;
  /**
   * Updates a tick; with `expect`, only if its status is one of `expect.status` and its run id is
   * `expect.runId` (compare-and-swap). Returns whether a row changed.
   */
  updateTick(
    name: string,
    tickKey: string,
    patch: TickPatch,
    expect?: { status?: TickStatus[]; runId?: string | null },
  ): Promise<boolean>;
  getTick(name: string, tickKey: string): Promise<TickRecord | undefined>;
  /** Newest scheduled time first. `unsettled` keeps launched ticks whose run has not been seen finishing. */
  listTicks(options?: {
    name?: string;
    kinds?: TickKind[];
    status?: TickStatus[];
    unsettled?: boolean;
    limit?: number;
  }): Promise<TickRecord[]>;

  /**
   * Takes the lease `lease.name` for `lease.holder` if it is free, already held by that holder
   * (renewal) or expired at `now`. Otherwise returns the current holder; callers that find it dead
   * call {@link InstanceStore.stealLease}.
   */
  acquireLease(lease: LeaseRecord, now: string): Promise<LeaseResult>;
  /** Replaces the lease's holder only if it is still `expectedHolder` (compare-and-swap). */
  stealLease(expectedHolder: string, lease: LeaseRecord): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
  getLease(name: string): Promise<LeaseRecord | undefined>;

  /** Records that an alert was sent; false when its dedupe key was already recorded (do not send). */
  recordAlertSent(alert: SentAlert): Promise<boolean>;
  /** Forgets a dedupe key, so the alert is sent again (e.g. after the notifier failed). */
  forgetAlertSent(dedupeKey: string): Promise<void>;
  /** Newest first. */
  listAlertsSent(options?: { kind?: string; limit?: number }): Promise<SentAlert[]>;

  /** Creates a backfill and its partitions (all `pending`). */
  createBackfill(backfill: NewBackfill, partitionKeys: string[]): Promise<BackfillRecord>;
  getBackfill(id: string): Promise<BackfillRecord | undefined>;
  /** Newest first. */
  listBackfills(options?: { status?: BackfillStatus[]; limit?: number }): Promise<BackfillRecord[]>;
  updateBackfill(id: string, patch: BackfillPatch): Promise<void>;
  /** Sets the status of some partitions of a backfill. */
  updateBackfillPartitions(
    id: string,
    partitions: Array<{
      partitionKey: string;
      status: BackfillPartitionStatus;
      runId?: string | null;
      message?: string | null;
    }>,
  ): Promise<void>;
  /** Every partition of a backfill, by key. */
  listBackfillPartitions(id: string): Promise<BackfillPartitionRecord[]>;
}

/** A schedule tick, a sensor evaluation, or a run request of a sensor. */
export type TickKind = 'schedule' | 'sensor' | 'request';

/**
 * `claimed`: inserted, its run may not exist yet; `launched`: its run exists; `skipped`: no run
 * (nothing to do, missed under a `latest` catch-up policy, no partition); `failed`: evaluating it failed.
 */
export type TickStatus = 'claimed' | 'launched' | 'skipped' | 'failed';

export interface TickRecord {
  /** The schedule or sensor. */
  name: string;
  kind: TickKind;
  /** Unique per name: the scheduled time (schedules), evaluation time (sensors) or dedupe key (requests). */
  tickKey: string;
  scheduledTime: string;
  status: TickStatus;
  /** Generated and stored before the run is created, so a restarted daemon launches the same run. */
  runId: string | null;
  /** The failed run this tick's current run retries. */
  parentRunId: string | null;
  /** Retries so far. */
  attempt: number;
  /** The run's final status once the daemon has seen it finish. */
  runStatus: RunStatus | null;
  /** What to run, e.g. `{ selection, partitions, tags }`. */
  request: unknown;
  /** A sensor's cursor after this evaluation. */
  cursor: string | null;
  message: string | null;
  createdAt: string;
  updatedAt: string;
}

export type NewTick = Pick<TickRecord, 'name' | 'kind' | 'tickKey' | 'scheduledTime' | 'status'> &
  Partial<Pick<TickRecord, 'runId' | 'parentRunId' | 'attempt' | 'request' | 'cursor' | 'message'>>;

export type TickPatch = Partial<
  Pick<TickRecord, 'status' | 'runId' | 'parentRunId' | 'attempt' | 'runStatus' | 'cursor' | 'message'>
>;

/** Who holds a daemon lease, until when. */
export interface LeaseRecord {
  name: string;
  /** A random id per daemon process (two daemons in one process differ). */
  holder: string;
  pid: number;
  hostname: string;
  acquiredAt: string;
  heartbeatAt: string;
  expiresAt: string;
}

export type LeaseResult = { acquired: true } | { acquired: false; holder: LeaseRecord };

/** A notification that was sent, by the key that makes it once-only. */
export interface SentAlert {
  dedupeKey: string;
  kind: string;
  sentAt: string;
  alert: Record<string, unknown>;
}

/** `canceled`: someone canceled it (`shopflow backfill --cancel`, the web page); it is not resumed by itself. */
export type BackfillStatus = 'running' | 'interrupted' | 'success' | 'failed' | 'canceled';
export type BackfillPartitionStatus = 'pending' | 'success' | 'failed';

export interface BackfillRecord {
  id: string;
  selection: string;
  from: string;
  to: string;
  status: BackfillStatus;
  /** Partitions materialized at once. */
  parallel: number;
  /** The process working on it, for resuming after that process died. */
  pid: number | null;
  hostname: string | null;
  heartbeatAt: string | null;
  message: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export type NewBackfill = Pick<BackfillRecord, 'selection' | 'from' | 'to' | 'parallel'> &
  Partial<Pick<BackfillRecord, 'id' | 'status' | 'pid' | 'hostname' | 'heartbeatAt' | 'createdAt'>>;

export type BackfillPatch = Partial<
  Pick<BackfillRecord, 'status' | 'parallel' | 'pid' | 'hostname' | 'heartbeatAt' | 'message' | 'finishedAt'>
>;

export interface BackfillPartitionRecord {
  partitionKey: string;
  status: BackfillPartitionStatus;
  runId: string | null;
  message: string | null;
  updatedAt: string;
}
