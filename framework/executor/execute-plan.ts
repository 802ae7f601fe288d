import { randomUUID } from 'node:crypto';
import type { RunRecord } from '../instance/instance-store.js';
import type { Plan, PlanStep } from '../planner/plan-materialization.js';
import { HOSTNAME } from './process-liveness.js';
import { inProcessLauncher, type StepLauncher } from './step-launcher.js';
import type { StepOutcome, StepServices } from './step-services.js';

export interface ExecuteOptions {
  plan: Plan;
  services: StepServices;
  concurrency?: number;
  heartbeatMs?: number;
  launcher?: StepLauncher;
  runId?: string;
  parentRunId?: string | null;
  tags?: Record<string, string>;
}

export interface RunResult {
  runId: string;
  status: 'success' | 'failed';
  outcomes: Map<string, StepOutcome>;
  /** One sentence when the run failed. */
  error: string | null;
}

/**
 * Executes a plan: steps run as soon as the steps they depend on succeeded, up to `concurrency` at
 * once. A failed step, or a failed `error` check, skips the steps downstream of that partition
 * only; everything else goes on. Every transition is appended to the instance store.
 */
export async function executePlan(options: ExecuteOptions): Promise<RunResult> {
  const { plan, services } = options;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const launcher = options.launcher ?? inProcessLauncher(services);
  const run: RunRecord = await services.store.createRun({
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
  const startedAt = services.now().toISOString();
  await services.store.updateRun(runId, { startedAt, heartbeatAt: startedAt });
  await services.emit({
    runId,
    type: 'run_start',
    message: `run started: ${plan.steps.length} steps`,
    data: { steps: plan.steps.length, selection: plan.selection },
  });
  const heartbeat = setInterval(() => {
    services.store.heartbeat(runId, services.now().toISOString()).catch(() => {});
  }, options.heartbeatMs ?? 5_000);
  heartbeat.unref();

  const outcomes = new Map<string, StepOutcome>();
  const byKey = new Map(plan.steps.map((s) => [s.key, s]));
  const waiting = new Set(plan.steps.map((s) => s.key));
  const running = new Map<string, Promise<void>>();

  const skip = async (step: PlanStep, message: string) => {
    outcomes.set(step.key, {
      key: step.key,
      status: 'skipped',
      message,
      rowCount: null,
      dataVersion: null,
      checks: [],
      blocking: true,
    });
    waiting.delete(step.key);
    await services.emit({
      runId,
      type: 'step_skipped',
      assetKey: step.assetKey,
      partitionKey: step.partitionKey,
      message: `${step.key} skipped: ${message}`,
      data: { reason: 'blocked' },
    });
  };

  try {
    while (waiting.size > 0 || running.size > 0) {
      let progressed = false;
      for (const key of [...waiting]) {
        const step = byKey.get(key)!;
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
        if (upstream.some((o) => o === undefined) || running.size >= concurrency) continue;
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
          .then((outcome) => {
            outcomes.set(key, outcome);
          })
          .finally(() => running.delete(key));
        running.set(key, promise);
      }
      if (!progressed && running.size > 0) await Promise.race(running.values());
      else if (!progressed && running.size === 0 && waiting.size > 0) {
        // NOTE: unreachable with a valid plan (dependsOn only names earlier steps); guards against a hang.
        for (const key of [...waiting])
          await skip(byKey.get(key)!, 'its upstream steps are not in this plan');
      }
    }
  } finally {
    clearInterval(heartbeat);
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
  const status = problems.length ? 'failed' : 'success';
  const error = problems.length ? `steps: ${problems.join(', ')}` : null;
  const finishedAt = services.now().toISOString();
  await services.store.updateRun(runId, { status, finishedAt, error });
  await services.emit({
    runId,
    type: status === 'success' ? 'run_success' : 'run_failure',
    message: status === 'success' ? `run succeeded: ${outcomes.size} steps` : `run failed: ${error}`,
    data: { steps: outcomes.size, failed: failed.length },
  });
  return { runId, status, outcomes, error };
}
