import { ShopflowError } from '../errors/error-catalog.js';
import type { AttemptRecordInput, LockResult, NewEvent } from '../instance/instance-store.js';
import { deathReason, HOSTNAME } from './process-liveness.js';
import type { StepServices } from './step-services.js';

const POLL_MS = 200;

/** Where a wait for a lock is reported as soon as it starts. */
export interface LockWaitTarget {
  assetKey: string;
  partitionKey: string | null;
}

/** The attempt a step starts once it holds its lock, recorded with the lock when it is free. */
export interface AttemptStart {
  attempt: AttemptRecordInput;
  events: readonly NewEvent[];
}

/**
 * Takes the lock of one asset partition for `runId`, so two processes never materialize it at the
 * same time. Waits up to `lockWaitMs` for a live holder — saying at once who holds it (a log line
 * and, with `target`, a `log` event of the run that `shopflow materialize` prints) — and takes over
 * from a dead one (its process gone, or its heartbeat stale). Throws `SF_LOCK_HELD` naming the
 * holder when the wait runs out. With `start`, records that attempt once the lock is held (in the
 * lock's own transaction when the lock was free) and publishes its events.
 */
export async function acquirePartitionLock(
  services: StepServices,
  key: string,
  runId: string,
  target?: LockWaitTarget,
  start?: AttemptStart,
): Promise<void> {
  const deadline = services.now().getTime() + services.lockWaitMs;
  let announced: string | undefined;
  const started = async () => {
    if (start) services.published(await services.store.recordAttempt(start.attempt, start.events));
  };
  for (;;) {
    const now = services.now().toISOString();
    const holder = { runId, pid: process.pid, hostname: HOSTNAME, acquiredAt: now, heartbeatAt: now };
    let result: LockResult;
    if (start) {
      const taken = await services.store.tryAcquireLockAndStart(key, holder, start);
      if (taken.acquired) return services.published(taken.events);
      result = taken;
    } else {
      result = await services.store.tryAcquireLock(key, holder);
      if (result.acquired) return;
    }
    if (result.holder.runId === runId) return await started();
    const dead = deathReason(result.holder, services.now(), services.deadAfterMs);
    if (dead) {
      if (await services.store.stealLock(key, result.holder.runId, holder)) {
        services.log.warn(
          { lock: key, previous: result.holder.runId },
          `took over the lock of ${key}: ${dead}`,
        );
        return await started();
      }
      continue;
    }
    if (services.now().getTime() >= deadline) {
      const h = result.holder;
      throw new ShopflowError(
        'SF_LOCK_HELD',
        `${key} is being materialized by run ${h.runId} (pid ${h.pid} on ${h.hostname}) since ${h.acquiredAt}`,
        { hint: `wait for that run to finish (shopflow runs show ${h.runId.slice(0, 8)}) and try again` },
      );
    }
    if (announced !== result.holder.runId) {
      announced = result.holder.runId;
      const h = result.holder;
      const message = `waiting for the lock of ${key}: run ${h.runId.slice(0, 8)} (pid ${h.pid} on ${h.hostname}) has held it since ${h.acquiredAt}; giving up after ${Math.round(services.lockWaitMs / 1000)} s`;
      services.log.info({ lock: key, holder: h.runId, pid: h.pid, hostname: h.hostname }, message);
      if (target) {
        await services.emit({
          runId,
          type: 'log',
          assetKey: target.assetKey,
          partitionKey: target.partitionKey,
          message,
          data: {
            lockWait: true,
            holder: { runId: h.runId, pid: h.pid, hostname: h.hostname, since: h.acquiredAt },
          },
        });
      }
    }
    await services.sleep(POLL_MS);
  }
}
