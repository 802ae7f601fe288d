import type { ShardCursor } from '../../resources/stream/shard-reader.js';
import type { ClickWindowEngine } from './click-window-engine.js';

/** What the live dashboard and the stream health panel show; published by the consumer. */
export interface StreamDashboard {
  stream: string;
  /** Increases with every publication (the server's event id). */
  seq: number;
  publishedAt: string;
  consumer: {
    pid: number;
    hostname: string;
    startedAt: string;
    state: 'running' | 'stopped';
    /** The instance-store lease the consumer holds while it runs (its liveness). */
    lease: string;
  };
  watermark: string | null;
  frontier: string | null;
  /** Wall clock minus the watermark, ms. */
  watermarkLagMs: number | null;
  openSessions: number;
  conversion: {
    closedLastHour: number;
    convertedLastHour: number;
    rate: number | null;
    openWithPurchase: number;
  };
  eventsPerMinute: Array<{ minute: string; events: number }>;
  topProducts: Array<{ productId: number; views: number; cartAdds: number }>;
  totals: { events: number; late: number; duplicates: number; deadLetters: number; sessionsClosed: number };
  shards: Array<{
    shardId: string;
    parents: string[];
    millisBehind: number | null;
    lastReadAt: string | null;
    ended: boolean;
    throttled: number;
    iteratorsRenewed: number;
    processedThrough: string | null;
  }>;
  /** Records read and not yet processed (waiting for their arrival slice to complete). */
  buffered: number;
  lastCheckpointAt: string | null;
  lastCommit: { epoch: number; at: string; runId: string | null } | null;
}

/** Builds the dashboard from the engine and the shard cursors at wall-clock time `now`. */
export function buildDashboard(input: {
  stream: string;
  seq: number;
  now: number;
  engine: ClickWindowEngine;
  cursors: ShardCursor[];
  buffered: number;
  consumer: StreamDashboard['consumer'];
  lastCheckpointAt: string | null;
  lastCommit: StreamDashboard['lastCommit'];
}): StreamDashboard {
  const view = input.engine.dashboard(input.now);
  const processed = input.engine.positions();
  const { closed, converted } = view.sessionsLastHour;
  return {
    stream: input.stream,
    seq: input.seq,
    publishedAt: new Date(input.now).toISOString(),
    consumer: input.consumer,
    watermark: view.watermark === null ? null : new Date(view.watermark).toISOString(),
    frontier: view.frontier === null ? null : new Date(view.frontier).toISOString(),
    watermarkLagMs: view.watermark === null ? null : Math.max(0, Math.round(input.now - view.watermark)),
    openSessions: view.openSessions,
    conversion: {
      closedLastHour: closed,
      convertedLastHour: converted,
      rate: closed > 0 ? Math.round((converted / closed) * 10_000) / 10_000 : null,
      openWithPurchase: view.openSessionsConverted,
    },
    eventsPerMinute: view.eventsPerMinute.map(([m, events]) => ({
      minute: new Date(m).toISOString(),
      events,
    })),
    topProducts: view.topProducts,
    totals: {
      events: view.totals.events,
      late: view.totals.late,
      duplicates: view.totals.duplicates,
      deadLetters: view.totals.deadLetters,
      sessionsClosed: view.totals.sessionsClosed,
    },
    shards: input.cursors.map((c) => ({
      shardId: c.shardId,
      parents: c.parentShardIds,
      millisBehind: c.millisBehind,
      lastReadAt: c.lastReadAt === null ? null : new Date(c.lastReadAt).toISOString(),
      ended: c.ended,
      throttled: c.throttled,
      iteratorsRenewed: c.iteratorsRenewed,
      processedThrough: processed.get(c.shardId) ?? null,
    })),
    buffered: input.buffered,
    lastCheckpointAt: input.lastCheckpointAt,
    lastCommit: input.lastCommit,
  };
}
