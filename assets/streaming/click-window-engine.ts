import { compareSequenceNumbers } from '../../resources/stream/sequence-number.js';
import type { StreamRecord } from '../../resources/stream/stream-transport.js';
import { CLICK_EVENT_TYPES } from '../raw/raw-clickstream.js';
import { type ClickEvent, decodeClickEvent } from './click-event.js';
import { type FrontierEntry, frontierAt, pruneFrontiers } from './frontier-history.js';
import { SessionTracker } from './session-tracker.js';
import { emptyOutput, iso, utcDay, type WindowOutput } from './window-rows.js';
import type { WindowSettings } from './window-settings.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** The hopping windows: 5 minutes long, one starting every minute. */
const HOP_WINDOW_MINUTES = 5;
/** How many minutes of per-minute counts the dashboard keeps (sparkline, top products). */
const RECENT_MINUTES = 60;
const TOP_PRODUCT_MINUTES = 15;

interface CountCell {
  eventType: ClickEvent['eventType'];
  productId: number | null;
  events: number;
  valueCents: number;
}

/** What the engine keeps for one minute of event time. */
interface Bucket {
  /** Counts per event type and product while the minute's window is open (see {@link cellKey}). */
  counts: Map<number, CountCell> | null;
  /**
   * Users seen, while a 5-minute window containing the minute is open: signed-in customers by
   * their id (a number), anonymous devices by their id (a string).
   */
  users: Set<number | string> | null;
  /** Event ids seen (accepted or late), while duplicates of the minute are recognised. */
  ids: Set<string> | null;
  /** Per shard, the first record read into this minute. */
  firstSequence: Map<string, string>;
}

interface ShardState {
  /** Latest event time read from the shard. */
  high?: number;
  /** Arrival time of the latest record read from the shard. */
  last?: number;
  parents: string[];
}

interface PendingRow<T> {
  shardId: string;
  sequenceNumber: string;
  day: string;
  row: T;
}

/** The counters kept across restarts (they cover more than the records a restart re-reads). */
export interface EngineTotals {
  events: number;
  late: number;
  duplicates: number;
  deadLetters: number;
  sessionsClosed: number;
  sessionsConverted: number;
}

/** The engine's state that a checkpoint stores; open windows are rebuilt by re-reading records. */
export interface EngineState {
  watermark: number | null;
  frontier: number | null;
  /** Last record processed per shard. */
  processed: Record<string, string>;
  /** Where a restart must re-read from (inclusive), per shard with open windows or pending rows. */
  replayFrom: Record<string, string>;
  /** Late events and dead letters of records up to here are in the lake. */
  flushed: Record<string, string>;
  shards: Record<string, ShardState>;
  frontiers: FrontierEntry[];
  /** Accepted events of closed minutes per open day and event type (for the closed-day totals). */
  openDays: Record<string, Record<string, number>>;
  totals: EngineTotals;
  /** Accepted events per recent closed minute: [minute start ms, events]. */
  recentMinutes: Array<[number, number]>;
  /** Sessions closed per recent minute: [minute start ms, closed, converted]. */
  recentSessions: Array<[number, number, number]>;
}

/** A slice of records to process: every record that arrived in [start, end), in read order. */
export interface Slice {
  start: number;
  end: number;
  records: StreamRecord[];
}

function earlier(a: string, b: string): boolean {
  return compareSequenceNumbers(a, b) < 0;
}

const TYPE_INDEX: Record<string, number> = Object.fromEntries(CLICK_EVENT_TYPES.map((t, i) => [t, i]));

/** A number identifying an event type and product (cheaper to hash than a string). */
function cellKey(eventType: string, productId: number | null): number {
  return TYPE_INDEX[eventType] * 4_294_967_296 + (productId === null ? 0 : productId + 1);
}

function minuteOf(t: number): number {
  return Math.floor(t / MINUTE) * MINUTE;
}

const decoderForPayload = new TextDecoder('utf-8');

/**
 * The clickstream's event-time windows, fed slice by slice of arrival time:
 *
 * - **watermark** at stream time τ: the lowest, over shards that received a record in the last
 *   `idleMs` before τ, of the shard's latest event time, minus `boundMs`. When every shard is
 *   idle, event time is taken to go on from the latest event at the pace of the stream's clock:
 *   the latest event time minus `boundMs` plus the quiet time beyond `idleMs`. Never decreasing. It is a function of the records that arrived before τ, so
 *   any slicing of the same records gives the same watermarks.
 * - **close frontier**: the watermark minus `latenessMs`, down to the minute. Windows ending at or
 *   before it are closed and emitted; an event before it is late (late-events table).
 * - **duplicates**: an event id seen before (in a minute at most `dedupMs` before the frontier)
 *   is counted once.
 * - **windows**: 1-minute tumbling counts per event type and product, 5-minute windows hopping by
 *   a minute (distinct users), sessions split by `sessionGapMs` of inactivity.
 *
 * Records of a slice are judged against the frontier at the slice's start, then the frontier
 * moves to the slice's end. A restart rebuilds open windows by re-reading records (see
 * {@link ClickWindowEngine.rebuild}) instead of storing them.
 *
 * @example
 * const engine = new ClickWindowEngine(settings);
 * engine.processSlice({ start, end, records });
 * const closed = engine.takeOutput();
 */
export class ClickWindowEngine {
  private watermark = Number.NEGATIVE_INFINITY;
  private frontier = Number.NEGATIVE_INFINITY;
  private readonly buckets = new Map<number, Bucket>();
  private readonly sessions: SessionTracker;
  private readonly shards = new Map<string, ShardState>();
  private readonly processed = new Map<string, string>();
  private flushed = new Map<string, string>();
  private frontiers: FrontierEntry[] = [];
  private readonly openDays = new Map<string, Map<string, number>>();
  private readonly totals: EngineTotals = {
    events: 0,
    late: 0,
    duplicates: 0,
    deadLetters: 0,
    sessionsClosed: 0,
    sessionsConverted: 0,
  };
  private readonly recentMinutes = new Map<number, number>();
  private readonly recentSessions = new Map<number, [number, number]>();
  private readonly recentProducts = new Map<number, Map<number, [number, number]>>();
  private pendingLate: Array<PendingRow<WindowOutput['lateEvents'][number]['row']>> = [];
  private pendingDead: Array<PendingRow<WindowOutput['deadLetters'][number]['row']>> = [];
  private outbox: WindowOutput = emptyOutput();
  private committedFrontier = Number.NEGATIVE_INFINITY;
  /** Set while re-reading records after a restart (see {@link rebuild}). */
  private rebuilding = false;

  constructor(
    private readonly settings: WindowSettings,
    state?: EngineState,
  ) {
    this.sessions = new SessionTracker(settings.sessionGapMs);
    if (state) this.restore(state);
  }

  /** The watermark (ms), or −∞ before any. */
  get currentWatermark(): number {
    return this.watermark;
  }

  /** The close frontier (ms), or −∞ before any. */
  get closeFrontier(): number {
    return this.frontier;
  }

  /** Late events and dead letters waiting for the next lake commit. */
  get pendingRows(): number {
    return this.pendingLate.length + this.pendingDead.length;
  }

  /** Last record processed per shard. */
  positions(): ReadonlyMap<string, string> {
    return this.processed;
  }

  /** Tells the engine which shards exist and where they came from (after a split or merge). */
  registerShards(shards: ReadonlyArray<{ shardId: string; parentShardIds: string[] }>): void {
    for (const shard of shards) {
      if (!this.shards.has(shard.shardId))
        this.shards.set(shard.shardId, { parents: [...shard.parentShardIds] });
    }
  }

  /** Shards without a record in the `idleMs` before stream time τ (they do not hold the watermark). */
  idleShards(tau: number): string[] {
    return [...this.shards]
      .filter(([, s]) => s.last === undefined || s.last < tau - this.settings.idleMs)
      .map(([id]) => id);
  }

  /** Forgets shards that are closed, read to their end and idle, so they stop being tracked. */
  forgetShards(shardIds: Iterable<string>): void {
    for (const id of shardIds) this.shards.delete(id);
  }

  /** Processes one slice: records judged against the frontier at `start`, then the frontier moves to `end`. */
  processSlice(slice: Slice): void {
    this.advanceTo(slice.start);
    const judge = this.frontier;
    let shardId = '';
    let shard: ShardState | undefined;
    const records = slice.records;
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      // NOTE: a slice's records come shard by shard: look each shard up once.
      if (record.shardId !== shardId) {
        if (shardId !== '') this.processed.set(shardId, records[i - 1].sequenceNumber);
        shardId = record.shardId;
        shard = this.shards.get(shardId);
        if (shard === undefined) {
          shard = { parents: [] };
          this.shards.set(shardId, shard);
        }
      }
      if (shard!.last === undefined || record.arrivedAt > shard!.last) shard!.last = record.arrivedAt;
      this.processRecord(record, judge, shard);
    }
    if (shardId !== '') this.processed.set(shardId, records[records.length - 1].sequenceNumber);
    this.advanceTo(slice.end);
  }

  /**
   * Re-reads records a previous run already processed (one shard's, in order; parents before
   * children) to rebuild the windows that were open at its last checkpoint: each record is judged
   * against the frontier it was judged against then (the frontier history), nothing is counted
   * again, and late events and dead letters not yet in the lake are set aside again. Call
   * {@link finishRebuild} after the last one.
   */
  rebuild(records: readonly StreamRecord[]): void {
    this.rebuilding = true;
    for (const record of records) {
      const judge = frontierAt(this.frontiers, record.shardId, record.sequenceNumber);
      this.processRecord(record, judge, undefined);
    }
  }

  finishRebuild(): void {
    this.rebuilding = false;
    // NOTE: sessions that closed at or before the frontier were emitted by the earlier run.
    this.sessions.dropBefore(this.frontier);
    for (const [minute, bucket] of this.buckets) if (minute < this.frontier) bucket.counts = null;
    this.trimBuckets();
  }

  /** One record, judged against `judge`; `shard` is its shard's state (undefined while rebuilding). */
  private processRecord(record: StreamRecord, judge: number, shard: ShardState | undefined): void {
    const { shardId, sequenceNumber } = record;
    const decoded = decodeClickEvent(record.data, record.arrivedAt, this.settings);
    if (typeof decoded === 'number') {
      if (shard && (shard.high === undefined || decoded > shard.high)) shard.high = decoded;
      return;
    }
    if (typeof decoded === 'string') {
      if (this.rebuilding && !this.unflushed(shardId, sequenceNumber)) return;
      if (!this.rebuilding) this.totals.deadLetters++;
      this.pendingDead.push({
        shardId,
        sequenceNumber,
        day: utcDay(record.arrivedAt),
        row: {
          shard_id: shardId,
          sequence_number: sequenceNumber,
          arrived_at: iso(record.arrivedAt),
          reason: decoded,
          payload: decoderForPayload.decode(record.data.subarray(0, 2000)).slice(0, 500),
        },
      });
      return;
    }
    const event = decoded;
    const t = event.eventTime;
    if (shard && (shard.high === undefined || t > shard.high)) shard.high = t;
    const minute = minuteOf(t);
    let bucket = this.buckets.get(minute);
    // NOTE: ids are remembered while their minute is within dedupMs of the frontier the record is
    // judged against (the current one live; the one of its first processing while rebuilding).
    const retained = minute >= judge - this.settings.dedupMs;
    if (retained && bucket?.ids?.has(event.eventId)) {
      if (!this.rebuilding) this.totals.duplicates++;
      return;
    }
    if (bucket === undefined && retained) {
      bucket = { counts: null, users: null, ids: new Set(), firstSequence: new Map() };
      this.buckets.set(minute, bucket);
    }
    if (bucket !== undefined && retained) {
      bucket.ids ??= new Set();
      bucket.ids.add(event.eventId);
      if (!bucket.firstSequence.has(shardId)) bucket.firstSequence.set(shardId, sequenceNumber);
    }
    if (t < judge) {
      if (this.rebuilding && !this.unflushed(shardId, sequenceNumber)) return;
      if (!this.rebuilding) this.totals.late++;
      this.pendingLate.push({
        shardId,
        sequenceNumber,
        day: utcDay(t),
        row: {
          shard_id: shardId,
          sequence_number: sequenceNumber,
          event_id: event.eventId,
          event_type: event.eventType,
          session_id: event.sessionId,
          customer_id: event.customerId,
          product_id: event.productId,
          event_ts: iso(t),
          arrived_at: iso(record.arrivedAt),
          frontier: iso(judge),
          lateness_seconds: Math.round((judge - t) / 1000),
        },
      });
      return;
    }
    // Accepted: the event's minute (and every window containing it) is still open. (While
    // rebuilding, minutes that closed since are skipped; their events still belong to sessions.)
    if (bucket !== undefined && minute >= this.frontier) {
      bucket.counts ??= new Map();
      const key = cellKey(event.eventType, event.productId);
      let cell = bucket.counts.get(key);
      if (cell === undefined) {
        cell = { eventType: event.eventType, productId: event.productId, events: 0, valueCents: 0 };
        bucket.counts.set(key, cell);
      }
      cell.events++;
      if (event.price !== null) cell.valueCents += Math.round(event.price * 100);
    }
    if (bucket !== undefined && minute >= this.frontier - (HOP_WINDOW_MINUTES - 1) * MINUTE) {
      bucket.users ??= new Set();
      bucket.users.add(event.customerId ?? event.anonymousId);
    }
    this.sessions.add(event, shardId, sequenceNumber);
    // NOTE: day totals, the sparkline and top products are folded in from the minute's counts
    // when it closes (see close), not per event.
    if (!this.rebuilding) this.totals.events++;
  }

  private unflushed(shardId: string, sequenceNumber: string): boolean {
    const flushed = this.flushed.get(shardId);
    return flushed === undefined || compareSequenceNumbers(sequenceNumber, flushed) > 0;
  }

  /** The watermark at stream time τ from the records that arrived before it (see the class). */
  private watermarkAt(tau: number): number {
    let lowest = Number.POSITIVE_INFINITY;
    let active = 0;
    let latestEvent = Number.NEGATIVE_INFINITY;
    let latestArrival = Number.NEGATIVE_INFINITY;
    for (const shard of this.shards.values()) {
      let { high, last } = shard;
      if (last === undefined) {
        // NOTE: a child shard without records yet continues from its parents.
        for (const parent of shard.parents) {
          const p = this.shards.get(parent);
          if (p?.last !== undefined && (last === undefined || p.last > last)) last = p.last;
          if (p?.high !== undefined && (high === undefined || p.high > high)) high = p.high;
        }
      }
      if (high !== undefined && high > latestEvent) latestEvent = high;
      if (last !== undefined && last > latestArrival) latestArrival = last;
      if (last === undefined || high === undefined || last < tau - this.settings.idleMs) continue;
      active++;
      if (high < lowest) lowest = high;
    }
    if (active > 0) return lowest - this.settings.boundMs;
    if (!Number.isFinite(latestEvent)) return Number.NEGATIVE_INFINITY;
    // NOTE: every shard is idle: event time is taken to go on from the latest event at the pace
    // of the stream's clock since the stream went quiet.
    return latestEvent - this.settings.boundMs + Math.max(0, tau - latestArrival - this.settings.idleMs);
  }

  /** Moves the watermark to stream time τ and closes what the new frontier closes. */
  private advanceTo(tau: number): void {
    const candidate = this.watermarkAt(tau);
    if (candidate > this.watermark) this.watermark = candidate;
    const frontier = minuteOf(this.watermark - this.settings.latenessMs);
    if (frontier <= this.frontier) return;
    const previous = this.frontier;
    this.frontier = frontier;
    this.frontiers.push({ frontier, after: Object.fromEntries(this.processed) });
    this.close(previous, frontier);
  }

  private close(previous: number, frontier: number): void {
    const out = this.outbox;
    const minutes = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const minute of minutes) {
      const bucket = this.buckets.get(minute)!;
      if (minute >= frontier) break;
      if (bucket.counts === null) continue;
      const day = utcDay(minute);
      const start = iso(minute);
      this.fold(minute, day, bucket.counts);
      for (const cell of bucket.counts.values()) {
        out.minuteWindows.push({
          day,
          row: {
            window_start: start,
            event_type: cell.eventType,
            product_id: cell.productId,
            events: cell.events,
            value: cell.valueCents / 100,
          },
        });
      }
      bucket.counts = null;
    }
    // Hopping windows [s, s + 5 min) whose end passed, ends in (previous, frontier]: only those
    // containing a minute with users can have any.
    const hop = HOP_WINDOW_MINUTES * MINUTE;
    const ends = new Set<number>();
    for (const minute of minutes) {
      if (this.buckets.get(minute)!.users === null) continue;
      for (let end = minute + MINUTE; end <= minute + hop; end += MINUTE)
        if (end > previous && end <= frontier) ends.add(end);
    }
    for (const end of [...ends].sort((a, b) => a - b)) {
      const users = new Set<number | string>();
      for (let m = end - hop; m < end; m += MINUTE) {
        const bucket = this.buckets.get(m);
        for (const u of bucket?.users ?? []) users.add(u);
      }
      let signedIn = 0;
      for (const u of users) if (typeof u === 'number') signedIn++;
      if (users.size === 0) continue;
      out.activeUsers.push({
        day: utcDay(end - hop),
        row: {
          window_start: iso(end - hop),
          window_end: iso(end),
          active_users: users.size,
          signed_in_users: signedIn,
        },
      });
    }
    for (const row of this.sessions.closeBefore(frontier)) {
      out.sessions.push({ day: row.session_start.slice(0, 10), row });
      this.totals.sessionsClosed++;
      if (row.converted) this.totals.sessionsConverted++;
      const m = minuteOf(Date.parse(row.session_end));
      const counts = this.recentSessions.get(m) ?? [0, 0];
      counts[0]++;
      if (row.converted) counts[1]++;
      this.recentSessions.set(m, counts);
    }
    for (const [day, counts] of [...this.openDays].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (Date.parse(`${day}T00:00:00Z`) + DAY > frontier) break;
      for (const type of CLICK_EVENT_TYPES) {
        out.streamDays.push({
          day,
          row: { event_type: type, events: counts.get(type) ?? 0, closed_at_frontier: iso(frontier) },
        });
      }
      this.openDays.delete(day);
    }
    this.trimBuckets();
  }

  /** Adds a closed minute's counts to the day totals, the sparkline and the top products. */
  private fold(minute: number, day: string, cells: Map<number, CountCell>): void {
    let dayCounts = this.openDays.get(day);
    if (dayCounts === undefined) {
      dayCounts = new Map();
      this.openDays.set(day, dayCounts);
    }
    let total = 0;
    for (const cell of cells.values()) {
      total += cell.events;
      dayCounts.set(cell.eventType, (dayCounts.get(cell.eventType) ?? 0) + cell.events);
      this.noteProduct(this.recentProducts, minute, cell);
    }
    this.recentMinutes.set(minute, (this.recentMinutes.get(minute) ?? 0) + total);
  }

  private noteProduct(
    into: Map<number, Map<number, [number, number]>>,
    minute: number,
    cell: CountCell,
  ): void {
    if (cell.productId === null || (cell.eventType !== 'product_view' && cell.eventType !== 'add_to_cart'))
      return;
    let products = into.get(minute);
    if (products === undefined) {
      products = new Map();
      into.set(minute, products);
    }
    const pair = products.get(cell.productId) ?? [0, 0];
    pair[cell.eventType === 'product_view' ? 0 : 1] += cell.events;
    products.set(cell.productId, pair);
  }

  private trimBuckets(): void {
    const usersFrom = this.frontier - (HOP_WINDOW_MINUTES - 1) * MINUTE;
    const idsFrom = this.frontier - this.settings.dedupMs;
    for (const [minute, bucket] of this.buckets) {
      if (minute < usersFrom) bucket.users = null;
      if (minute < idsFrom) bucket.ids = null;
      if (bucket.counts === null && bucket.users === null && bucket.ids === null) this.buckets.delete(minute);
    }
    const recentFrom = minuteOf(this.watermark) - RECENT_MINUTES * MINUTE;
    for (const m of this.recentMinutes.keys()) if (m < recentFrom) this.recentMinutes.delete(m);
    for (const m of this.recentSessions.keys()) if (m < recentFrom) this.recentSessions.delete(m);
    const productsFrom = minuteOf(this.watermark) - TOP_PRODUCT_MINUTES * MINUTE;
    for (const m of this.recentProducts.keys()) if (m < productsFrom) this.recentProducts.delete(m);
  }

  /**
   * Closed windows and sessions since the last call, with the late events and dead letters set
   * aside (all of them when `withPending`, the default). After the lake commit of the result,
   * call {@link markFlushed}.
   */
  takeOutput(withPending = true): WindowOutput {
    const out = this.outbox;
    this.outbox = emptyOutput();
    if (withPending) {
      out.lateEvents = this.pendingLate.map(({ day, row }) => ({ day, row }));
      out.deadLetters = this.pendingDead.map(({ day, row }) => ({ day, row }));
      this.pendingLate = [];
      this.pendingDead = [];
    }
    return out;
  }

  /**
   * Whether the frontier moved since the last lake commit: what it closed must be committed
   * before the next checkpoint (a restart takes everything before the checkpoint's frontier as
   * written).
   */
  get commitDue(): boolean {
    return this.frontier !== this.committedFrontier;
  }

  /** Records that everything taken so far is in the lake. */
  markFlushed(): void {
    this.flushed = new Map(this.processed);
    this.committedFrontier = this.frontier;
  }

  /**
   * Per shard, the first record a restart must re-read: the earliest record of any open window,
   * open session, recognised duplicate id or late event and dead letter not yet in the lake. Shards
   * it does not name have nothing open.
   */
  lowWater(): Map<string, string> {
    const low = new Map<string, string>();
    const note = (shard: string, seq: string) => {
      const known = low.get(shard);
      if (known === undefined || earlier(seq, known)) low.set(shard, seq);
    };
    for (const bucket of this.buckets.values())
      for (const [shard, seq] of bucket.firstSequence) note(shard, seq);
    this.sessions.lowWater(low, earlier);
    for (const p of this.pendingLate) note(p.shardId, p.sequenceNumber);
    for (const p of this.pendingDead) note(p.shardId, p.sequenceNumber);
    return low;
  }

  /** The state a checkpoint stores. */
  state(): EngineState {
    const replayFrom = this.lowWater();
    this.frontiers = pruneFrontiers(this.frontiers, replayFrom);
    return {
      watermark: Number.isFinite(this.watermark) ? this.watermark : null,
      frontier: Number.isFinite(this.frontier) ? this.frontier : null,
      processed: Object.fromEntries(this.processed),
      replayFrom: Object.fromEntries(replayFrom),
      flushed: Object.fromEntries(this.flushed),
      shards: Object.fromEntries([...this.shards].map(([id, s]) => [id, { ...s, parents: [...s.parents] }])),
      frontiers: this.frontiers.map((f) => ({ frontier: f.frontier, after: { ...f.after } })),
      openDays: Object.fromEntries([...this.openDays].map(([day, c]) => [day, Object.fromEntries(c)])),
      totals: { ...this.totals },
      recentMinutes: [...this.recentMinutes].sort((a, b) => a[0] - b[0]),
      recentSessions: [...this.recentSessions].map(([m, [c, v]]) => [m, c, v] as [number, number, number]),
    };
  }

  private restore(state: EngineState): void {
    this.watermark = state.watermark ?? Number.NEGATIVE_INFINITY;
    this.frontier = state.frontier ?? Number.NEGATIVE_INFINITY;
    this.committedFrontier = this.frontier;
    for (const [shard, seq] of Object.entries(state.processed)) this.processed.set(shard, seq);
    this.flushed = new Map(Object.entries(state.flushed));
    for (const [id, s] of Object.entries(state.shards))
      this.shards.set(id, { ...s, parents: [...s.parents] });
    this.frontiers = state.frontiers.map((f) => ({ frontier: f.frontier, after: { ...f.after } }));
    for (const [day, counts] of Object.entries(state.openDays))
      this.openDays.set(day, new Map(Object.entries(counts)));
    Object.assign(this.totals, state.totals);
    for (const [m, n] of state.recentMinutes) this.recentMinutes.set(m, n);
    for (const [m, c, v] of state.recentSessions) this.recentSessions.set(m, [c, v]);
  }

  /** What the live dashboard shows, as of stream time `now`. */
  dashboard(now: number): {
    watermark: number | null;
    frontier: number | null;
    openSessions: number;
    openSessionsConverted: number;
    totals: EngineTotals;
    eventsPerMinute: Array<[number, number]>;
    sessionsLastHour: { closed: number; converted: number };
    topProducts: Array<{ productId: number; views: number; cartAdds: number }>;
  } {
    // NOTE: closed minutes were folded in; open ones are read from their counts.
    const openProducts = new Map<number, Map<number, [number, number]>>();
    const perMinute = new Map(this.recentMinutes);
    const productsFrom = minuteOf(this.watermark) - TOP_PRODUCT_MINUTES * MINUTE;
    for (const [minute, bucket] of this.buckets) {
      if (bucket.counts === null) continue;
      let total = 0;
      for (const cell of bucket.counts.values()) {
        total += cell.events;
        if (minute >= productsFrom) this.noteProduct(openProducts, minute, cell);
      }
      perMinute.set(minute, (perMinute.get(minute) ?? 0) + total);
    }
    const products = new Map<number, [number, number]>();
    for (const byProduct of [...this.recentProducts.values(), ...openProducts.values()]) {
      for (const [id, [v, c]] of byProduct) {
        const sum = products.get(id) ?? [0, 0];
        sum[0] += v;
        sum[1] += c;
        products.set(id, sum);
      }
    }
    let closed = 0;
    let converted = 0;
    for (const [c, v] of this.recentSessions.values()) {
      closed += c;
      converted += v;
    }
    void now;
    return {
      watermark: Number.isFinite(this.watermark) ? this.watermark : null,
      frontier: Number.isFinite(this.frontier) ? this.frontier : null,
      openSessions: this.sessions.size,
      openSessionsConverted: this.sessions.openConverted(),
      totals: { ...this.totals },
      eventsPerMinute: [...perMinute].sort((a, b) => a[0] - b[0]).slice(-RECENT_MINUTES),
      sessionsLastHour: { closed, converted },
      topProducts: [...products]
        .map(([productId, [views, cartAdds]]) => ({ productId, views, cartAdds }))
        .sort((a, b) => b.views + b.cartAdds - (a.views + a.cartAdds) || a.productId - b.productId)
        .slice(0, 10),
    };
  }
}
