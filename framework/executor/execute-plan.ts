import { randomUUID } from 'node:crypto';
import { ShopflowError } from '../errors/error-catalog.js';
import { storageFault } from '../errors/storage-fault.js';
import { MinHeap } from '../graph/min-heap.js';
import type { RunRecord } from '../instance/instance-store.js';
import type { Plan, PlanStep } from '../planner/plan-materialization.js';
import { HOSTNAME } from './process-liveness.js';
import { CancelWatch } from './run-cancellation.js';
import { inProcessLauncher, type StepLauncher } from './step-launcher.js';
import type { StepOutcome, StepServices } from './step-services.js';
import { describeError } from './user-code-boundary.js';

/** How old the last look for a cancel request may be when a step starts (see `CancelWatch.requestedWithin`). */
const CANCEL_CHECK_MS = 100;

export interface ExecuteOptions {
  plan: Plan;
  services: StepServices;
  concurrency?: number;
  heartbeatMs?: number;
  launcher?: StepLauncher;
  runId?: string;
  parentRunId?: string | null;
  tags?: Record<string, string>;
  /** How often the instance store is asked whether someone wants the run canceled (default 1000 ms). */
  cancelPollMs?: number;
  /**
   * Execute the run `runId` a run launcher recorded as `queued` (its plan is `plan`) instead of
   * recording a new one: `shopflow materialize --run-id` in an ECS task.
   */
  queued?: RunRecord;
}

export interface RunResult {
  runId: string;
  status: 'success' | 'failed' | 'canceled';
  outcomes: Map<string, StepOutcome>;
  /** One sentence when the run failed. */
  error: string | null;
}

/**
 * Executes a plan: steps run as soon as the steps they depend on succeeded, up to `concurrency` at
 * once. A failed step, or a failed `error` check, skips the steps downstream of that partition
 * only; everything else goes on. Every transition is appended to the instance store.
 *
 * Canceling (`requestRunCancel`, from any process): once the request is seen in the instance store
 * no step starts any more — those waiting are skipped with the reason `canceled` — the steps in
 * flight finish (each writes atomically, so nothing is left half done), and the run ends `canceled`.
 * The launcher is told (`StepLauncher.cancel`), so steps it launched that have not started yet (on a
 * queue, no worker took them) are withdrawn and count as not started.
 */
export async function executePlan(options: ExecuteOptions): Promise<RunResult> {
  const { plan, services } = options;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const launcher = options.launcher ?? inProcessLauncher(services);
  const run: RunRecord = options.queued
    ? options.queued
    : await services.store.createRun({
        id: options.runId ?? randomUUID(),
        selection: plan.selection,
        plan,
        status: 'running',
        tags: options.tags ?? {},
        parentRunId: options.parentRunId ?? null,
        pid: process.pid,
        hostname: HOSTNAME,
      });
  const runId = run.id;
  if (options.queued) {
    // NOTE: taken only while still queued: a run canceled (or taken by another task) meanwhile is
    // not executed.
    const taken = await services.store.transitionRun(runId, ['queued'], {
      status: 'running',
      pid: process.pid,
      hostname: HOSTNAME,
    });
    if (!taken) {
      const status = (await services.store.getRun(runId))?.status ?? 'gone';
      throw new ShopflowError('SF_RUN_NOT_RETRYABLE', `run ${runId} is ${status}, not queued`, {
        hint: 'a queued run is executed once; retry a finished one with `shopflow runs retry`',
      });
    }
  }
  const startedAt = services.now().toISOString();
  await services.store.updateRun(runId, { startedAt, heartbeatAt: startedAt });
  await services.emit({
    runId,
    type: 'run_start',
    message: `run started: ${plan.steps.length} steps`,
    data: { steps: plan.steps.length, selection: plan.selection },
  });
  launcher.prepare?.(new Set(plan.steps.filter((s) => s.blockedBy.length === 0).map((s) => s.assetKey)));
  const heartbeat = setInterval(() => {
    services.store.heartbeat(runId, services.now().toISOString()).catch(() => {});
  }, options.heartbeatMs ?? 5_000);
  heartbeat.unref();
  const cancel = new CancelWatch(services.store, runId, options.cancelPollMs ?? 1_000);

  const outcomes = new Map<string, StepOutcome>();
  const byKey = new Map(plan.steps.map((s) => [s.key, s]));
  const waiting = new Set(plan.steps.map((s) => s.key));
  const running = new Map<string, Promise<void>>();
  // NOTE: steps become ready as their upstream steps settle, so each pass looks only at ready steps
  // (longest chain first, see criticalPathRank) rather than at every waiting one: linear in the
  // plan, not quadratic.
  const order = new Map(plan.steps.map((s, i) => [s.key, i]));
  const unsettled = new Map(plan.steps.map((s) => [s.key, s.dependsOn.length]));
  const dependents = new Map<string, string[]>();
  for (const s of plan.steps) {
    for (const d of s.dependsOn) {
      const list = dependents.get(d);
      if (list) list.push(s.key);
      else dependents.set(d, [s.key]);
    }
  }
  const rank = criticalPathRank(plan.steps, dependents);
  const ready = new MinHeap<number>();
  for (const [i, s] of plan.steps.entries())
    if (s.dependsOn.length === 0 || s.blockedBy.length > 0) ready.push(rank[i]!);
  const settle = (key: string, outcome: StepOutcome) => {
    outcomes.set(key, outcome);
    for (const dependent of dependents.get(key) ?? []) {
      const left = unsettled.get(dependent)! - 1;
      unsettled.set(dependent, left);
      if (left === 0 && waiting.has(dependent)) ready.push(rank[order.get(dependent)!]!);
    }
  };

  const skip = async (step: PlanStep, message: string, reason: 'blocked' | 'canceled' = 'blocked') => {
    settle(step.key, {
      key: step.key,
      status: 'skipped',
      message,
      rowCount: null,
      dataVersion: null,
      checks: [],
      blocking: true,
      ...(reason === 'canceled' ? { canceled: true } : {}),
    });
    waiting.delete(step.key);
    await services.emit({
      runId,
      type: 'step_skipped',
      assetKey: step.assetKey,
      partitionKey: step.partitionKey,
      message: `${step.key} skipped: ${message}`,
      data: { reason },
    });
  };
  let notStarted = 0;
  let launcherTold = false;

  try {
    while (waiting.size > 0 || running.size > 0) {
      if (cancel.requestedBy !== null && !launcherTold) {
        // NOTE: steps launched but still waiting to start elsewhere (a queue) are withdrawn too.
        launcherTold = true;
        launcher.cancel?.(cancel.requestedBy);
      }
      if (cancel.requestedBy !== null && waiting.size > 0) {
        for (const key of [...waiting]) {
          await skip(
            byKey.get(key)!,
            `the run was canceled by ${cancel.requestedBy} before it started`,
            'canceled',
          );
          notStarted++;
        }
        continue;
      }
      let progressed = false;
      let canceledNow = false;
      // NOTE: ready steps longest chain first; once `concurrency` steps run, the rest wait for the next pass.
      while (ready.size > 0 && running.size < concurrency) {
        const step = plan.steps[ready.pop() % plan.steps.length]!;
        const key = step.key;
        if (!waiting.has(key)) continue;
        if (step.blockedBy.length > 0) {
          await skip(
            step,
            `upstream ${step.blockedBy.slice(0, 3).join(', ')}${step.blockedBy.length > 3 ? ' …' : ''} is not materialized and not in this run`,
          );
          progressed = true;
          continue;
        }
        const upstream = step.dependsOn.map((k) => outcomes.get(k));
        const failed = step.dependsOn.find((k) => {
          const o = outcomes.get(k);
          return o !== undefined && (o.status === 'failed' || o.blocking);
        });
        if (failed) {
          const o = outcomes.get(failed)!;
          const why =
            o.status === 'failed'
              ? 'failed'
              : o.status === 'skipped'
                ? 'was skipped'
                : 'failed a blocking check';
          await skip(step, `upstream ${failed} ${why}`);
          progressed = true;
          continue;
        }
        if (upstream.some((o) => o === undefined)) continue;
        // NOTE: a cancel requested since the last look starts no further step (the step stays
        // waiting and is skipped as not started with the others).
        if (await cancel.requestedWithin(CANCEL_CHECK_MS)) {
          canceledNow = true;
          break;
        }
        waiting.delete(key);
        progressed = true;
        const promise = launcher
          .launch({
            runId,
            key,
            assetKey: step.assetKey,
            partitionKey: step.partitionKey,
            reasonCodes: step.reasons.map((r) => r.code),
          })
          .then(async (outcome) => {
            settle(key, outcome);
            if (outcome.status === 'skipped' && outcome.canceled) {
              // NOTE: withdrawn by the launcher before it started: recorded as a waiting step is.
              notStarted++;
              await services.emit({
                runId,
                type: 'step_skipped',
                assetKey: step.assetKey,
                partitionKey: step.partitionKey,
                message: `${key} skipped: ${outcome.message}`,
                data: { reason: 'canceled' },
              });
            }
          })
          .finally(() => running.delete(key));
        running.set(key, promise);
      }
      if (canceledNow) continue;
      if (!progressed && running.size > 0) {
        // NOTE: once a cancel was seen, its promise stays resolved: waiting on it again would spin.
        await Promise.race(
          cancel.requestedBy === null ? [...running.values(), cancel.changed] : running.values(),
        );
      } else if (!progressed && running.size === 0 && waiting.size > 0) {
        // NOTE: unreachable with a valid plan (dependsOn only names earlier steps); guards against a hang.
        for (const key of [...waiting])
          await skip(byKey.get(key)!, 'its upstream steps are not in this plan');
      }
    }
  } catch (thrown) {
    // NOTE: the run itself broke (a full disk, a locked store): it is recorded as failed with the
    // real cause where the store still takes it, rather than found "abandoned" later without one.
    const error = storageFault(thrown) ?? thrown;
    const reason = `run failed: ${describeError(error)}`;
    await services.store
      .updateRun(runId, { status: 'failed', finishedAt: services.now().toISOString(), error: reason })
      .catch(() => {});
    await services
      .emit({ runId, type: 'run_failure', message: reason, data: { steps: outcomes.size, broken: true } })
      .catch(() => {});
    throw error;
  } finally {
    clearInterval(heartbeat);
    cancel.stop();
  }

  const failed = [...outcomes.values()].filter((o) => o.status === 'failed');
  const blockedChecks = [...outcomes.values()].filter((o) => o.status === 'success' && o.blocking);
  const skippedBlocked = [...outcomes.values()].filter((o) => o.status === 'skipped' && o.blocking);
  const problems = [
    failed.length
      ? `${failed.length} failed (${failed
          .slice(0, 3)
          .map((o) => o.key)
          .join(', ')})`
      : '',
    blockedChecks.length ? `${blockedChecks.length} failed a blocking check` : '',
    skippedBlocked.length ? `${skippedBlocked.length} skipped` : '',
  ].filter(Boolean);
  // NOTE: a request seen only after every step had started changes nothing: the run ran in full.
  if (cancel.requestedBy !== null && notStarted > 0) {
    const ran = outcomes.size - notStarted;
    const error = `canceled by ${cancel.requestedBy}: ${notStarted} of ${plan.steps.length} steps not started${failed.length ? `, ${failed.length} failed` : ''}`;
    await services.store.updateRun(runId, {
      status: 'canceled',
      finishedAt: services.now().toISOString(),
      error,
    });
    await services.emit({
      runId,
      type: 'run_canceled',
      message: `run canceled: ${ran} step${ran === 1 ? '' : 's'} ran, ${notStarted} not started`,
      data: { steps: outcomes.size, notStarted, failed: failed.length, by: cancel.requestedBy },
    });
    return { runId, status: 'canceled', outcomes, error };
  }
  const status = problems.length ? 'failed' : 'success';
  const error = problems.length ? `steps: ${problems.join(', ')}` : null;
  const finishedAt = services.now().toISOString();
  await services.store.updateRun(runId, { status, finishedAt, error });
  await services.emit({
    runId,
    type: status === 'success' ? 'run_success' : 'run_failure',
    message: status === 'success' ? `run succeeded: ${outcomes.size} steps` : `run failed: ${error}`,
    data: {
      steps: outcomes.size,
      failed: failed.length,
      ...(status === 'success'
        ? {}
        : { blockedByChecks: blockedChecks.length, skipped: skippedBlocked.length }),
    },
  });
  return { runId, status, outcomes, error };
}

/**
 * The order in which ready steps start: the step with the longest chain of steps after it first
 * (the run cannot end before that chain has run one step after another), plan order among equals.
 * Returned as one number per step, smallest first: `(longest - chain) * steps + index`, so that
 * `rank % steps` is the step's index.
 */
function criticalPathRank(steps: readonly PlanStep[], dependents: ReadonlyMap<string, string[]>): number[] {
  const index = new Map(steps.map((s, i) => [s.key, i]));
  const chain = new Array<number>(steps.length).fill(1);
  // NOTE: a plan lists every step after the steps it depends on, so one backward pass suffices.
  for (let i = steps.length - 1; i >= 0; i--) {
    for (const dependent of dependents.get(steps[i]!.key) ?? []) {
      const j = index.get(dependent)!;
      if (chain[j]! + 1 > chain[i]!) chain[i] = chain[j]! + 1;
    }
  }
  let longest = 0;
  for (const c of chain) if (c > longest) longest = c;
  return chain.map((c, i) => (longest - c) * steps.length + i);
}
