import { compareSequenceNumbers } from '../../resources/stream/sequence-number.js';
import type { ClickEvent } from './click-event.js';
import { iso, type SessionRow } from './window-rows.js';

/** An open session: events of one session id with no gap as long as the inactivity gap. */
export interface OpenSession {
  sessionId: string;
  first: number;
  last: number;
  events: number;
  pages: number;
  productViews: number;
  cartAdds: number;
  purchases: number;
  /** Sum of purchase prices, in cents (integers add up the same in any order). */
  revenueCents: number;
  /** The highest signed-in customer id seen (order-independent; a session rarely has two). */
  customerId: number | null;
  /** The lowest device id seen. */
  anonymousId: string;
  /** The shard and sequence number of the first record of the session read (where a restart reads from). */
  firstShard: string;
  firstSequence: string;
  /** The same for further shards, when resharding moved the session's key to a child shard. */
  otherShards: Map<string, string> | null;
}

/** Notes that the session has a record at `sequenceNumber` of `shardId`, keeping the earliest per shard. */
function noteShard(s: OpenSession, shardId: string, sequenceNumber: string): void {
  if (s.firstShard === shardId) {
    if (compareSequenceNumbers(sequenceNumber, s.firstSequence) < 0) s.firstSequence = sequenceNumber;
    return;
  }
  s.otherShards ??= new Map();
  const known = s.otherShards.get(shardId);
  if (known === undefined || compareSequenceNumbers(sequenceNumber, known) < 0)
    s.otherShards.set(shardId, sequenceNumber);
}

function merge(into: OpenSession, other: OpenSession): void {
  into.first = Math.min(into.first, other.first);
  into.last = Math.max(into.last, other.last);
  into.events += other.events;
  into.pages += other.pages;
  into.productViews += other.productViews;
  into.cartAdds += other.cartAdds;
  into.purchases += other.purchases;
  into.revenueCents += other.revenueCents;
  if (other.customerId !== null && (into.customerId === null || other.customerId > into.customerId))
    into.customerId = other.customerId;
  if (other.anonymousId < into.anonymousId) into.anonymousId = other.anonymousId;
  noteShard(into, other.firstShard, other.firstSequence);
  for (const [shard, seq] of other.otherShards ?? []) noteShard(into, shard, seq);
}

/**
 * Sessions by event time: an accepted event joins every open session of its id that it is within
 * the gap of (merging them when it bridges two), or starts a new one. A session closes once the
 * close frontier passes its last event plus the gap; since an event is only accepted at or after
 * the frontier, a closed session can never be extended, so closing it is final.
 *
 * @example
 * const sessions = new SessionTracker(30 * 60_000);
 * sessions.add(event, 'shardId-000000000000', '4968…');
 * for (const row of sessions.closeBefore(frontier)) write(row);
 */
export class SessionTracker {
  private readonly open = new Map<string, OpenSession[]>();
  private count = 0;
  /** Per shard, the earliest first record of the open sessions; null when it must be recomputed. */
  private low: Map<string, string> | null = null;

  constructor(private readonly gapMs: number) {}

  /** Open sessions. */
  get size(): number {
    return this.count;
  }

  /** Adds an accepted event, read from `shardId` at `sequenceNumber`. */
  add(event: ClickEvent, shardId: string, sequenceNumber: string): void {
    const t = event.eventTime;
    let list = this.open.get(event.sessionId);
    let target: OpenSession | undefined;
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const s = list[i];
        if (t - s.last < this.gapMs && s.first - t < this.gapMs) {
          if (target === undefined) target = s;
          else {
            merge(target, s);
            list.splice(i--, 1);
            this.count--;
          }
        }
      }
    } else {
      list = [];
      this.open.set(event.sessionId, list);
    }
    if (target === undefined) {
      target = {
        sessionId: event.sessionId,
        first: t,
        last: t,
        events: 0,
        pages: 0,
        productViews: 0,
        cartAdds: 0,
        purchases: 0,
        revenueCents: 0,
        customerId: null,
        anonymousId: event.anonymousId,
        firstShard: shardId,
        firstSequence: sequenceNumber,
        otherShards: null,
      };
      list.push(target);
      this.count++;
      // NOTE: a shard's records come in order, so a new session only matters for a shard not seen yet.
      if (this.low !== null && !this.low.has(shardId)) this.low.set(shardId, sequenceNumber);
    } else {
      if (t < target.first) target.first = t;
      if (t > target.last) target.last = t;
      if (event.anonymousId < target.anonymousId) target.anonymousId = event.anonymousId;
      // NOTE: a shard's records are added in order, so only a shard new to the session matters.
      if (shardId !== target.firstShard && !target.otherShards?.has(shardId)) {
        noteShard(target, shardId, sequenceNumber);
        if (this.low !== null && !this.low.has(shardId)) this.low.set(shardId, sequenceNumber);
      }
    }
    target.events++;
    switch (event.eventType) {
      case 'page_view':
        target.pages++;
        break;
      case 'product_view':
        target.pages++;
        target.productViews++;
        break;
      case 'add_to_cart':
        target.cartAdds++;
        break;
      case 'purchase':
        target.purchases++;
        target.revenueCents += Math.round((event.price ?? 0) * 100);
        break;
    }
    if (event.customerId !== null && (target.customerId === null || event.customerId > target.customerId))
      target.customerId = event.customerId;
  }

  /** Removes and returns the sessions whose last event plus the gap is at or before `frontier`. */
  closeBefore(frontier: number): SessionRow[] {
    const closed: SessionRow[] = [];
    this.low = null;
    for (const [id, list] of this.open) {
      for (let i = 0; i < list.length; i++) {
        const s = list[i];
        if (s.last + this.gapMs > frontier) continue;
        closed.push(sessionRow(s));
        list.splice(i--, 1);
        this.count--;
      }
      if (list.length === 0) this.open.delete(id);
    }
    return closed;
  }

  /** Drops, without returning them, the sessions that closed at or before `frontier` (after a rebuild). */
  dropBefore(frontier: number): void {
    this.closeBefore(frontier);
  }

  /** Per shard, the earliest first record of any open session. */
  lowWater(into: Map<string, string>, earlier: (a: string, b: string) => boolean): void {
    this.low ??= this.computeLow(earlier);
    for (const [shard, seq] of this.low) {
      const known = into.get(shard);
      if (known === undefined || earlier(seq, known)) into.set(shard, seq);
    }
  }

  private computeLow(earlier: (a: string, b: string) => boolean): Map<string, string> {
    const into = new Map<string, string>();
    for (const list of this.open.values()) {
      for (const s of list) {
        const known = into.get(s.firstShard);
        if (known === undefined || earlier(s.firstSequence, known)) into.set(s.firstShard, s.firstSequence);
        for (const [shard, seq] of s.otherShards ?? []) {
          const other = into.get(shard);
          if (other === undefined || earlier(seq, other)) into.set(shard, seq);
        }
      }
    }
    return into;
  }

  /** Open sessions with a purchase, for the dashboard. */
  openConverted(): number {
    let n = 0;
    for (const list of this.open.values()) for (const s of list) if (s.purchases > 0) n++;
    return n;
  }
}

/** The table row of a session. */
export function sessionRow(s: OpenSession): SessionRow {
  return {
    session_id: s.sessionId,
    session_start: iso(s.first),
    session_end: iso(s.last),
    duration_seconds: Math.round((s.last - s.first) / 1000),
    customer_id: s.customerId,
    anonymous_id: s.anonymousId,
    events: s.events,
    pages: s.pages,
    product_views: s.productViews,
    cart_adds: s.cartAdds,
    purchases: s.purchases,
    converted: s.purchases > 0,
    revenue: s.revenueCents / 100,
  };
}
