import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AnyAsset, MaterializeContext, RetryPolicy } from '../definitions/define-asset.js';
import type { AssetCheck } from '../definitions/define-check.js';
import { EXTERNAL_INPUTS_METADATA, type ExternalInput } from '../definitions/external-input.js';
import { MaterializeResult } from '../definitions/materialize-result.js';
import type { DuckDbSession } from '../duckdb/duckdb-session.js';
import { SqlQuery } from '../duckdb/sql-template.js';
import { isShopflowError, ShopflowError } from '../errors/error-catalog.js';
import { storageFault } from '../errors/storage-fault.js';
import type { LineageInput, NewCheckEvaluation, NewEvent } from '../instance/instance-store.js';
import {
  failingCountOf,
  type InputHandle,
  type IoContext,
  type ResolvedQuarantineRule,
  resolvePredicate,
  type WriteResult,
} from '../io/io-target.js';
import { schemaColumns } from '../io/schema-columns.js';
import { checkpointName, formatAssetPartition } from '../keys/asset-key.js';
import { redactUrl } from '../logging/redact-secrets.js';
import { AsOfWindowMapping } from '../partitions/mapping/as-of-window-mapping.js';
import {
  appendChange,
  type ChangedFrom,
  type ChangeLog,
  changedSince,
  changeLogCheckpointName,
  NEVER,
} from '../planner/change-log.js';
import { recordCorruptPartition } from '../planner/lake-integrity.js';
import { readWindow, readWindowCheckpointName, startsBefore } from '../planner/read-window.js';
import { acquirePartitionLock } from './partition-lock.js';
import { retryDelayMs } from './retry-policy.js';
import type { CheckOutcome, StepDescriptor, StepOutcome, StepServices } from './step-services.js';
import { describeError, userCodeBoundary } from './user-code-boundary.js';

function ioContext(
  services: StepServices,
  asset: AnyAsset,
  partitionKey: string | null,
  runId: string,
  duckdb: DuckDbSession,
  /** Upstream handles of a step that writes; quarantine rules are resolved only for writes. */
  deps?: Record<string, InputHandle>,
  dataVersions?: ReadonlyMap<string | null, string>,
): IoContext {
  return {
    dataVersions,
    assetKey: asset.key,
    partitionKey,
    runId,
    schema: asset.schema,
    duckdb,
    lake: services.lake,
    resource: (definition) => services.resources.get(definition),
    quarantine:
      deps && asset.io.supportsQuarantine
        ? asset.checks.flatMap((check) =>
            check.quarantine
              ? [
                  {
                    name: check.quarantine.name,
                    validWhen: resolvePredicate(check.quarantine.validWhen, deps, { partitionKey }),
                  },
                ]
              : [],
          )
        : [],
    rowRules: deps ? resolvedRowRules(asset, deps, partitionKey) : undefined,
  };
}

/**
 * Whether the write already removed every row that fails `check`'s row rule: it quarantines by the
 * same predicate, and the predicate judges each row on its own (no window function, whose verdict
 * on a row could change once other rows are gone) or is declared to hold on any subset of rows
 * where it held (uniqueness). Its failing rows among the written ones are 0.
 */
function settledByQuarantine(
  asset: AnyAsset,
  check: AssetCheck,
  deps: Record<string, InputHandle>,
  partitionKey: string | null,
): boolean {
  return (
    asset.io.supportsQuarantine &&
    check.quarantine !== undefined &&
    check.rowRule !== undefined &&
    check.quarantine.validWhen === check.rowRule.validWhen &&
    (check.rowRule.holdsOnSubsets === true ||
      !/\bover\s*\(/i.test(resolvePredicate(check.rowRule.validWhen, deps, { partitionKey })))
  );
}

/**
 * The row rules of the asset's checks (`rowCheck`) whose failing rows must be counted, resolved
 * against the step's upstream handles (see {@link settledByQuarantine} for those that need not).
 */
function resolvedRowRules(
  asset: AnyAsset,
  deps: Record<string, InputHandle>,
  partitionKey: string | null,
): ResolvedQuarantineRule[] {
  return asset.checks.flatMap((check) =>
    check.rowRule && !settledByQuarantine(asset, check, deps, partitionKey)
      ? [
          {
            name: check.name,
            validWhen: resolvePredicate(check.rowRule.validWhen, deps, { partitionKey }),
            ...(check.rowRule.failingCount ? { failingCount: check.rowRule.failingCount } : {}),
          },
        ]
      : [],
  );
}

/**
 * The failing rows of every row rule of the asset's checks over `data`, in one scan: what the write
 * already counted (`written`), the rest counted here.
 */
async function failingRowsOf(
  asset: AnyAsset,
  duckdb: DuckDbSession,
  data: InputHandle,
  deps: Record<string, InputHandle>,
  partitionKey: string | null,
  written: Record<string, number> | undefined,
): Promise<Record<string, number>> {
  const settled = Object.fromEntries(
    asset.checks
      .filter((check) => settledByQuarantine(asset, check, deps, partitionKey))
      .map((check) => [check.name, 0]),
  );
  const missing = resolvedRowRules(asset, deps, partitionKey).filter((r) => written?.[r.name] === undefined);
  if (missing.length === 0) return { ...settled, ...written };
  const aliased = missing.map((r, i) => ({ ...r, alias: `__r${i}` }));
  // NOTE: evaluated in the select list, so window functions (uniqueness rules) work too.
  const [row] = await duckdb.query(
    `SELECT ${aliased.map(failingCountOf).join(', ')} FROM (SELECT *${aliased
      .filter((r) => !r.failingCount)
      .map((r) => `, coalesce((${r.validWhen}), false) AS ${r.alias}`)
      .join('')} FROM ${data.toSql()})`,
  );
  return {
    ...settled,
    ...written,
    ...Object.fromEntries(aliased.map((r) => [r.name, Number(row![r.alias])])),
  };
}

interface ResolvedInputs {
  handles: Record<string, InputHandle>;
  lineage: LineageInput[];
  /** The asset's `readsUntil` instants (ISO-8601) by dependency name; empty without it. */
  readsUntil: Record<string, string>;
}

/** Up to this many upstream partitions, a step reads their states by key rather than all of them. */
const PARTITIONS_READ_BY_KEY = 64;

/** What a step reads: the materialized upstream partitions per dependency, and their lineage. */
interface ReadInputs {
  available: Map<string, Array<string | null>>;
  lineage: LineageInput[];
  /** The asset's `readsUntil` instants (epoch ms) by dependency name, if it declares them. */
  window: Map<string, number> | undefined;
  /** How many materialized upstream partitions those instants leave unread. */
  unread: number;
}

async function readInputs(
  services: StepServices,
  asset: AnyAsset,
  partitionKey: string | null,
): Promise<ReadInputs> {
  const available = new Map<string, Array<string | null>>();
  const lineage: LineageInput[] = [];
  const now = services.now();
  for (const dep of services.graph.upstream(asset.key)) {
    const upstream = services.graph.get(dep.assetKey);
    const mapped = dep.mapping.upstreamFor(partitionKey, asset.partitions, upstream.partitions, now);
    // NOTE: a step reads one or a few partitions of most upstreams; only those rows are decoded.
    const states = await services.store.listAssetPartitionStates(
      [dep.assetKey],
      mapped.valid.length <= PARTITIONS_READ_BY_KEY ? mapped.valid : undefined,
    );
    const byPartition = new Map(states.map((s) => [s.partitionKey, s]));
    const keys: Array<string | null> = [];
    for (const key of mapped.valid) {
      const state = byPartition.get(key);
      if (state?.materializationId && state.dataVersion) {
        keys.push(key);
        lineage.push({
          assetKey: dep.assetKey,
          partitionKey: key,
          materializationId: state.materializationId,
          dataVersion: state.dataVersion,
        });
      }
    }
    available.set(dep.name, keys);
  }
  const bounded = boundedReads(services, asset, partitionKey, available);
  if (!bounded) return { available, lineage, window: undefined, unread: 0 };
  const read = lineage.filter((l) => !bounded.unread.has(`${l.assetKey}\u0000${l.partitionKey}`));
  return { available, lineage: read, window: bounded.window, unread: bounded.unread.size };
}

/**
 * For an asset with `readsUntil`: its instants for the materialized partitions of its upstreams;
 * the partitions it does not read under them are dropped from `available` and listed in `unread`
 * (`asset\u0000partition`), so they are neither handed to `materialize` nor recorded as read.
 */
function boundedReads(
  services: StepServices,
  asset: AnyAsset,
  partitionKey: string | null,
  available: Map<string, Array<string | null>>,
): { window: Map<string, number>; unread: Set<string> } | undefined {
  if (!asset.readsUntil || partitionKey !== null) return undefined;
  const keysByName: Record<string, string[]> = {};
  for (const [name, keys] of available) keysByName[name] = keys.filter((k): k is string => k !== null);
  const window = readWindow(services.graph, asset, keysByName)!;
  const unread = new Set<string>();
  for (const dep of services.graph.upstream(asset.key)) {
    const until = window.get(dep.name);
    if (until === undefined) continue;
    const kept = (available.get(dep.name) ?? []).filter((key) => {
      const read = startsBefore(services.graph, dep.assetKey, key, until);
      if (!read) unread.add(`${dep.assetKey}\u0000${key}`);
      return read;
    });
    available.set(dep.name, kept);
  }
  return { window, unread };
}

// NOTE: handles are opened only for steps that run; a step skipped because its upstream did not
// change never lists or reads upstream files.
async function openInputs(
  services: StepServices,
  asset: AnyAsset,
  read: ReadInputs,
  runId: string,
  duckdb: DuckDbSession,
): Promise<ResolvedInputs> {
  const handles: Record<string, InputHandle> = {};
  for (const dep of services.graph.upstream(asset.key)) {
    const upstream = services.graph.get(dep.assetKey);
    const versions = new Map(
      read.lineage.filter((l) => l.assetKey === dep.assetKey).map((l) => [l.partitionKey, l.dataVersion]),
    );
    handles[dep.name] = await upstream.io.input(
      ioContext(services, upstream, null, runId, duckdb, undefined, versions),
      read.available.get(dep.name) ?? [],
    );
  }
  return { handles, lineage: read.lineage, readsUntil: windowText(read.window) };
}

/** The `readsUntil` instants as ISO-8601 text by dependency name (as `materialize` gets and the store keeps them). */
function windowText(window: Map<string, number> | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, ms] of window ?? []) text[name] = new Date(ms).toISOString();
  return text;
}

/**
 * Whether every upstream partition still has the data version this partition last read — or, for
 * an upstream read through an as-of-window mapping, changed only from an instant the partition
 * does not read. Says which of the two, or false.
 */
async function upstreamUnchanged(
  services: StepServices,
  asset: AnyAsset,
  partitionKey: string | null,
  read: ReadInputs,
): Promise<false | 'identical' | 'outside_window'> {
  const { lineage, window } = read;
  const [state] = (await services.store.listAssetPartitionStates([asset.key], [partitionKey])).filter(
    (s) => s.partitionKey === partitionKey,
  );
  if (!state?.materializationId || state.codeVersion !== asset.codeVersion) return false;
  if (window) {
    // NOTE: instants that moved read other data, even with the same partitions.
    const recordedWindow = await services.store.getCheckpoint<Record<string, string>>(
      readWindowCheckpointName(asset.key),
    );
    if (!sameWindow(recordedWindow, windowText(window))) return false;
  }
  const recorded = new Map(
    state.inputs.map((i) => [`${i.assetKey}\u0000${i.partitionKey ?? ''}`, i.dataVersion]),
  );
  if (recorded.size !== lineage.length) return false;
  // NOTE: partitions left unread by `readsUntil` (the upstream that was planned among them) changed
  // after what the asset reads.
  let outside = read.unread > 0;
  for (const input of lineage) {
    const version = recorded.get(`${input.assetKey}\u0000${input.partitionKey ?? ''}`);
    if (version === input.dataVersion) continue;
    if (!(await changeOutsideWindow(services, asset, partitionKey, input, version, window))) return false;
    outside = true;
  }
  return outside ? 'outside_window' : 'identical';
}

/** Whether `input` (an upstream read as of the partition's window end) changed only after what the partition reads. */
async function changeOutsideWindow(
  services: StepServices,
  asset: AnyAsset,
  partitionKey: string | null,
  input: LineageInput,
  recorded: string | undefined,
  window: Map<string, number> | undefined,
): Promise<boolean> {
  if (recorded === undefined) return false;
  const dep = services.graph.upstream(asset.key).find((d) => d.assetKey === input.assetKey);
  let until: number | undefined;
  if (partitionKey === null) {
    // NOTE: an unpartitioned asset bounds what it reads of an unpartitioned upstream by `readsUntil`.
    const bound = dep ? window?.get(dep.name) : undefined;
    if (bound === undefined || input.partitionKey !== null) return false;
    until = bound;
  } else {
    if (!(dep?.mapping instanceof AsOfWindowMapping) || asset.partitions?.kind !== 'time-window')
      return false;
    const end = asset.partitions.partition(partitionKey).end;
    if (!end) return false;
    until = dep.mapping.readsUntil(end);
  }
  const log = await services.store.getCheckpoint<ChangeLog>(changeLogCheckpointName(input.assetKey));
  return changedSince(log, recorded, input.dataVersion) >= until;
}

/** Whether two sets of `readsUntil` instants (ISO-8601 by dependency name) are the same. */
function sameWindow(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  if (!a) return false;
  const names = Object.keys(b);
  return Object.keys(a).length === names.length && names.every((name) => a[name] === b[name]);
}

/** The recorded data version of an unpartitioned asset, null before its first materialization. */
async function currentVersion(services: StepServices, asset: AnyAsset): Promise<string | null> {
  const [own] = await services.store.listAssetPartitionStates([asset.key], [null]);
  return own?.materializationId ? own.dataVersion : null;
}

/**
 * The previous data of an asset that reports `changedFrom` through a query, copied into a
 * temporary table before the write replaces it.
 */
async function retainPrevious(
  services: StepServices,
  asset: AnyAsset,
  step: StepDescriptor,
  duckdb: DuckDbSession,
): Promise<string> {
  const handle = await asset.io.input(ioContext(services, asset, null, step.runId, duckdb), [null]);
  const table = `previous_${randomBytes(6).toString('hex')}`;
  await duckdb.run(`CREATE TEMP TABLE ${table} AS SELECT * FROM ${handle.toSql()}`);
  return table;
}

/** Evaluates the asset's `changedFrom` query between the retained previous data and the new data. */
async function changedFromQuery(
  services: StepServices,
  asset: AnyAsset,
  step: StepDescriptor,
  duckdb: DuckDbSession,
  previous: string,
): Promise<ChangedFrom> {
  const current = await asset.io.input(ioContext(services, asset, null, step.runId, duckdb), [null]);
  const query = asset.changedFrom!({ previous: { toSql: () => previous }, current });
  const [row] = await duckdb.query(
    `SELECT h IS NULL AS none, isinf(h) AS unbounded, epoch_ms(CASE WHEN isinf(h) THEN NULL ELSE h END)::BIGINT AS ms
     FROM (${query.text}) AS q(h) LIMIT 1`,
  );
  if (!row || row.none) return NEVER;
  if (row.unbounded) return null;
  return new Date(Number(row.ms)).toISOString();
}

/**
 * The asset's change log with this version appended (see `appendChange`), as a checkpoint to set
 * with the materialization; null when the log is unchanged.
 */
async function changeLogEntry(
  services: StepServices,
  assetKey: string,
  previousVersion: string | null,
  version: string,
  changedFrom: ChangedFrom,
): Promise<readonly [string, ChangeLog] | null> {
  const name = changeLogCheckpointName(assetKey);
  const log = await services.store.getCheckpoint<ChangeLog>(name);
  const next = appendChange(log, previousVersion, version, changedFrom);
  return next.entries !== log?.entries ? [name, next] : null;
}

function retryPolicyOf(services: StepServices, asset: AnyAsset): RetryPolicy {
  return { ...services.retryDefaults, ...(asset.retry ?? {}) };
}

function fallbackDataVersion(value: MaterializeResult['value']): string {
  return createHash('sha256')
    .update(JSON.stringify({ rowCount: value.rowCount ?? null, metadata: value.metadata ?? {} }))
    .digest('hex')
    .slice(0, 20);
}

/** What `materialize` is handed for one step; `extra` collects what it reports (metadata, external inputs). */
function materializeContext(
  services: StepServices,
  asset: AnyAsset,
  step: StepDescriptor,
  duckdb: DuckDbSession,
  inputs: ResolvedInputs,
  staged: Map<string, unknown>,
  extra: Record<string, unknown>,
): MaterializeContext {
  const external: ExternalInput[] = [];
  const partition = step.partitionKey === null ? null : asset.partitions!.partition(step.partitionKey);
  return {
    assetKey: asset.key,
    runId: step.runId,
    partition,
    partitionKey: step.partitionKey,
    deps: inputs.handles,
    readsUntil: inputs.readsUntil,
    duckdb,
    log: services.log.child({ asset: asset.key, partition: step.partitionKey }),
    resource: (definition) => services.resources.get(definition),
    addMetadata: (metadata) => Object.assign(extra, metadata),
    recordInput: (input) => {
      external.push({ ...input });
      extra[EXTERNAL_INPUTS_METADATA] = external;
    },
    previous: () => asset.io.input(ioContext(services, asset, null, step.runId, duckdb), [step.partitionKey]),
    upstreamChangedFrom: (name) =>
      upstreamChangedFrom(services, asset, step.partitionKey, inputs.lineage, name),
    checkpoints: {
      get: (name = 'default') => services.store.getCheckpoint(checkpointName(asset.key, name)),
      stage: (value, name = 'default') => {
        staged.set(checkpointName(asset.key, name), value);
      },
    },
  };
}

/** DuckDB's plan of `statement`; with `analyze`, executed (read only), with the time of each operator. */
export async function duckdbPlan(duckdb: DuckDbSession, statement: string, analyze = false): Promise<string> {
  const rows = await duckdb.query(`EXPLAIN ${analyze ? 'ANALYZE ' : ''}${statement}`);
  const text = rows.map((row) => String(row.explain_value ?? Object.values(row).at(-1))).join('\n');
  // NOTE: the profile repeats the whole statement (file lists included) on one line; it is not plan.
  return text
    .split('\n')
    .filter((line) => !line.startsWith('EXPLAIN ANALYZE '))
    .join('\n');
}

/**
 * The statement `materialize` returns for one partition, computed from its materialized upstream
 * partitions exactly as a run would, without writing, recording or staging anything (for
 * `shopflow explain`); null when the asset returns rows or writes its data itself.
 */
export async function statementOf(
  services: StepServices,
  asset: AnyAsset,
  partitionKey: string | null,
  duckdb: DuckDbSession,
): Promise<string | null> {
  const step: StepDescriptor = {
    runId: `explain-${asset.key}`,
    key: asset.key,
    assetKey: asset.key,
    partitionKey,
    reasonCodes: [],
  };
  const inputs = await openInputs(
    services,
    asset,
    await readInputs(services, asset, partitionKey),
    step.runId,
    duckdb,
  );
  const context = materializeContext(services, asset, step, duckdb, inputs, new Map(), {});
  const output = await userCodeBoundary({ assetKey: asset.key, partitionKey }, () =>
    asset.materialize(context),
  );
  return output instanceof SqlQuery ? output.text : null;
}

async function materializeOnce(
  services: StepServices,
  asset: AnyAsset,
  step: StepDescriptor,
  duckdb: DuckDbSession,
  inputs: ResolvedInputs,
  staged: Map<string, unknown>,
): Promise<WriteResult & { changedFrom?: ChangedFrom }> {
  const extra: Record<string, unknown> = {};
  staged.clear();
  // NOTE: saved with the materialization, so a later step can tell whether its instants moved.
  if (asset.readsUntil && step.partitionKey === null) {
    staged.set(readWindowCheckpointName(asset.key), inputs.readsUntil);
  }
  const context = materializeContext(services, asset, step, duckdb, inputs, staged, extra);
  const where = { assetKey: asset.key, partitionKey: step.partitionKey };
  const output = await userCodeBoundary(where, () => asset.materialize(context));
  if (output instanceof MaterializeResult) {
    // NOTE: a lake table the step did not write would be recorded as materialized with no files:
    // its readers would find it missing (or, before, read no rows).
    if (asset.io.kind === 'lake-table') {
      throw new ShopflowError(
        'SF_USER_CODE',
        `asset \`${asset.key}\` is stored as a lake table (the default \`io\`), but its materialize returned materialized({ … }) without writing any rows there`,
        {
          hint: 'return the rows (sql`…` or an array) for the framework to write, or, when the asset writes its data itself, declare it: io: storedByAsset()',
        },
      );
    }
    const value = output.value;
    return {
      dataVersion: value.dataVersion ?? fallbackDataVersion(value),
      rowCount: value.rowCount ?? null,
      metadata: { ...(value.metadata ?? {}), ...extra },
      changedFrom: value.changedFrom,
    };
  }
  // NOTE: planning only (no execution): the plan the write below runs.
  if (asset.explain && output instanceof SqlQuery) extra.plan = await duckdbPlan(duckdb, output.text);
  const written = await userCodeBoundary(where, () =>
    asset.io.write(ioContext(services, asset, step.partitionKey, step.runId, duckdb, inputs.handles), output),
  );
  return { ...written, metadata: { ...written.metadata, ...extra } };
}

async function runChecks(
  services: StepServices,
  asset: AnyAsset,
  step: StepDescriptor,
  duckdb: DuckDbSession,
  materialization: {
    id: string;
    rowCount: number | null;
    dataVersion: string;
    metadata: Record<string, unknown>;
  },
  deps: Record<string, InputHandle>,
  /** Failing rows per row rule the write counted while writing. */
  writtenFailingRows: Record<string, number> | undefined,
): Promise<{ outcomes: CheckOutcome[]; evaluations: NewCheckEvaluation[]; events: NewEvent[] }> {
  if (asset.checks.length === 0) return { outcomes: [], evaluations: [], events: [] };
  const data = await asset.io.input(
    ioContext(
      services,
      asset,
      null,
      step.runId,
      duckdb,
      undefined,
      new Map([[step.partitionKey, materialization.dataVersion]]),
    ),
    [step.partitionKey],
  );
  const evaluated: Array<{
    check: AssetCheck;
    passed: boolean;
    message: string | null;
    metadata: Record<string, unknown>;
  }> = [];
  const columns = schemaColumns(asset.schema);
  // NOTE: a rule that cannot be evaluated fails its own check below (the check scans again).
  const failingRows = await failingRowsOf(
    asset,
    duckdb,
    data,
    deps,
    step.partitionKey,
    writtenFailingRows,
  ).catch(() => writtenFailingRows ?? {});
  for (const check of asset.checks) {
    let passed: boolean;
    let message: string | null;
    let metadata: Record<string, unknown>;
    try {
      const result = await userCodeBoundary({ ...step, check: check.name }, () =>
        check.evaluate({
          assetKey: asset.key,
          partitionKey: step.partitionKey,
          runId: step.runId,
          duckdb,
          data,
          deps,
          columns,
          materialization,
          failingRows: failingRows[check.name],
          history: async (limit = 20) =>
            (
              await services.store.listMaterializations({
                assetKey: asset.key,
                partitionKey: step.partitionKey,
                limit: limit + 1,
              })
            ).filter((m) => m.id !== materialization.id),
          assetHistory: async (limit = 20) =>
            (await services.store.listMaterializations({ assetKey: asset.key, limit: limit + 1 })).filter(
              (m) => m.id !== materialization.id,
            ),
          resource: (definition) => services.resources.get(definition),
        }),
      );
      passed = result.passed;
      message = result.message ?? null;
      metadata = { ...(result.metadata ?? {}), ...(result.message ? { message: result.message } : {}) };
    } catch (error) {
      passed = false;
      message = `the check itself failed: ${describeError(error)}`;
      metadata = { message, error: describeError(error) };
    }
    evaluated.push({ check, passed, message, metadata });
  }
  const evaluations: NewCheckEvaluation[] = evaluated.map(({ check, passed, metadata }) => ({
    runId: step.runId,
    assetKey: asset.key,
    partitionKey: step.partitionKey,
    checkName: check.name,
    severity: check.severity,
    passed,
    metadata,
    materializationId: materialization.id,
  }));
  const outcomes: CheckOutcome[] = [];
  const events: NewEvent[] = [];
  for (const { check, passed, message, metadata } of evaluated) {
    events.push({
      runId: step.runId,
      type: 'check_evaluation',
      assetKey: asset.key,
      partitionKey: step.partitionKey,
      message: `${check.name}: ${passed ? 'passed' : check.severity === 'error' ? 'FAILED' : 'warning'}${message ? ` — ${message}` : ''}`,
      data: {
        check: check.name,
        severity: check.severity,
        passed,
        failingRows: metadata.failingRows ?? null,
        quarantinedRows: metadata.quarantinedRows ?? null,
      },
    });
    outcomes.push({ name: check.name, severity: check.severity, passed, message });
  }
  // NOTE: the caller records the evaluations and events with the materialization, in one transaction.
  return { outcomes, evaluations, events };
}

/**
 * Runs one step: skips it if it was planned only for its upstream and that turned out unchanged
 * (without a lock: a skip writes only its event), else takes the partition lock, materializes with
 * retries, runs the checks, then records the materialization with its lineage, check evaluations
 * and events and releases the lock in one transaction. Never throws for a failure of the step
 * itself: it reports it in the outcome and the event log.
 */
export async function runStep(
  step: StepDescriptor,
  services: StepServices,
  /** `beforeCommit` (a worker's fencing check) runs right before the materialization is recorded. */
  hooks: { beforeCommit?: () => Promise<void> } = {},
): Promise<StepOutcome> {
  const asset = services.graph.get(step.assetKey);
  const label = formatAssetPartition(step.assetKey, step.partitionKey);
  const base = { key: step.key, rowCount: null, dataVersion: null, checks: [], blocking: false };
  const event = { runId: step.runId, assetKey: step.assetKey, partitionKey: step.partitionKey };
  const duckdb = await services.engine.session();
  let locked = false;
  try {
    // NOTE: a step planned only because its upstream was planned is decided before it takes the
    // partition lock: a skip writes nothing but its event, and most steps of a day's incremental
    // run are such skips (a lock taken and released is two writes to the instance store each).
    if (step.reasonCodes.length > 0 && step.reasonCodes.every((c) => c === 'upstream_planned')) {
      const early = await readInputs(services, asset, step.partitionKey);
      const unchanged = await upstreamUnchanged(services, asset, step.partitionKey, early);
      if (unchanged) {
        const message =
          unchanged === 'identical'
            ? 'up to date: its upstream was re-materialized with identical data'
            : `up to date: its upstream changed only after the time this ${step.partitionKey === null ? 'asset' : 'partition'} reads`;
        await services.emit({
          ...event,
          type: 'step_skipped',
          message,
          data: { reason: unchanged === 'identical' ? 'upstream_unchanged' : 'change_outside_window' },
        });
        return { ...base, status: 'skipped', message };
      }
    }
    // NOTE: the attempt and its `step_start` event are written with the lock (one transaction).
    await acquirePartitionLock(
      services,
      label,
      step.runId,
      { assetKey: step.assetKey, partitionKey: step.partitionKey },
      {
        attempt: { ...event, status: 'running' },
        events: [
          {
            ...event,
            type: 'step_start',
            message: `materializing ${label}${services.worker ? ` on worker ${services.worker}` : ''}`,
            data: services.worker ? { worker: services.worker } : {},
          },
        ],
      },
    );
    locked = true;
    // NOTE: read under the lock: while the step waited for it, its upstream may have moved on.
    const read = await readInputs(services, asset, step.partitionKey);
    const inputs = await openInputs(services, asset, read, step.runId, duckdb);
    // NOTE: only assets that report `changedFrom` need their previous version (and, with a query,
    // their previous data): read before the write replaces it.
    let previousVersion = asset.changedFrom ? await currentVersion(services, asset) : undefined;
    const previous = previousVersion ? await retainPrevious(services, asset, step, duckdb) : null;
    const policy = retryPolicyOf(services, asset);
    const staged = new Map<string, unknown>();
    const started = Date.now();
    let written: (WriteResult & { changedFrom?: ChangedFrom }) | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        written = await materializeOnce(services, asset, step, duckdb, inputs, staged);
        break;
      } catch (error) {
        if (
          attempt > policy.maxRetries ||
          (isShopflowError(error) && error.code !== 'SF_USER_CODE' && error.code !== 'SF_IO')
        ) {
          throw error;
        }
        const delay = retryDelayMs(policy, attempt);
        await services.emit({
          ...event,
          type: 'step_retry',
          message: `attempt ${attempt} failed (${describeError(error)}); retrying in ${delay} ms`,
          data: { attempt, delayMs: delay, error: describeError(error) },
        });
        await services.sleep(delay);
      }
    }
    const metadata: Record<string, unknown> = { ...written.metadata, durationMs: Date.now() - started };
    if (written.quarantined) metadata.quarantined = written.quarantined;
    // NOTE: computed before the materialization is recorded; a query that fails (e.g. the columns
    // changed, so previous and current data cannot be compared) means "changed at any time".
    const tracksChanges = !asset.partitions && (asset.changedFrom || written.changedFrom !== undefined);
    if (tracksChanges) previousVersion ??= await currentVersion(services, asset);
    let changedFrom: ChangedFrom = written.changedFrom ?? null;
    if (previous !== null && written.dataVersion !== previousVersion) {
      changedFrom = await changedFromQuery(services, asset, step, duckdb, previous).catch((error) => {
        services.log.warn(
          { asset: asset.key, error: describeError(error) },
          'changedFrom query failed; every reader of this version re-runs',
        );
        return null;
      });
    }
    // NOTE: the checks run before anything is recorded: the materialization, the checkpoints it
    // advances, its check evaluations and events and the lock's release are one transaction.
    const materialization = {
      id: randomUUID(),
      rowCount: written.rowCount,
      dataVersion: written.dataVersion,
      metadata,
    };
    const checkpoints: Array<readonly [string, unknown]> = [...staged];
    if (tracksChanges) {
      const change = await changeLogEntry(
        services,
        asset.key,
        previousVersion ?? null,
        written.dataVersion,
        changedFrom,
      );
      if (change) checkpoints.push(change);
    }
    const {
      outcomes: checks,
      evaluations,
      events: checkEvents,
    } = await runChecks(services, asset, step, duckdb, materialization, inputs.handles, written.failingRows);
    const failedBlocking = checks.filter((c) => !c.passed && c.severity === 'error');
    const message = failedBlocking.length
      ? `blocking check ${failedBlocking.map((c) => c.name).join(', ')} failed`
      : `${written.rowCount ?? '?'} rows, version ${written.dataVersion.slice(0, 8)}`;
    await hooks.beforeCommit?.();
    const recorded = await services.store.recordStepResult({
      materialization: {
        ...materialization,
        runId: step.runId,
        assetKey: step.assetKey,
        partitionKey: step.partitionKey,
        codeVersion: asset.codeVersion,
        inputs: inputs.lineage,
      },
      checkpoints,
      checkEvaluations: evaluations,
      events: [
        ...checkEvents,
        {
          ...event,
          type: 'step_success',
          message: `${label}: ${message}`,
          data: {
            rowCount: written.rowCount,
            dataVersion: written.dataVersion,
            durationMs: metadata.durationMs,
            blocking: failedBlocking.length > 0,
            quarantinedRows: Object.values(written.quarantined ?? {}).reduce((sum, q) => sum + q.rows, 0),
            bytesWritten:
              typeof written.metadata.bytesWritten === 'number' ? written.metadata.bytesWritten : null,
          },
        },
      ],
      releaseLock: { key: label, runId: step.runId },
    });
    locked = false;
    services.published(recorded.events);
    return {
      ...base,
      status: 'success',
      message,
      rowCount: written.rowCount,
      dataVersion: written.dataVersion,
      checks,
      blocking: failedBlocking.length > 0,
    };
  } catch (thrown) {
    // NOTE: a worker whose step lease was taken over records nothing and leaves the partition lock
    // (held for the run) to the worker that took the step over.
    if (isShopflowError(thrown) && thrown.code === 'SF_STEP_LEASE_LOST') {
      locked = false;
      throw thrown;
    }
    // NOTE: a full disk or a locked store is reported as what it is, not as the asset's own fault.
    const error = storageFault(thrown) ?? thrown;
    const message = describeError(error);
    // NOTE: an upstream file found damaged is recorded, so the next plan rewrites that partition.
    await recordCorruptPartition(services.store, error, services.now()).catch((recordError) =>
      services.log.warn({ err: recordError }, 'could not record a corrupt lake partition'),
    );
    if (locked)
      await services.store.recordAttempt({ ...event, status: 'failed', error: message }).catch(() => {});
    await services.emit({
      ...event,
      type: 'step_failure',
      message: `${label} failed: ${message}`,
      data: {
        error: message,
        code: isShopflowError(error) ? error.code : 'SF_USER_CODE',
        stack: stackOf(error),
      },
    });
    return { ...base, status: 'failed', message };
  } finally {
    duckdb.close();
    if (locked) await services.store.releaseLock(label, step.runId).catch(() => {});
  }
}

/** The stack of an error (of its cause when it wraps one), with the password of any URL it quotes redacted. */
function stackOf(error: unknown): string | undefined {
  const stack =
    error instanceof Error ? (error.cause instanceof Error ? error.cause.stack : error.stack) : undefined;
  return stack === undefined ? undefined : redactUrl(stack);
}

/** See `MaterializeContext.upstreamChangedFrom`. */
async function upstreamChangedFrom(
  services: StepServices,
  asset: AnyAsset,
  partitionKey: string | null,
  lineage: readonly LineageInput[],
  name: string,
): Promise<string | null> {
  const dep = services.graph.upstream(asset.key).find((d) => d.name === name);
  if (!dep) {
    throw new ShopflowError('SF_USER_CODE', `asset \`${asset.key}\` has no dependency named \`${name}\``, {
      hint: `name one of its deps: ${services.graph
        .upstream(asset.key)
        .map((d) => d.name)
        .join(', ')}`,
    });
  }
  const current = lineage.find((l) => l.assetKey === dep.assetKey && l.partitionKey === null)?.dataVersion;
  if (current === undefined) return null;
  const [state] = (await services.store.listAssetPartitionStates([asset.key], [partitionKey])).filter(
    (s) => s.partitionKey === partitionKey,
  );
  const recorded = state?.inputs.find(
    (i) => i.assetKey === dep.assetKey && i.partitionKey === null,
  )?.dataVersion;
  const log = await services.store.getCheckpoint<ChangeLog>(changeLogCheckpointName(dep.assetKey));
  const since = changedSince(log, recorded, current);
  if (since === Number.POSITIVE_INFINITY) return NEVER;
  return since === Number.NEGATIVE_INFINITY ? null : new Date(since).toISOString();
}
