import { isShopflowError } from '../../errors/error-catalog.js';
import type { InstanceStore } from '../../instance/instance-store.js';
import { HOSTNAME } from '../process-liveness.js';
import { runStep } from '../run-step.js';
import type { StepDescriptor, StepServices } from '../step-services.js';
import { notStartedOutcome } from './queue-launcher.js';
import { acquireQueueSlot } from './queue-slot.js';
import { StepLease } from './step-lease.js';
import type { StepQueue } from './step-queue.js';
import { readStepReport, writeStepReport } from './step-report.js';

export interface StepWorkerOptions {
  queue: StepQueue;
  services: StepServices;
  queueName: string;
  concurrency: number;
  /** How often a running step's lease is renewed. */
  heartbeatMs: number;
  /** A lease not renewed for this long may be taken over by another worker. */
  leaseMs: number;
  /** Called when this worker could not renew a lease for longer than `leaseMs`: it must stop. */
  onStale?: (error: unknown) => void;
  /** At most this many steps of the queue run at once across all workers (see `acquireQueueSlot`). */
  limit?: number;
  /** Defaults to `hostname:pid`. */
  name?: string;
}

/**
 * Takes steps from a queue and runs them with the same code path as the in-process executor
 * (partition lock, checks, lineage, events, data versions), then reports the outcome in the
 * instance store. Each step is held under a lease in the instance store (see `StepLease`); a step
 * already reported, or leased by a live worker, is not run again, so a second delivery of the same
 * job writes nothing. A step whose run has ended, or whose run someone asked to cancel, is not run
 * (see `whyNotStart`): the job is acknowledged and only a `not started` report is left for the
 * launching process.
 */
export async function startStepWorker(options: StepWorkerOptions): Promise<{ name: string }> {
  const name = options.name ?? `${HOSTNAME}:${process.pid}`;
  const services = { ...options.services, worker: name };
  await options.queue.work(options.queueName, options.concurrency, async (step) => {
    if (await readStepReport(services.store, step)) return;
    const lease = await StepLease.claim(services.store, step, name, {
      leaseMs: options.leaseMs,
      now: services.now,
    });
    if (!lease) return;
    lease.keepAlive(options.heartbeatMs, options.leaseMs, (error) => options.onStale?.(error));
    let releaseSlot: (() => Promise<void>) | undefined;
    try {
      // NOTE: looked at after the lease is held: the launching process withdraws only steps it finds
      // without a lease once it has seen the cancel, so one of the two always sees the other.
      if (await declineStep(services, step, name, lease)) return;
      if (options.limit !== undefined) {
        releaseSlot = await acquireQueueSlot(services.store, options.queueName, options.limit, lease.owner, {
          leaseMs: options.leaseMs,
          now: services.now,
        });
        // NOTE: waiting for a slot may take long: the run may have been canceled meanwhile.
        if (await declineStep(services, step, name, lease)) {
          await releaseSlot();
          return;
        }
      }
      await services.emit({
        runId: step.runId,
        type: 'log',
        assetKey: step.assetKey,
        partitionKey: step.partitionKey,
        message: `${step.key} taken by worker ${name}`,
        data: { worker: name, queue: options.queueName, lease: lease.owner },
      });
      const outcome = await runStep(step, services, { beforeCommit: () => lease.fence() });
      await lease.fence();
      await writeStepReport(services.store, step, {
        outcome,
        worker: name,
        finishedAt: services.now().toISOString(),
      });
      await releaseSlot?.();
      await lease.release();
    } catch (error) {
      lease.stop();
      await releaseSlot?.().catch(() => {});
      if (!isShopflowError(error) || error.code !== 'SF_STEP_LEASE_LOST') throw error;
      services.log.warn({ step: step.key, run: step.runId }, error.message);
    }
  });
  return { name };
}

/**
 * Why a step of `runId` must not start: its run has ended (finished, canceled, or found abandoned)
 * or someone asked to cancel it (`canceledBy`); null when it may run.
 */
export async function whyNotStart(
  store: InstanceStore,
  runId: string,
): Promise<{ why: string; canceledBy?: string } | null> {
  const run = await store.getRun(runId);
  if (!run) return { why: 'its run is not in the instance store' };
  if (run.status !== 'running') return { why: `its run has ended ${run.status}` };
  const [request] = await store.listEvents({ runId, types: ['run_cancel_requested'], limit: 1 });
  if (!request) return null;
  const canceledBy = typeof request.data.by === 'string' ? request.data.by : 'someone';
  return { why: `its run was canceled by ${canceledBy}`, canceledBy };
}

/**
 * When the step's run has ended or is being canceled: reports the step as not started (for the
 * launching process, if it still waits), gives the lease up and returns true. Nothing else is
 * recorded: the step did not run.
 */
async function declineStep(
  services: StepServices,
  step: StepDescriptor,
  worker: string,
  lease: StepLease,
): Promise<boolean> {
  const found = await whyNotStart(services.store, step.runId);
  if (found === null) return false;
  const { why, canceledBy: by } = found;
  await writeStepReport(services.store, step, {
    outcome:
      by !== undefined
        ? notStartedOutcome(step.key, by)
        : {
            key: step.key,
            status: 'skipped',
            message: `not started: ${why}`,
            rowCount: null,
            dataVersion: null,
            checks: [],
            blocking: true,
            canceled: true,
          },
    worker,
    finishedAt: services.now().toISOString(),
  });
  await lease.release();
  services.log.info({ step: step.key, run: step.runId, worker }, `${step.key} not started: ${why}`);
  return true;
}
