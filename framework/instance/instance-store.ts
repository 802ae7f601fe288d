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
  | 'run_start'
  | 'run_success'
  | 'run_failure'
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

export interface LockHolder {
  runId: string;
  pid: number;
  hostname: string;
  acquiredAt: string;
  heartbeatAt: string;
}

export type LockResult = { acquired: true } | { acquired: false; holder: LockHolder };

export interface InstanceStore {
  /** `sqlite` or `postgres`. */
  readonly backend: 'sqlite' | 'postgres';
  /** Applies pending migrations; safe to call on every start and from several processes. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  createRun(run: NewRun): Promise<RunRecord>;
  updateRun(id: string, patch: RunPatch): Promise<void>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Runs whose id starts with `prefix` (for short ids typed by users). */
  findRunsByPrefix(prefix: string): Promise<RunRecord[]>;
  /** Newest first. */
  listRuns(options?: { limit?: number; status?: RunStatus[] }): Promise<RunRecord[]>;

  appendEvent(event: NewEvent): Promise<EventRecord>;
  /** Oldest first. `afterId` returns only events with a larger id. */
  listEvents(options?: {
    runId?: string;
    afterId?: number;
    assetKey?: string;
    types?: EventType[];
    limit?: number;
  }): Promise<EventRecord[]>;

  /**
   * In one transaction: stores the materialization and its lineage rows, appends a `materialization`
   * event, and makes it the current state of the asset partition (last attempt `success`).
   */
  recordMaterialization(materialization: NewMaterialization): Promise<MaterializationRecord>;
  /** Records the latest attempt of an asset partition without a new materialization. */
  recordAttempt(attempt: {
    assetKey: string;
    partitionKey: string | null;
    runId: string;
    status: AttemptStatus;
    error?: string | null;
    at?: string;
  }): Promise<void>;
  getMaterialization(id: string): Promise<MaterializationRecord | undefined>;
  /** Newest first. Without `partitionKey`, all partitions of the asset. */
  listMaterializations(options: {
    assetKey: string;
    partitionKey?: string | null;
    limit?: number;
  }): Promise<MaterializationRecord[]>;
  /** Materializations that read the given one (one level downstream). */
  listDownstreamMaterializations(materializationId: string): Promise<MaterializationRecord[]>;

  /** Current state of every asset partition ever attempted; filtered by asset when keys are given. */
  listAssetPartitionStates(assetKeys?: string[]): Promise<AssetPartitionState[]>;

  recordCheckEvaluation(evaluation: NewCheckEvaluation): Promise<CheckEvaluationRecord>;
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
  /** Replaces the lock's holder only if it is still held by `expectedRunId` (compare-and-swap). */
  stealLock(key: string, expectedRunId: string, holder: LockHolder): Promise<boolean>;
  releaseLock(key: string, runId: string): Promise<void>;
  releaseLocksOfRun(runId: string): Promise<void>;
  listLocks(): Promise<Array<{ key: string } & LockHolder>>;
  /** Sets `heartbeatAt` on the run and on every lock it holds. */
  heartbeat(runId: string, at: string): Promise<void>;

  getCheckpoint<T = unknown>(name: string): Promise<T | undefined>;
  setCheckpoint(name: string, value: unknown): Promise<void>;
}
