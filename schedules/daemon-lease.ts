import { randomUUID } from 'node:crypto';
import {
  HOSTNAME,
  type InstanceStore,
  type LeaseRecord,
  processIsAlive,
  ShopflowError,
} from '../framework/index.js';

/** The name of the lease every daemon of an instance competes for. */
export const DAEMON_LEASE = 'daemon';

/** `pid 4242 on host-1 (since …, last heartbeat …, expires …)`. */
export function describeLeaseHolder(holder: LeaseRecord): string {
  return `pid ${holder.pid} on ${holder.hostname} (since ${holder.acquiredAt}, last heartbeat ${holder.heartbeatAt}, expires ${holder.expiresAt})`;
}

/** The error a daemon reports when another one holds the lease. */
export function leaseHeldError(holder: LeaseRecord): ShopflowError {
  return new ShopflowError(
    'SF_DAEMON_LEASE_HELD',
    `another daemon is running on this instance: ${describeLeaseHolder(holder)}`,
    {
      hint: 'stop that daemon first, or start this one with --wait to take over when it stops',
      details: { holder },
    },
  );
}

/**
 * The daemon's lease in the instance store: one leader per instance. The leader renews it on
 * every tick; another daemon takes it over once it expired (`ttlMs` after the last renewal) or at
 * once when its holder's process is gone from this host.
 *
 * @example
 * const lease = new DaemonLease({ store, ttlMs: 60_000 });
 * const result = await lease.acquire(new Date());
 * if (!result.acquired) throw leaseHeldError(result.holder);
 */
export class DaemonLease {
  readonly holder: string;
  readonly name: string;
  private readonly store: InstanceStore;
  private readonly ttlMs: number;
  private acquiredAt: string | null = null;

  constructor(options: { store: InstanceStore; ttlMs: number; name?: string; holder?: string }) {
    this.store = options.store;
    this.ttlMs = options.ttlMs;
    this.name = options.name ?? DAEMON_LEASE;
    this.holder = options.holder ?? randomUUID();
  }

  /** Whether the last {@link acquire} succeeded. */
  get held(): boolean {
    return this.acquiredAt !== null;
  }

  /** Takes or renews the lease at `now`; otherwise returns who holds it. */
  async acquire(now: Date): Promise<{ acquired: true } | { acquired: false; holder: LeaseRecord }> {
    const at = now.toISOString();
    const lease: LeaseRecord = {
      name: this.name,
      holder: this.holder,
      pid: process.pid,
      hostname: HOSTNAME,
      acquiredAt: this.acquiredAt ?? at,
      heartbeatAt: at,
      expiresAt: new Date(now.getTime() + this.ttlMs).toISOString(),
    };
    const result = await this.store.acquireLease(lease, at);
    if (result.acquired) {
      this.acquiredAt ??= at;
      return result;
    }
    const other = result.holder;
    const gone = other.hostname === HOSTNAME && other.pid !== process.pid && !processIsAlive(other.pid);
    if (gone && (await this.store.stealLease(other.holder, { ...lease, acquiredAt: at }))) {
      this.acquiredAt = at;
      return { acquired: true };
    }
    this.acquiredAt = null;
    return result;
  }

  async release(): Promise<void> {
    this.acquiredAt = null;
    await this.store.releaseLease(this.name, this.holder);
  }
}
