import { randomUUID } from 'node:crypto';
import { ShopflowError } from '../../errors/error-catalog.js';
import type { InstanceStore, LockHolder } from '../../instance/instance-store.js';
import { HOSTNAME } from '../process-liveness.js';
import type { StepDescriptor } from '../step-services.js';

/** The lease row of one step of one run, in the instance store's lock table. */
export function stepLeaseKey(step: Pick<StepDescriptor, 'runId' | 'key'>): string {
  return `step-lease/${step.runId}/${step.key}`;
}

/** The current holder of a step's lease, if any. */
export async function readStepLease(
  store: InstanceStore,
  step: Pick<StepDescriptor, 'runId' | 'key'>,
): Promise<LockHolder | undefined> {
  const key = stepLeaseKey(step);
  return (await store.listLocks()).find((l) => l.key === key);
}

/** Whether a lease's last heartbeat is older than `leaseMs`. */
export function leaseExpired(holder: LockHolder, now: Date, leaseMs: number): boolean {
  return now.getTime() - Date.parse(holder.heartbeatAt) > leaseMs;
}

/**
 * A worker's claim on one step: taken in the instance store when the step arrives, renewed by a
 * timer, checked (fencing) right before the materialization is recorded. A lease whose heartbeat
 * is older than `leaseMs` may be taken over by another worker; the previous holder then fails its
 * fencing check and records nothing.
 */
export class StepLease {
  private timer?: NodeJS.Timeout;
  private lastRenewal: number;

  private constructor(
    private readonly store: InstanceStore,
    readonly step: StepDescriptor,
    /** The owner token: the worker's name and a random suffix, unique per claim. */
    readonly owner: string,
    private readonly now: () => Date,
  ) {
    this.lastRenewal = now().getTime();
  }

  /**
   * Claims the step for `worker`; returns null when another worker holds a live lease on it
   * (a second delivery of a step in progress), taking over an expired one.
   */
  static async claim(
    store: InstanceStore,
    step: StepDescriptor,
    worker: string,
    options: { leaseMs: number; now: () => Date },
  ): Promise<StepLease | null> {
    const owner = `${worker}/${randomUUID().slice(0, 8)}`;
    const key = stepLeaseKey(step);
    const at = options.now().toISOString();
    const holder: LockHolder = {
      runId: owner,
      pid: process.pid,
      hostname: HOSTNAME,
      acquiredAt: at,
      heartbeatAt: at,
    };
    const result = await store.tryAcquireLock(key, holder);
    if (result.acquired) return new StepLease(store, step, owner, options.now);
    if (!leaseExpired(result.holder, options.now(), options.leaseMs)) return null;
    if (!(await store.stealLock(key, result.holder.runId, holder))) return null;
    return new StepLease(store, step, owner, options.now);
  }

  /**
   * Renews the lease every `heartbeatMs` from a timer; calls `onStale` once renewals have failed
   * for longer than `leaseMs` (the worker can no longer prove it holds the step and must stop).
   */
  keepAlive(heartbeatMs: number, leaseMs: number, onStale: (error: unknown) => void): void {
    this.timer = setInterval(() => {
      this.store
        .heartbeat(this.owner, this.now().toISOString())
        .then(() => {
          this.lastRenewal = this.now().getTime();
        })
        .catch((error) => {
          if (this.now().getTime() - this.lastRenewal > leaseMs) onStale(error);
        });
    }, heartbeatMs);
    this.timer.unref();
  }

  /** Throws `SF_STEP_LEASE_LOST` unless this claim still holds the lease. */
  async fence(): Promise<void> {
    const holder = await readStepLease(this.store, this.step);
    if (holder?.runId !== this.owner) {
      throw new ShopflowError(
        'SF_STEP_LEASE_LOST',
        `${this.step.key} of run ${this.step.runId} was taken over by ${holder ? holder.runId : 'nobody'} while ${this.owner} ran it`,
      );
    }
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.store.releaseLock(stepLeaseKey(this.step), this.owner);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
