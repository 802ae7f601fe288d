import {
  type BackfillPartitionRecord,
  type BackfillRecord,
  HOSTNAME,
  type Plan,
  partitionsForFilter,
  processIsAlive,
  ShopflowError,
  type ShopflowRuntime,
  selectAssets,
} from '../framework/index.js';

/** What a backfill reports while it works. */
export type BackfillEvent =
  | { type: 'start'; backfill: BackfillRecord; total: number; done: number; resumed: boolean }
  | {
      type: 'partition';
      backfillId: string;
      partitionKey: string;
      status: 'success' | 'failed';
      runId: string | null;
      message: string | null;
      done: number;
      failed: number;
      total: number;
    }
  | { type: 'finish'; backfill: BackfillRecord; done: number; failed: number; total: number };

export interface BackfillOptions {
  runtime: ShopflowRuntime;
  selection?: string;
  /** First and last partition key of the range, both included. */
  from?: string;
  to?: string;
  /** Resume this backfill (id or unique id prefix) instead of naming selection and range. */
  resume?: string;
  /** Partitions materialized at once (default: the executor's concurrency). */
  parallel?: number;
  /** Aborting stops after the batch in flight; the backfill is then `interrupted` and resumable. */
  signal?: AbortSignal;
  onEvent?: (event: BackfillEvent) => void;
}

export interface BackfillResult {
  backfill: BackfillRecord;
  partitions: BackfillPartitionRecord[];
  resumed: boolean;
  /** Unpartitioned assets downstream of the range, left out: materialize them afterwards. */
  deferredAssets: string[];
}

function ownerIsAlive(backfill: BackfillRecord, now: Date, deadAfterMs: number): boolean {
  if (backfill.pid === null || backfill.hostname === null) return false;
  if (backfill.pid === process.pid && backfill.hostname === HOSTNAME) return false;
  if (backfill.hostname === HOSTNAME && !processIsAlive(backfill.pid)) return false;
  return !(backfill.heartbeatAt && now.getTime() - Date.parse(backfill.heartbeatAt) > deadAfterMs);
}

/**
 * The partition keys a backfill walks, those of the finest partitioned assets of the selection in
 * the range, and those assets; coarser assets (weekly or monthly roll-ups of daily data) come along
 * in the batches whose days their windows cover.
 */
function rangeUnit(
  runtime: ShopflowRuntime,
  selection: string,
  from: string,
  to: string,
): { keys: string[]; assets: Set<string> } {
  const now = runtime.services.now();
  const own = new Map<string, string[]>();
  for (const key of selectAssets(runtime.graph, selection)) {
    const partitions = runtime.graph.get(key).partitions;
    if (partitions) own.set(key, partitionsForFilter(partitions, { from, to }, now));
  }
  const keys = [...own.values()].reduce<string[]>((finest, k) => (k.length > finest.length ? k : finest), []);
  const same = (k: string[]) => k.length === keys.length && k.every((key, i) => key === keys[i]);
  return { keys, assets: new Set([...own].filter(([, k]) => same(k)).map(([asset]) => asset)) };
}

/**
 * Leaves out of a batch's plan, with whatever depends on them: unpartitioned steps that read a
 * partitioned step (e.g. an all-time summary of daily data, which would be rebuilt after every
 * batch; they are reported as deferred), and roll-up steps whose window is not complete yet (a week
 * whose later days are in a later batch; that batch plans them again).
 */
function pruneBatchPlan(plan: Plan, unit: Set<string>): { plan: Plan; deferred: string[] } {
  const partitioned = new Set(plan.steps.filter((s) => s.partitionKey !== null).map((s) => s.key));
  const removed = new Set<string>();
  const deferred = new Set<string>();
  for (const step of plan.steps) {
    const summary = step.partitionKey === null && step.dependsOn.some((k) => partitioned.has(k));
    const incompleteRollup = !unit.has(step.assetKey) && step.blockedBy.length > 0;
    if (summary || incompleteRollup || step.dependsOn.some((k) => removed.has(k))) {
      removed.add(step.key);
      if (step.partitionKey === null) deferred.add(step.assetKey);
    }
  }
  return { plan: { ...plan, steps: plan.steps.filter((s) => !removed.has(s.key)) }, deferred: [...deferred] };
}

/** A backfill by id or unique id prefix; `SF_UNKNOWN_BACKFILL` otherwise. */
export async function findBackfill(runtime: ShopflowRuntime, id: string): Promise<BackfillRecord> {
  const exact = await runtime.store.getBackfill(id);
  if (exact) return exact;
  const matches = (await runtime.store.listBackfills({ limit: 1000 })).filter((b) => b.id.startsWith(id));
  if (matches.length === 1) return matches[0];
  throw new ShopflowError(
    'SF_UNKNOWN_BACKFILL',
    matches.length === 0
      ? `no backfill has the id \`${id}\``
      : `the id prefix \`${id}\` matches ${matches.length} backfills`,
    { hint: 'list backfills with `shopflow backfill --list`' },
  );
}

async function resolveBackfill(
  options: BackfillOptions,
  parallel: number,
): Promise<{ backfill: BackfillRecord; resumed: boolean }> {
  const { runtime } = options;
  const { store } = runtime;
  if (options.resume) {
    // NOTE: a resumed backfill keeps its own selection and range; another one given with it would
    // be silently ignored.
    if (options.selection !== undefined || options.from !== undefined || options.to !== undefined) {
      throw new ShopflowError(
        'SF_BAD_USAGE',
        '--resume continues a recorded backfill with its own selection and range',
        {
          hint: 'drop the selection and --from/--to to resume it, or drop --resume to start a new backfill',
        },
      );
    }
    return { backfill: await findBackfill(runtime, options.resume), resumed: true };
  }
  const { selection, from, to } = options;
  if (!selection || !from || !to) {
    throw new ShopflowError('SF_BAD_USAGE', 'a backfill needs a selection and a range', {
      hint: 'e.g. `shopflow backfill raw_transactions+ --from FIRST --to LAST` with the first and last partition keys of the range (days as YYYY-MM-DD within the calendar), or `--resume ID`',
    });
  }
  const unfinished = (
    await store.listBackfills({ status: ['running', 'interrupted', 'failed'], limit: 1000 })
  ).find((b) => b.selection === selection && b.from === from && b.to === to);
  if (unfinished) return { backfill: unfinished, resumed: true };
  // NOTE: planning with force validates the selection and the range with the planner's own errors.
  await runtime.plan({ selection, partitions: { from, to }, force: true });
  const { keys } = rangeUnit(runtime, selection, from, to);
  if (keys.length === 0) {
    throw new ShopflowError(
      'SF_BAD_PARTITION_RANGE',
      `no partition of \`${selection}\` lies in ${from} … ${to}`,
      {
        hint: 'check the range against `shopflow assets`',
      },
    );
  }
  const backfill = await store.createBackfill({ selection, from, to, parallel }, keys);
  return { backfill, resumed: false };
}

/**
 * Materializes a partition range of a selection in batches of `parallel` partitions (one run per
 * batch, `parallel` steps at once), recording each partition's status in the instance store.
 *
 * Resuming: running the same selection and range again continues the unfinished backfill of that
 * selection and range (as does `resume: id`): partitions already `success` are not touched, and the
 * others are planned without force, so steps a killed batch finished are not repeated either.
 *
 * @example
 * const result = await runBackfill({ runtime, selection: 'readings+', from: '2024-01-01', to: '2024-12-30', parallel: 4 });
 * result.backfill.status; // 'success'
 */
export async function runBackfill(options: BackfillOptions): Promise<BackfillResult> {
  const { runtime } = options;
  const { store } = runtime;
  const requested = options.parallel ?? runtime.config.executor.concurrency;
  if (!(Number.isInteger(requested) && requested >= 1)) {
    throw new ShopflowError('SF_BAD_USAGE', `--parallel ${requested} is not a positive integer`, {
      hint: 'e.g. --parallel 4',
    });
  }
  const resolved = await resolveBackfill(options, requested);
  let backfill = resolved.backfill;
  const now = () => runtime.services.now();
  if (backfill.status === 'running' && ownerIsAlive(backfill, now(), runtime.services.deadAfterMs)) {
    throw new ShopflowError(
      'SF_BACKFILL_RUNNING',
      `backfill ${backfill.id} is being run by pid ${backfill.pid} on ${backfill.hostname} (last heartbeat ${backfill.heartbeatAt})`,
      { hint: 'wait for it to finish, or stop that process and run the command again to resume' },
    );
  }
  const parallel = options.parallel ?? backfill.parallel;
  await store.updateBackfill(backfill.id, {
    status: 'running',
    parallel,
    pid: process.pid,
    hostname: HOSTNAME,
    heartbeatAt: now().toISOString(),
    finishedAt: null,
    message: null,
  });
  const heartbeat = setInterval(() => {
    store.updateBackfill(backfill.id, { heartbeatAt: now().toISOString() }).catch(() => {});
  }, runtime.config.executor.heartbeatSeconds * 1000);
  heartbeat.unref();

  const partitions = await store.listBackfillPartitions(backfill.id);
  const total = partitions.length;
  let done = partitions.filter((p) => p.status === 'success').length;
  let failed = 0;
  const remaining = partitions.filter((p) => p.status !== 'success').map((p) => p.partitionKey);
  backfill = (await store.getBackfill(backfill.id))!;
  options.onEvent?.({ type: 'start', backfill, total, done, resumed: resolved.resumed });

  const unit = rangeUnit(runtime, backfill.selection, backfill.from, backfill.to).assets;
  const deferred = new Set<string>();
  const rollupFailures: string[] = [];
  let interrupted = false;
  let canceled = false;
  try {
    for (let i = 0; i < remaining.length; i += parallel) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      // NOTE: a cancel (from any process) marks the backfill `canceled` in the store; seen here
      // before every batch, and through the batch's run, which is canceled with it.
      if ((await store.getBackfill(backfill.id))?.status === 'canceled') {
        canceled = true;
        break;
      }
      const batch = remaining.slice(i, i + parallel);
      const planned = await runtime.plan({ selection: backfill.selection, partitions: { keys: batch } });
      const { plan, deferred: left } = pruneBatchPlan(planned, unit);
      for (const asset of left) deferred.add(asset);
      const results = new Map<string, { status: 'success' | 'failed' | 'pending'; message: string | null }>();
      // NOTE: a step of the backfill's own assets left out with what it depends on (an all-time
      // summary a backfill defers) did not run: its partition is not done, and says what it needs.
      const kept = new Set(plan.steps.map((s) => s.key));
      for (const step of planned.steps) {
        if (kept.has(step.key) || step.partitionKey === null || !unit.has(step.assetKey)) continue;
        if (results.has(step.partitionKey)) continue;
        results.set(step.partitionKey, {
          status: 'failed',
          message: left.length
            ? `${step.key}: not run: it needs ${left.join(', ')}, which a backfill leaves out (materialize ${left.length > 1 ? 'them' : 'it'} first, then resume this backfill)`
            : `${step.key}: not run: a step it needs was left out of this batch`,
        });
      }
      let runId: string | null = null;
      // NOTE: a batch's run is credited only to the partitions it had steps for; the others were
      // up to date already.
      const ranIn = new Set(
        plan.steps.filter((s) => s.partitionKey !== null && unit.has(s.assetKey)).map((s) => s.partitionKey),
      );
      if (plan.steps.length > 0) {
        const result = await runtime.execute(plan, {
          concurrency: parallel,
          tags: { backfill: backfill.id },
        });
        runId = result.runId;
        if (result.status === 'canceled') canceled = true;
        for (const step of plan.steps) {
          const outcome = result.outcomes.get(step.key);
          if (outcome?.canceled && step.partitionKey !== null) {
            results.set(step.partitionKey, { status: 'pending', message: 'not started: canceled' });
            continue;
          }
          if (step.partitionKey === null || !unit.has(step.assetKey)) {
            // NOTE: a roll-up whose window is not complete yet is skipped as blocked; a later batch runs it.
            const failedHere =
              outcome?.status === 'failed' || (outcome?.status === 'success' && outcome.blocking);
            if (failedHere) rollupFailures.push(`${step.key}: ${outcome?.message}`);
            continue;
          }
          const bad = !outcome || outcome.status === 'failed' || outcome.blocking;
          if (bad && results.get(step.partitionKey) === undefined) {
            results.set(step.partitionKey, {
              status: 'failed',
              message: `${step.key}: ${outcome?.message ?? 'did not run'}`,
            });
          }
        }
      }
      const updates = batch
        .filter((partitionKey) => results.get(partitionKey)?.status !== 'pending')
        .map((partitionKey) => ({
          partitionKey,
          status: (results.get(partitionKey)?.status ?? 'success') as 'success' | 'failed',
          runId: ranIn.has(partitionKey) ? runId : null,
          message:
            results.get(partitionKey)?.message ?? (runId && ranIn.has(partitionKey) ? null : 'up to date'),
        }));
      await store.updateBackfillPartitions(backfill.id, updates);
      for (const update of updates) {
        if (update.status === 'success') done++;
        else failed++;
        options.onEvent?.({ type: 'partition', backfillId: backfill.id, ...update, done, failed, total });
      }
      if (canceled) break;
    }
  } finally {
    clearInterval(heartbeat);
  }

  const status = canceled
    ? 'canceled'
    : interrupted
      ? 'interrupted'
      : failed > 0 || rollupFailures.length > 0
        ? 'failed'
        : 'success';
  const cancelNote = canceled ? ((await store.getBackfill(backfill.id))?.message ?? 'canceled') : '';
  const notes = [
    cancelNote,
    `${done}/${total} partitions done${failed ? `, ${failed} failed` : ''}`,
    rollupFailures.length ? `failed roll-up steps: ${rollupFailures.slice(0, 3).join('; ')}` : '',
    deferred.size ? `not part of a backfill (materialize afterwards): ${[...deferred].join(', ')}` : '',
  ].filter(Boolean);
  await store.updateBackfill(backfill.id, {
    status,
    finishedAt: interrupted ? null : now().toISOString(),
    message: notes.join('; '),
  });
  backfill = (await store.getBackfill(backfill.id))!;
  options.onEvent?.({ type: 'finish', backfill, done, failed, total });
  return {
    backfill,
    partitions: await store.listBackfillPartitions(backfill.id),
    resumed: resolved.resumed,
    deferredAssets: [...deferred],
  };
}
