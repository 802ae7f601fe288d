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
  /**
   * Told when a step is sent again (the run's event log records it): its worker stopped renewing
   * the lease (`lease_expired`, `previousOwner` names it), or a worker took the job off the queue
   * and never took the lease (`never_started`, no owner known).
   */
  onRedelivery?: (
    step: { key: string; runId: string },
    previousOwner: string | null,
    attempt: number,
    reason: 'lease_expired' | 'never_started',
  ) => Promise<void>;
  /** After this long with steps waiting on a queue and none of its steps taken, `onIdle` is told (default 30 s). */
  idleWarnMs?: number;
  /** Told once per queue when no worker has taken any of its steps for `idleWarnMs`. */
  onIdle?: (queueName: string, waitedMs: number) => void;
}

/** The outcome of a step withdrawn from the queue before any worker started it. */
export function notStartedOutcome(key: string, by: string): StepOutcome {
  return {
    key,
    status: 'skipped',
    message: `the run was canceled by ${by} before it started`,
    rowCount: null,
    dataVersion: null,
    checks: [],
    blocking: true,
    canceled: true,
  };
}

/**
 * Puts each step on the job queue and waits for a worker's report in the instance store. The step
 * travels as plain data; whichever worker takes it runs the same `runStep` as the in-process
 * launcher. While it waits it watches the step's lease: a lease left to expire (its worker was
 * killed or lost) sends the step again, and the next worker takes the lease over; so does a job a
 * worker took off the queue and then held for `leaseMs` without ever taking the step's lease (it
 * died between the two).
 *
 * Once the run's cancel is seen (`cancel`), a step no worker holds is withdrawn from the queue and
 * its launch resolves as not started; a worker taking it afterwards sees the cancel request and
 * does not run it (see `startStepWorker`). Only steps a worker holds are waited for.
 */
export function queueLauncher(options: QueueLauncherOptions): StepLauncher {
  // NOTE: how soon a finished step is seen: one primary-key read per step in flight per poll.
  const pollMs = options.pollMs ?? 25;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxRedeliveries = options.maxRedeliveries ?? 3;
  const idleWarnMs = options.idleWarnMs ?? 30_000;
  let canceledBy: string | null = null;
  /** Per queue: when a step of it was last seen held by a worker (or first waited for). */
  const lastTaken = new Map<string, number>();
  const warned = new Set<string>();
  /** Per queue: steps launched and not yet settled. */
  const pending = new Map<string, number>();
  return {
    cancel(by) {
      canceledBy ??= by;
    },
    async launch(step): Promise<StepOutcome> {
      const queueName = options.queueOf?.(step.assetKey) ?? options.queueName;
      let attempt = 1;
      let expiredOwner: string | null = null;
      let jobId = await options.queue.send(queueName, step, attempt);
      let withdrawn = false;
      /** When the job was last looked at on the queue, and since when it has been taken without a lease. */
      let jobCheckedAt = Number.NEGATIVE_INFINITY;
      let takenSince: number | null = null;
      // NOTE: the wait for a worker counts from now when no other step of this queue is waiting.
      const waitingOnQueue = pending.get(queueName) ?? 0;
      if (waitingOnQueue === 0) lastTaken.set(queueName, now().getTime());
      pending.set(queueName, waitingOnQueue + 1);
      try {
        return await follow();
      } finally {
        pending.set(queueName, pending.get(queueName)! - 1);
      }

      async function follow(): Promise<StepOutcome> {
        for (;;) {
          const report = await readStepReport(options.store, step);
          if (report) {
            lastTaken.set(queueName, now().getTime());
            return report.outcome;
          }
          if (canceledBy !== null && !withdrawn) {
            // NOTE: the cancel request is in the store before it is seen here, so a worker that takes
            // the lease after this read sees the request and does not run the step.
            if (jobId) await options.queue.withdraw(queueName, jobId).catch(() => {});
            withdrawn = true;
            if (!(await readStepLease(options.store, step))) {
              return (
                (await readStepReport(options.store, step))?.outcome ??
                notStartedOutcome(step.key, canceledBy)
              );
            }
          }
          const lease = await readStepLease(options.store, step);
          // NOTE: the lease of a worker this step was sent again from stays until the next worker
          // takes it over; until then the step is as unleased as one never taken.
          const held =
            lease !== undefined &&
            !(lease.runId === expiredOwner && leaseExpired(lease, now(), options.leaseMs));
          if (held) {
            lastTaken.set(queueName, now().getTime());
            takenSince = null;
          } else if (jobId !== null && canceledBy === null && (await takenWithoutLease(jobId))) {
            // NOTE: the worker that took the job died before it took the lease: nothing would ever
            // expire, and the queue hands the job out again only after its own, much longer, expiry.
            if (attempt > maxRedeliveries) {
              return lostOutcome(`${attempt} workers took this step off the queue and never started it`);
            }
            takenSince = null;
            attempt++;
            await options.onRedelivery?.(step, null, attempt, 'never_started');
            jobId = await options.queue.send(queueName, step, attempt);
            continue;
          } else if (!warned.has(queueName) && options.onIdle) {
            const waited = now().getTime() - lastTaken.get(queueName)!;
            if (waited >= idleWarnMs) {
              warned.add(queueName);
              options.onIdle(queueName, waited);
            }
          }
          // NOTE: once canceled, nothing is sent again: a lease left to expire ends the wait.
          if (
            lease &&
            (lease.runId !== expiredOwner || canceledBy !== null) &&
            leaseExpired(lease, now(), options.leaseMs)
          ) {
            if (attempt > maxRedeliveries || canceledBy !== null) {
              return lostOutcome(
                canceledBy !== null
                  ? `worker ${lease.runId} stopped renewing its lease on this step; not sent again because the run was canceled`
                  : `${attempt} workers stopped renewing their lease on this step (last ${lease.runId})`,
              );
            }
            expiredOwner = lease.runId;
            attempt++;
            await options.onRedelivery?.(step, lease.runId, attempt, 'lease_expired');
            jobId = await options.queue.send(queueName, step, attempt);
          } else if (!lease && withdrawn) {
            // NOTE: the worker that held the step at the cancel gave it up without a report (it stopped
            // before it started the step): it did not run.
            return (
              (await readStepReport(options.store, step))?.outcome ?? notStartedOutcome(step.key, canceledBy!)
            );
          }
          await sleep(pollMs);
        }
      }

      /**
       * Whether the job has been taken off the queue, with no lease, for `leaseMs` (timed here, so
       * the clocks of the queue's server and this process need not agree). The queue is asked at
       * most every `leaseMs / 4`.
       */
      async function takenWithoutLease(id: string): Promise<boolean> {
        const at = now().getTime();
        if (at - jobCheckedAt < options.leaseMs / 4) {
          return takenSince !== null && at - takenSince >= options.leaseMs;
        }
        jobCheckedAt = at;
        if (!(await options.queue.isTaken(queueName, id).catch(() => false))) {
          takenSince = null;
          return false;
        }
        takenSince ??= at;
        return at - takenSince >= options.leaseMs;
      }

      function lostOutcome(message: string): StepOutcome {
        return {
          key: step.key,
          status: 'failed',
          message,
          rowCount: null,
          dataVersion: null,
          checks: [],
          blocking: false,
        };
      }
    },
  };
}
