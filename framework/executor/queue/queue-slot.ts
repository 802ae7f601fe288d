import type { InstanceStore, LockHolder } from '../../instance/instance-store.js';
import { HOSTNAME } from '../process-liveness.js';
import { leaseExpired } from './step-lease.js';

const POLL_MS = 200;

/**
 * One of the `limit` slots of a limited queue, held in the instance store's lock table under the
 * owner token of a step lease, so the lease's heartbeat renews it and a killed worker's slot
 * expires with its lease. Waits until a slot is free; across all workers, at most `limit` steps of
 * the queue hold one.
 */
export async function acquireQueueSlot(
  store: InstanceStore,
  queue: string,
  limit: number,
  owner: string,
  options: { leaseMs: number; now: () => Date; sleep?: (ms: number) => Promise<void> },
): Promise<() => Promise<void>> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (;;) {
    for (let i = 0; i < limit; i++) {
      const key = `queue-slot/${queue}/${i}`;
      const at = options.now().toISOString();
      const holder: LockHolder = {
        runId: owner,
        pid: process.pid,
        hostname: HOSTNAME,
        acquiredAt: at,
        heartbeatAt: at,
      };
      const result = await store.tryAcquireLock(key, holder);
      const taken =
        result.acquired ||
        (leaseExpired(result.holder, options.now(), options.leaseMs) &&
          (await store.stealLock(key, result.holder.runId, holder)));
      if (taken) return () => store.releaseLock(key, owner);
    }
    await sleep(POLL_MS);
  }
}
