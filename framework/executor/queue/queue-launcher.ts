import type { InstanceStore } from '../../instance/instance-store.js';
import type { StepLauncher } from '../step-launcher.js';
import type { StepOutcome } from '../step-services.js';
import { leaseExpired, readStepLease } from './step-lease.js';
import type { StepQueue } from './step-queue.js';
import { readStepReport } from './step-report.js';

export interface QueueLauncherOptions {
  queue: StepQueue;
  store: InstanceStore;
  /** Queue the steps go to. */
  queueName: string;
  /** The queue of an asset's steps when it is not `queueName` (see `queueRouting`). */
  queueOf?: (assetKey: string) => string;
  /** A step whose lease was not renewed for this long is sent again, for another worker. */
  leaseMs: number;
  /** Times a step is sent again after its worker stopped renewing the lease (default 3). */
  maxRedeliveries?: number;
  /** How often the instance store is asked for the step's report and lease (default 25 ms). */
  pollMs?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Told when a step is sent again (the run's event log records it). */
  onRedelivery?: (
    step: { key: string; runId: string },
    previousOwner: string,
    attempt: number,
  ) => Promise<void>;
}

/**
 * Puts each step on the job queue and waits for a worker's report in the instance store. The step
 * travels as plain data; whichever worker takes it runs the same `runStep` as the in-process
 * launcher. While it waits it watches the step's lease: a lease left to expire (its worker was
 * killed or lost) sends the step again, and the next worker takes the lease over.
 */
export function queueLauncher(options: QueueLauncherOptions): StepLauncher {
  // NOTE: how soon a finished step is seen: one primary-key read per step in flight per poll.
  const pollMs = options.pollMs ?? 25;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxRedeliveries = options.maxRedeliveries ?? 3;
  return {
    async launch(step): Promise<StepOutcome> {
      const queueName = options.queueOf?.(step.assetKey) ?? options.queueName;
      let attempt = 1;
      let expiredOwner: string | null = null;
      await options.queue.send(queueName, step, attempt);
      for (;;) {
        const report = await readStepReport(options.store, step);
        if (report) return report.outcome;
        const lease = await readStepLease(options.store, step);
        if (lease && lease.runId !== expiredOwner && leaseExpired(lease, now(), options.leaseMs)) {
          if (attempt > maxRedeliveries) {
            return {
              key: step.key,
              status: 'failed',
              message: `${attempt} workers stopped renewing their lease on this step (last ${lease.runId})`,
              rowCount: null,
              dataVersion: null,
              checks: [],
              blocking: false,
            };
          }
          expiredOwner = lease.runId;
          attempt++;
          await options.onRedelivery?.(step, lease.runId, attempt);
          await options.queue.send(queueName, step, attempt);
        }
        await sleep(pollMs);
      }
    },
  };
}
