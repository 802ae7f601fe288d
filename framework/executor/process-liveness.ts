import { hostname } from 'node:os';

/** This machine's host name, as recorded on runs and locks. */
export const HOSTNAME = hostname();

/** Whether a process with `pid` runs on this machine (signal 0 probes without touching it). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Why the holder of a run or lock is dead, or null while it may still be alive: a process on this
 * host that no longer exists, or a heartbeat older than `deadAfterMs`.
 */
export function deathReason(
  holder: { pid: number | null; hostname: string | null; heartbeatAt: string | null },
  now: Date,
  deadAfterMs: number,
): string | null {
  if (holder.hostname === HOSTNAME && holder.pid !== null && !processIsAlive(holder.pid)) {
    return `its process (pid ${holder.pid} on ${holder.hostname}) is no longer running`;
  }
  if (holder.heartbeatAt && now.getTime() - Date.parse(holder.heartbeatAt) > deadAfterMs) {
    return `no heartbeat since ${holder.heartbeatAt} (pid ${holder.pid ?? '?'} on ${holder.hostname ?? '?'})`;
  }
  return null;
}
