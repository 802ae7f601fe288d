import { isShopflowError } from '../../errors/error-catalog.js';
import { HOSTNAME } from '../process-liveness.js';
import { runStep } from '../run-step.js';
import type { StepServices } from '../step-services.js';
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
 * job writes nothing.
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
      if (options.limit !== undefined)
        releaseSlot = await acquireQueueSlot(services.store, options.queueName, options.limit, lease.owner, {
          leaseMs: options.leaseMs,
          now: services.now,
        });
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
