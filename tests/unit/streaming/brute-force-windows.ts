import { type ClickEvent, decodeClickEvent } from '../../../assets/streaming/click-event.js';
import type { Slice } from '../../../assets/streaming/click-window-engine.js';
import type { WindowSettings } from '../../../assets/streaming/window-settings.js';
import type { StreamRecord } from '../../../resources/stream/stream-transport.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const TYPES = ['page_view', 'product_view', 'add_to_cart', 'checkout', 'purchase'];

export interface Tables {
  minuteWindows: Map<string, string>;
  activeUsers: Map<string, string>;
  sessions: Map<string, string>;
  lateEvents: Map<string, string>;
  deadLetters: Map<string, string>;
  streamDays: Map<string, string>;
}

const floorMinute = (t: number) => Math.floor(t / MINUTE) * MINUTE;
const iso = (t: number) => new Date(t).toISOString();

/**
 * The definition of the windows, computed the slow and obvious way over every record at once: for
 * each slice start, the watermark from all records that arrived before it (recomputed from
 * scratch), then plain sorting and grouping of the accepted events. Shards are given with their
 * parents (a child without records continues from its parents).
 */
export function bruteForceWindows(
  slices: readonly Slice[],
  settings: WindowSettings,
  parents: Record<string, string[]> = {},
): Tables {
  const all: StreamRecord[] = slices.flatMap((s) => s.records);
  const decoded = new Map<StreamRecord, ClickEvent | string | number>();
  for (const r of all) {
    decoded.set(r, decodeClickEvent(r.data, r.arrivedAt, settings));
  }
  const shardIds = new Set([...all.map((r) => r.shardId), ...Object.keys(parents)]);
  const rawWatermark = (tau: number): number => {
    const seen = new Map<string, { high?: number; last?: number }>();
    for (const id of shardIds) {
      const before = all.filter((r) => r.shardId === id && r.arrivedAt < tau);
      // NOTE: events and heartbeats move a shard's latest event time; dead letters do not.
      const times = before
        .map((r) => decoded.get(r))
        .filter((e) => typeof e !== 'string')
        .map((e) => (typeof e === 'number' ? e : (e as ClickEvent).eventTime));
      seen.set(id, {
        last: before.length ? Math.max(...before.map((r) => r.arrivedAt)) : undefined,
        high: times.length ? Math.max(...times) : undefined,
      });
    }
    const highs: number[] = [];
    let latestEvent = Number.NEGATIVE_INFINITY;
    let latestArrival = Number.NEGATIVE_INFINITY;
    for (const id of shardIds) {
      let { high, last } = seen.get(id)!;
      if (last === undefined) {
        for (const p of parents[id] ?? []) {
          const ps = seen.get(p);
          if (ps?.last !== undefined && (last === undefined || ps.last > last)) last = ps.last;
          if (ps?.high !== undefined && (high === undefined || ps.high > high)) high = ps.high;
        }
      }
      if (high !== undefined) latestEvent = Math.max(latestEvent, high);
      if (last !== undefined) latestArrival = Math.max(latestArrival, last);
      if (last === undefined || high === undefined || last < tau - settings.idleMs) continue;
      highs.push(high);
    }
    if (highs.length > 0) return Math.min(...highs) - settings.boundMs;
    if (!Number.isFinite(latestEvent)) return Number.NEGATIVE_INFINITY;
    return latestEvent - settings.boundMs + Math.max(0, tau - latestArrival - settings.idleMs);
  };

  let watermark = Number.NEGATIVE_INFINITY;
  const frontierAt = (tau: number) => {
    watermark = Math.max(watermark, rawWatermark(tau));
    return floorMinute(watermark - settings.latenessMs);
  };
  const seen = new Set<string>(); // event id @ minute
  const accepted: ClickEvent[] = [];
  const tables: Tables = {
    minuteWindows: new Map(),
    activeUsers: new Map(),
    sessions: new Map(),
    lateEvents: new Map(),
    deadLetters: new Map(),
    streamDays: new Map(),
  };
  let frontier = Number.NEGATIVE_INFINITY;
  for (const slice of slices) {
    frontier = Math.max(frontier, frontierAt(slice.start));
    const judge = frontier;
    for (const r of slice.records) {
      const e = decoded.get(r)!;
      if (typeof e === 'number') continue;
      if (typeof e === 'string') {
        tables.deadLetters.set(`${r.shardId}/${r.sequenceNumber}`, e);
        continue;
      }
      const minute = floorMinute(e.eventTime);
      // NOTE: ids are remembered while their minute is at most dedupMs before the frontier.
      const retained = minute >= judge - settings.dedupMs;
      const id = `${e.eventId}@${minute}`;
      if (retained && seen.has(id)) continue;
      if (retained) seen.add(id);
      if (e.eventTime < judge) {
        tables.lateEvents.set(`${r.shardId}/${r.sequenceNumber}`, `${e.eventId}@${iso(judge)}`);
        continue;
      }
      accepted.push(e);
    }
    frontier = Math.max(frontier, frontierAt(slice.end));
  }

  const cents = (p: number | null) => Math.round((p ?? 0) * 100);
  const minutes = new Map<string, { events: number; cents: number }>();
  for (const e of accepted) {
    if (floorMinute(e.eventTime) >= frontier) continue;
    const key = `${iso(floorMinute(e.eventTime))}|${e.eventType}|${e.productId ?? ''}`;
    const cell = minutes.get(key) ?? { events: 0, cents: 0 };
    cell.events++;
    if (e.price !== null) cell.cents += cents(e.price);
    minutes.set(key, cell);
  }
  for (const [key, cell] of minutes) tables.minuteWindows.set(key, `${cell.events}/${cell.cents / 100}`);

  const byStart = new Map<number, ClickEvent[]>();
  for (const e of accepted) {
    const m = floorMinute(e.eventTime);
    for (let s = m - 4 * MINUTE; s <= m; s += MINUTE) byStart.set(s, [...(byStart.get(s) ?? []), e]);
  }
  for (const [start, events] of byStart) {
    if (start + 5 * MINUTE > frontier) continue;
    const users = new Set(
      events.map((e) => (e.customerId !== null ? `c${e.customerId}` : `a${e.anonymousId}`)),
    );
    const signedIn = new Set(events.filter((e) => e.customerId !== null).map((e) => e.customerId));
    tables.activeUsers.set(iso(start), `${users.size}/${signedIn.size}`);
  }

  const bySession = new Map<string, ClickEvent[]>();
  for (const e of accepted) bySession.set(e.sessionId, [...(bySession.get(e.sessionId) ?? []), e]);
  for (const [id, events] of bySession) {
    events.sort((a, b) => a.eventTime - b.eventTime);
    let group: ClickEvent[] = [];
    const flush = () => {
      const first = group[0].eventTime;
      const last = group[group.length - 1].eventTime;
      if (last + settings.sessionGapMs > frontier) return;
      const count = (type: string) => group.filter((e) => e.eventType === type).length;
      const customers = group.map((e) => e.customerId).filter((c): c is number => c !== null);
      tables.sessions.set(
        `${id}|${iso(first)}`,
        JSON.stringify([
          iso(last),
          customers.length ? Math.max(...customers) : null,
          group.map((e) => e.anonymousId).sort()[0],
          group.length,
          count('page_view') + count('product_view'),
          count('product_view'),
          count('add_to_cart'),
          count('purchase'),
          group.filter((e) => e.eventType === 'purchase').reduce((s, e) => s + cents(e.price), 0) / 100,
        ]),
      );
    };
    for (const e of events) {
      if (group.length > 0 && e.eventTime - group[group.length - 1].eventTime >= settings.sessionGapMs) {
        flush();
        group = [];
      }
      group.push(e);
    }
    flush();
  }

  const days = new Map<string, Map<string, number>>();
  for (const e of accepted) {
    const day = iso(e.eventTime).slice(0, 10);
    const counts = days.get(day) ?? new Map();
    counts.set(e.eventType, (counts.get(e.eventType) ?? 0) + 1);
    days.set(day, counts);
  }
  for (const [day, counts] of days) {
    if (Date.parse(`${day}T00:00:00Z`) + DAY > frontier) continue;
    for (const type of TYPES) tables.streamDays.set(`${day}|${type}`, String(counts.get(type) ?? 0));
  }
  return tables;
}
