import { HOSTNAME, type InstanceStore, processIsAlive } from '../../framework/index.js';
import { STREAM_DASHBOARD } from '../stream-dashboard-events.js';

/** What the consumer publishes that the health panel reads (the rest of the dashboard is opaque here). */
interface PublishedDashboard {
  stream?: string;
  publishedAt?: string;
  lastCheckpointAt?: string | null;
  consumer?: { state?: string; lease?: string };
  shards?: Array<{ millisBehind: number | null; ended?: boolean }>;
}

/**
 * The stream consumer's health as the server judges it, not as the consumer last reported it:
 * a killed consumer cannot publish "stopped", so "running" needs its lease in the instance store
 * to be unexpired (and, on this machine, its process alive).
 */
export interface StreamConsumerHealth {
  /** `never`: no consumer ever published; `stopped`: it said so, or its lease lapsed. */
  state: 'running' | 'stopped' | 'never';
  stream: string | null;
  holder: { pid: number; hostname: string; heartbeatAt: string; expiresAt: string } | null;
  lastCheckpointAt: string | null;
  lastPublishedAt: string | null;
  /** The largest `millisBehindLatest` over the open shards (null before a read). */
  maxShardLagMs: number | null;
}

/**
 * Reads the latest published dashboard and the consumer's lease.
 *
 * @example
 * const health = await streamConsumerHealth(runtime.store, runtime.services.now());
 */
export async function streamConsumerHealth(store: InstanceStore, now: Date): Promise<StreamConsumerHealth> {
  const dashboard = await store.getCheckpoint<PublishedDashboard>(STREAM_DASHBOARD);
  if (!dashboard) {
    return {
      state: 'never',
      stream: null,
      holder: null,
      lastCheckpointAt: null,
      lastPublishedAt: null,
      maxShardLagMs: null,
    };
  }
  const leaseName = dashboard.consumer?.lease;
  const lease = leaseName ? await store.getLease(leaseName) : undefined;
  const alive =
    lease !== undefined &&
    Date.parse(lease.expiresAt) > now.getTime() &&
    (lease.hostname !== HOSTNAME || processIsAlive(lease.pid));
  const lags = (dashboard.shards ?? [])
    .filter((shard) => !shard.ended && typeof shard.millisBehind === 'number')
    .map((shard) => shard.millisBehind as number);
  return {
    state: dashboard.consumer?.state !== 'stopped' && alive ? 'running' : 'stopped',
    stream: dashboard.stream ?? null,
    holder: lease
      ? {
          pid: lease.pid,
          hostname: lease.hostname,
          heartbeatAt: lease.heartbeatAt,
          expiresAt: lease.expiresAt,
        }
      : null,
    lastCheckpointAt: dashboard.lastCheckpointAt ?? null,
    lastPublishedAt: dashboard.publishedAt ?? null,
    maxShardLagMs: lags.length > 0 ? Math.max(...lags) : null,
  };
}
