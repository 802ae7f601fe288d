import { type ClickEventType, encodeHeartbeat } from '../../../assets/streaming/click-event.js';
import { ClickWindowEngine, type Slice } from '../../../assets/streaming/click-window-engine.js';
import type { WindowOutput } from '../../../assets/streaming/window-rows.js';
import type { WindowSettings } from '../../../assets/streaming/window-settings.js';
import { compareSequenceNumbers } from '../../../resources/stream/sequence-number.js';
import type { StreamRecord } from '../../../resources/stream/stream-transport.js';
import { mulberry32 } from '../../support/seeded-random.js';
import type { Tables } from './brute-force-windows.js';

const TYPES: ClickEventType[] = ['page_view', 'product_view', 'add_to_cart', 'checkout', 'purchase'];

/** A small seeded generator (mulberry32). */
export const seeded = mulberry32;

export const TEST_SETTINGS: WindowSettings = {
  boundMs: 5_000,
  latenessMs: 10_000,
  sessionGapMs: 2 * 60_000,
  idleMs: 20_000,
  dedupMs: 60 * 60_000,
  futureToleranceMs: 60_000,
  earliestEventTime: Date.parse('2024-01-01T00:00:00Z'),
};

export interface Scenario {
  records: StreamRecord[];
  /** Shards and their parents. */
  parents: Record<string, string[]>;
}

const encoder = new TextEncoder();

/**
 * Random clickstream records in arrival order: sessions on shards by session id, event times
 * behind arrival by a little (disorder), a lot (late) or ahead (device clocks), exact duplicates
 * sent again later, and malformed records. With `split`, shard `a` is split into `a1`/`a2` part
 * way through (sessions of `a` continue on the children).
 */
export function randomScenario(
  seed: number,
  options: { events?: number; shards?: number; split?: boolean; lateShare?: number; dupShare?: number } = {},
): Scenario {
  const random = seeded(seed);
  const n = options.events ?? 400;
  const shardCount = options.shards ?? 1 + Math.floor(random() * 3);
  const roots = Array.from({ length: shardCount }, (_, i) => String.fromCharCode(97 + i));
  const parents: Record<string, string[]> = Object.fromEntries(roots.map((s) => [s, []]));
  const splitAt = options.split ? Math.floor(n * (0.3 + random() * 0.4)) : -1;
  if (options.split) {
    parents.a1 = ['a'];
    parents.a2 = ['a'];
  }
  const sequence = new Map<string, number>();
  const nextSeq = (shard: string) => {
    const k = (sequence.get(shard) ?? 0) + 1;
    sequence.set(shard, k);
    // NOTE: like Kinesis, child shards' sequence numbers are larger than their parents'.
    return String((shard.length > 1 ? 2_000_000 : 1_000_000) + k);
  };
  let clock = Date.parse('2024-01-15T23:50:00Z') + Math.floor(random() * 600_000);
  const sessions = Array.from({ length: 12 }, (_, i) => ({
    id: `s${seed}-${i}`,
    anonymous: `d${i % 7}`,
    customer: random() < 0.5 ? 1 + Math.floor(random() * 5) : null,
  }));
  const sent: Array<{ data: Uint8Array; session: string; due: number }> = [];
  const records: StreamRecord[] = [];
  const shardOf = (session: string, index: number) => {
    const root = roots[Math.abs(hash(session)) % roots.length];
    if (root === 'a' && splitAt >= 0 && index >= splitAt) return hash(`${session}x`) % 2 === 0 ? 'a1' : 'a2';
    return root;
  };
  const lateShare = options.lateShare ?? 0.05;
  const dupShare = options.dupShare ?? 0.06;
  let eventNo = 0;
  for (let i = 0; i < n; i++) {
    clock += Math.floor(random() * (random() < 0.03 ? 90_000 : 2_500));
    let session = sessions[Math.floor(random() * sessions.length)];
    let data: Uint8Array;
    const u = random();
    if (u < 0.015) {
      // A heartbeat: moves its shard's latest event time, is not an event.
      data = encoder.encode(encodeHeartbeat(session.id, clock - Math.floor(random() * 5_000)));
    } else if (u < 0.03) {
      data = encoder.encode(
        random() < 0.5 ? '{not json' : JSON.stringify({ event_id: `x${i}`, event_type: 'page_view' }),
      );
    } else if (u < 0.03 + dupShare && sent.length > 0) {
      // NOTE: a client resends an event with its session, so a copy goes to the same shard lineage.
      const copy = sent[Math.floor(random() * sent.length)];
      data = copy.data;
      session = sessions.find((s) => s.id === copy.session)!;
    } else {
      const type = TYPES[Math.floor(random() * TYPES.length)];
      const late = random() < lateShare;
      const delay = late ? 30_000 + Math.floor(random() * 240_000) : Math.floor(random() * 8_000) - 1_000;
      const product = type === 'page_view' || type === 'checkout' ? null : 1 + Math.floor(random() * 6);
      const json = {
        event_id: `e${seed}-${eventNo++}`,
        event_type: type,
        session_id: session.id,
        anonymous_id: session.anonymous,
        customer_id: session.customer,
        product_id: product,
        price: product === null ? null : Math.round(random() * 10_000) / 100,
        page: '/',
        device_ts: new Date(clock - delay).toISOString(),
        sent_ts: new Date(clock).toISOString(),
      };
      data = encoder.encode(JSON.stringify(json));
      sent.push({ data, session: session.id, due: clock });
    }
    const shardId = shardOf(session.id, i);
    records.push({
      shardId,
      sequenceNumber: nextSeq(shardId),
      arrivedAt: clock,
      partitionKey: session.id,
      data,
    });
  }
  return { records, parents };
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return Math.abs(h);
}

/**
 * Cuts records (in arrival order) into arrival-time slices of `sliceMs`, ordered within a slice
 * by shard lineage (parents first) and sequence number; runs of empty slices are merged at random
 * (the consumer merges them while the stream is quiet). A last empty slice far ahead closes
 * everything when `closeAll`.
 */
export function sliceRecords(
  scenario: Scenario,
  sliceMs: number,
  random: () => number,
  closeAll = true,
): Slice[] {
  const slices: Slice[] = [];
  const records = scenario.records;
  if (records.length === 0) return slices;
  const depth = (shard: string) => (scenario.parents[shard]?.length ? 1 : 0);
  let start = Math.floor(records[0].arrivedAt / sliceMs) * sliceMs;
  let i = 0;
  while (i < records.length) {
    let end = start + sliceMs;
    const batch: StreamRecord[] = [];
    while (i < records.length && records[i].arrivedAt < end) batch.push(records[i++]);
    if (batch.length === 0 && i < records.length && random() < 0.7) {
      const next = Math.floor(records[i].arrivedAt / sliceMs) * sliceMs;
      end = start + sliceMs * (1 + Math.floor(random() * Math.max(0, (next - start) / sliceMs)));
    }
    batch.sort(
      (x, y) =>
        depth(x.shardId) - depth(y.shardId) ||
        (x.shardId < y.shardId ? -1 : x.shardId > y.shardId ? 1 : 0) ||
        compareSequenceNumbers(x.sequenceNumber, y.sequenceNumber),
    );
    slices.push({ start, end, records: batch });
    start = end;
  }
  if (closeAll) slices.push({ start, end: start + 24 * 3_600_000, records: [] });
  return slices;
}

function emptyTables(): Tables {
  return {
    minuteWindows: new Map(),
    activeUsers: new Map(),
    sessions: new Map(),
    lateEvents: new Map(),
    deadLetters: new Map(),
    streamDays: new Map(),
  };
}

/** Upserts an engine output into tables keyed and valued like the brute force's. */
export function upsert(tables: Tables, out: WindowOutput): void {
  for (const { row } of out.minuteWindows)
    tables.minuteWindows.set(
      `${row.window_start}|${row.event_type}|${row.product_id ?? ''}`,
      `${row.events}/${row.value}`,
    );
  for (const { row } of out.activeUsers)
    tables.activeUsers.set(row.window_start, `${row.active_users}/${row.signed_in_users}`);
  for (const { row } of out.sessions)
    tables.sessions.set(
      `${row.session_id}|${row.session_start}`,
      JSON.stringify([
        row.session_end,
        row.customer_id,
        row.anonymous_id,
        row.events,
        row.pages,
        row.product_views,
        row.cart_adds,
        row.purchases,
        row.revenue,
      ]),
    );
  for (const { row } of out.lateEvents)
    tables.lateEvents.set(`${row.shard_id}/${row.sequence_number}`, `${row.event_id}@${row.frontier}`);
  for (const { row } of out.deadLetters)
    tables.deadLetters.set(`${row.shard_id}/${row.sequence_number}`, row.reason);
  for (const { day, row } of out.streamDays)
    tables.streamDays.set(`${day}|${row.event_type}`, String(row.events));
}

/**
 * Runs the engine over `slices` as the consumer does: a lake commit (output upserted) whenever the
 * frontier moved or rows are pending, a checkpoint after every slice. With `restarts`, after each
 * listed slice index the engine is dropped — optionally after the commit but before that slice's
 * checkpoint (`beforeCheckpoint`) — and a new one restored from the last checkpoint re-reads
 * records from its `replayFrom` and goes on.
 */
export function runEngine(
  scenario: Scenario,
  slices: readonly Slice[],
  settings: WindowSettings,
  options: { restarts?: number[]; beforeCheckpoint?: boolean } = {},
): Tables {
  const tables = emptyTables();
  const restarts = new Set(options.restarts ?? []);
  const register = (engine: ClickWindowEngine) =>
    engine.registerShards(
      Object.entries(scenario.parents).map(([shardId, p]) => ({ shardId, parentShardIds: p })),
    );
  let engine = new ClickWindowEngine(settings);
  register(engine);
  let checkpoint = engine.state();
  let checkpointSlice = -1;
  for (let k = 0; k < slices.length; k++) {
    engine.processSlice(slices[k]);
    if (engine.commitDue || engine.pendingRows > 0) {
      upsert(tables, engine.takeOutput());
      engine.markFlushed();
    }
    const crashBeforeCheckpoint = restarts.has(k) && options.beforeCheckpoint;
    if (!crashBeforeCheckpoint) {
      checkpoint = JSON.parse(JSON.stringify(engine.state()));
      checkpointSlice = k;
    }
    if (!restarts.has(k)) continue;
    restarts.delete(k);
    // Crash: a new engine from the checkpoint re-reads what it needs, then the slices after it.
    engine = new ClickWindowEngine(settings, checkpoint);
    register(engine);
    const byShard = new Map<string, StreamRecord[]>();
    for (const r of scenario.records) {
      const from = checkpoint.replayFrom[r.shardId];
      const to = checkpoint.processed[r.shardId];
      if (from === undefined || to === undefined) continue;
      if (
        compareSequenceNumbers(r.sequenceNumber, from) < 0 ||
        compareSequenceNumbers(r.sequenceNumber, to) > 0
      )
        continue;
      byShard.set(r.shardId, [...(byShard.get(r.shardId) ?? []), r]);
    }
    const order = [...byShard.keys()].sort(
      (a, b) => (scenario.parents[a]?.length ?? 0) - (scenario.parents[b]?.length ?? 0) || (a < b ? -1 : 1),
    );
    for (const shard of order) engine.rebuild(byShard.get(shard)!);
    engine.finishRebuild();
    k = checkpointSlice;
  }
  return tables;
}
