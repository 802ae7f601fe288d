import { pickCustomerId, pickProductId } from './popularity.js';
import type { ClickEvent, ClickEventType } from './raw-file-formats.js';
import { RandomStream, SeededRandom } from './seeded-random.js';
import { CATEGORIES, SEARCH_TERMS } from './shopflow-vocabulary.js';
import type { ShopflowWorld } from './shopflow-world.js';
import type { TransactionDraft } from './transaction-drafts.js';
import { formatDayTime, MS_PER_DAY } from './utc-time.js';

/** Longest session: every event of a session lies within this span. */
const MAX_SESSION_MS = 30 * 60 * 1000;
const MS_PER_HOUR = 3_600_000;
/** Browsing sessions without a purchase per purchase session (tuned for ~10 events per transaction). */
const BROWSE_SESSIONS_PER_PURCHASE = 0.42;
const ANONYMOUS_BROWSE_SHARE = 0.55;
const SESSION_SLOTS = 2 ** 20;
const INDEX_SLOTS = 64;

/**
 * One number that orders events as (time, session, index) do, exact while it stays below 2^53:
 * 86,400,000 ms × 2^20 sessions × 64 events. A day with more sessions, or a session with more
 * events, falls back to comparing the three (see {@link ClickstreamDay.release}).
 */
function orderKey(ms: number, session: number, index: number): number {
  return (ms * SESSION_SLOTS + session) * INDEX_SLOTS + index;
}

interface PendingEvent {
  /** The emission order: time, then session, then position in the session (see {@link orderKey}). */
  order: number;
  ms: number;
  session: number;
  index: number;
  customerId: number | null;
  type: ClickEventType;
  page: string;
  productId: number | null;
}

interface Step {
  type: ClickEventType;
  page: string;
  productId: number | null;
}

/**
 * The clickstream of one day, generated hour by hour and emitted in timestamp order while holding
 * only the events of about one hour. Each transaction gets a purchase session that ends with a
 * `purchase` event at the transaction's timestamp (same customer and product); browsing sessions
 * without a purchase (most of them anonymous) fill the rest. Draws of hour `h` come from
 * `(seed, day, h)`; event and session ids number the day's events in emission order.
 *
 * @example
 * const clicks = new ClickstreamDay(world, 0);
 * for (const { hour, drafts } of transactionHoursOfDay(world, 0)) for (const e of clicks.addHour(hour, drafts)) write(e);
 * for (const e of clicks.finish()) write(e);
 */
export class ClickstreamDay {
  private pending: PendingEvent[] = [];
  private sessions = 0;
  /** Whether a session has more events than {@link orderKey} orders. */
  private longSession = false;
  private emitted = 0;
  private readonly isoDate: string;
  private readonly tag: string;
  private readonly customerCount: number;
  private readonly productCount: number;

  constructor(
    private readonly world: ShopflowWorld,
    private readonly day: number,
  ) {
    this.isoDate = world.isoDate(day);
    this.tag = this.isoDate.replaceAll('-', '');
    this.customerCount = world.calendar.customersBefore(day);
    this.productCount = world.calendar.productsBefore(day);
  }

  /** Adds the sessions of `hour` (its purchases are `drafts`) and yields the events now final. */
  *addHour(hour: number, drafts: readonly TransactionDraft[]): Generator<ClickEvent> {
    const random = new SeededRandom(this.world.options.seed, RandomStream.clickstream, this.day, hour);
    for (const draft of drafts) this.addPurchaseSession(random, draft);
    const browsing = Math.floor(drafts.length * BROWSE_SESSIONS_PER_PURCHASE + random.float());
    for (let i = 0; i < browsing; i++) this.addBrowsingSession(random, hour);
    // NOTE: sessions of later hours start at or after the next hour, or end in it having lasted at
    // most MAX_SESSION_MS, so every event before this bound is final.
    yield* this.release((hour + 1) * MS_PER_HOUR - MAX_SESSION_MS);
  }

  /** Yields the remaining events of the day. */
  *finish(): Generator<ClickEvent> {
    yield* this.release(Number.POSITIVE_INFINITY);
  }

  private *release(beforeMs: number): Generator<ClickEvent> {
    const pending = this.pending;
    if (this.sessions < SESSION_SLOTS && !this.longSession) pending.sort((a, b) => a.order - b.order);
    else pending.sort((a, b) => a.ms - b.ms || a.session - b.session || a.index - b.index);
    let ready = 0;
    while (ready < pending.length && pending[ready].ms < beforeMs) ready++;
    this.pending = pending.slice(ready);
    for (let i = 0; i < ready; i++) {
      const event = pending[i];
      this.emitted += 1;
      yield {
        event_id: `e${this.tag}-${String(this.emitted).padStart(7, '0')}`,
        session_id: `s${this.tag}-${String(event.session).padStart(6, '0')}`,
        customer_id: event.customerId,
        event_type: event.type,
        page: event.page,
        product_id: event.productId,
        timestamp: formatDayTime(this.isoDate, event.ms, true),
      };
    }
  }

  private addPurchaseSession(random: SeededRandom, draft: TransactionDraft): void {
    const steps = this.browsingSteps(random, random.int(0, 3));
    steps.push({ type: 'product_view', page: `/product/${draft.productId}`, productId: draft.productId });
    steps.push({ type: 'add_to_cart', page: `/product/${draft.productId}`, productId: draft.productId });
    if (random.chance(0.5)) steps.push({ type: 'page_view', page: '/cart', productId: null });
    steps.push({ type: 'checkout', page: '/checkout', productId: null });
    steps.push({ type: 'purchase', page: '/checkout/confirmation', productId: draft.productId });
    const end = draft.secondOfDay * 1000;
    const gaps = this.gaps(random, steps.length, Math.min(MAX_SESSION_MS, end));
    const times: number[] = new Array(steps.length);
    times[steps.length - 1] = end;
    for (let i = steps.length - 2; i >= 0; i--) times[i] = times[i + 1] - gaps[i];
    this.addSession(steps, times, draft.customerId);
  }

  private addBrowsingSession(random: SeededRandom, hour: number): void {
    const start = hour * MS_PER_HOUR + random.int(0, MS_PER_HOUR - 1);
    const anonymous = random.chance(ANONYMOUS_BROWSE_SHARE);
    const customerId = pickCustomerId(random, this.customerCount);
    const steps = this.browsingSteps(random, random.int(0, 5));
    const last = steps[steps.length - 1];
    if (last.type === 'product_view' && random.chance(0.25)) {
      steps.push({ type: 'add_to_cart', page: last.page, productId: last.productId });
      if (random.chance(0.4)) steps.push({ type: 'checkout', page: '/checkout', productId: null });
    }
    const gaps = this.gaps(random, steps.length, Math.min(MAX_SESSION_MS, MS_PER_DAY - 1 - start));
    const times: number[] = [start];
    for (let i = 1; i < steps.length; i++) times.push(times[i - 1] + gaps[i - 1]);
    this.addSession(steps, times, anonymous ? null : customerId);
  }

  /** A landing page, up to two more listing pages, then `productViews` product pages. */
  private browsingSteps(random: SeededRandom, productViews: number): Step[] {
    const steps: Step[] = [{ type: 'page_view', page: this.listingPage(random, true), productId: null }];
    const listings = random.int(0, 2);
    for (let i = 0; i < listings; i++) {
      steps.push({ type: 'page_view', page: this.listingPage(random, false), productId: null });
    }
    for (let i = 0; i < productViews; i++) {
      const productId = pickProductId(random, this.productCount);
      steps.push({ type: 'product_view', page: `/product/${productId}`, productId });
    }
    return steps;
  }

  private listingPage(random: SeededRandom, landing: boolean): string {
    const u = random.float();
    if (landing && u < 0.5) return '/';
    if (u < 0.8) return `/category/${random.weighted(CATEGORIES).slug}`;
    return `/search?q=${random.pick(SEARCH_TERMS)}`;
  }

  /** Gaps between consecutive events (3 s to 90 s each), squeezed to fit within `spanMs` in total. */
  private gaps(random: SeededRandom, events: number, spanMs: number): number[] {
    const gaps: number[] = [];
    let total = 0;
    for (let i = 1; i < events; i++) {
      const gap = random.int(3_000, 90_000);
      gaps.push(gap);
      total += gap;
    }
    if (total > spanMs) {
      for (let i = 0; i < gaps.length; i++) gaps[i] = Math.floor((gaps[i] * spanMs) / total);
    }
    return gaps;
  }

  private addSession(steps: readonly Step[], times: readonly number[], customerId: number | null): void {
    this.sessions += 1;
    if (steps.length > INDEX_SLOTS) this.longSession = true;
    steps.forEach((step, index) => {
      this.pending.push({
        order: orderKey(times[index], this.sessions, index),
        ms: times[index],
        session: this.sessions,
        index,
        customerId,
        type: step.type,
        page: step.page,
        productId: step.productId,
      });
    });
  }
}
