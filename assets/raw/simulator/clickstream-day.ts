import { type ByteBatchTarget, ClickLineEncoder, jsonStringBytes } from './click-line-encoder.js';
import { type ClickSession, PendingClicks } from './pending-clicks.js';
import { pickCustomerId, pickProductId } from './popularity.js';
import type { ClickEvent, ClickEventType } from './raw-file-formats.js';
import { RandomStream, SeededRandom } from './seeded-random.js';
import type { ShopflowTimeline } from './shopflow-timeline.js';
import { CATEGORIES, SEARCH_TERMS } from './shopflow-vocabulary.js';
import type { TransactionDraft } from './transaction-drafts.js';
import { formatDayTime, MS_PER_DAY } from './utc-time.js';

/** Longest session: every event of a session lies within this span. */
const MAX_SESSION_MS = 30 * 60 * 1000;
const MS_PER_HOUR = 3_600_000;
/** Browsing sessions without a purchase per purchase session (tuned for ~10 events per transaction). */
const BROWSE_SESSIONS_PER_PURCHASE = 0.42;
const ANONYMOUS_BROWSE_SHARE = 0.55;

/**
 * The bound below which the events are final once hour `hour` is added: sessions of later hours
 * start at or after the next hour, or end in it having lasted at most MAX_SESSION_MS.
 */
function finalBefore(hour: number): number {
  return (hour + 1) * MS_PER_HOUR - MAX_SESSION_MS;
}

/** A session: its events are its steps, at its times. */
interface Session extends ClickSession {
  customerId: number | null;
  steps: readonly Step[];
}

/** A page of the shop other than a product page, with its JSON form (built once, at load). */
interface SitePage {
  path: string;
  json: Uint8Array;
}

function sitePage(path: string): SitePage {
  return { path, json: jsonStringBytes(path) };
}

const HOME_PAGE = sitePage('/');
const CART_PAGE = sitePage('/cart');
const CHECKOUT_PAGE = sitePage('/checkout');
const CONFIRMATION_PAGE = sitePage('/checkout/confirmation');
const CATEGORY_PAGES = new Map(
  CATEGORIES.values.map((category) => [category, sitePage(`/category/${category.slug}`)]),
);
// NOTE: drawn with `pick`, which depends only on the length: the same term as from SEARCH_TERMS.
const SEARCH_PAGES = SEARCH_TERMS.map((term) => sitePage(`/search?q=${term}`));

interface Step {
  type: ClickEventType;
  /** A listing or checkout page, or null for the page of `productId` (`/product/<id>`). */
  page: SitePage | null;
  productId: number | null;
}

/**
 * The clickstream of one day, generated hour by hour and emitted in timestamp order while holding
 * only the events of about one hour. Each transaction gets a purchase session that ends with a
 * `purchase` event at the transaction's timestamp (same customer and product); browsing sessions
 * without a purchase (most of them anonymous) fill the rest. Draws of hour `h` come from
 * `(seed, day, h)`; event and session ids number the day's events in emission order.
 *
 * Events come out either as {@link ClickEvent} objects (`addHour`, `finish`) or straight as the
 * bytes of the clickstream.jsonl lines (`addHourLines`, `finishLines`: see {@link ClickLineEncoder}).
 *
 * @example
 * const clicks = new ClickstreamDay(world, 0);
 * for (const { hour, drafts } of transactionHoursOfDay(world, 0)) for (const e of clicks.addHour(hour, drafts)) write(e);
 * for (const e of clicks.finish()) write(e);
 */
export class ClickstreamDay {
  private readonly pending = new PendingClicks<Session>();
  private sessions = 0;
  private emitted = 0;
  private readonly isoDate: string;
  private readonly tag: string;
  private readonly customerCount: number;
  private readonly productCount: number;
  private encoder: ClickLineEncoder | undefined;

  constructor(
    private readonly world: ShopflowTimeline,
    private readonly day: number,
  ) {
    this.isoDate = world.isoDate(day);
    this.tag = this.isoDate.replaceAll('-', '');
    this.customerCount = world.calendar.customersBefore(day);
    this.productCount = world.calendar.productsBefore(day);
  }

  /** Adds the sessions of `hour` (its purchases are `drafts`) and yields the events now final. */
  *addHour(hour: number, drafts: readonly TransactionDraft[]): Generator<ClickEvent> {
    this.schedule(hour, drafts);
    yield* this.events(finalBefore(hour));
  }

  /** Yields the remaining events of the day. */
  *finish(): Generator<ClickEvent> {
    yield* this.events(Number.POSITIVE_INFINITY);
  }

  /**
   * Like {@link addHour}, but appends the events now final to `target` as the bytes of their
   * clickstream.jsonl lines; returns true when the target asked to be flushed.
   */
  addHourLines(hour: number, drafts: readonly TransactionDraft[], target: ByteBatchTarget): boolean {
    this.schedule(hour, drafts);
    return this.writeLines(finalBefore(hour), target);
  }

  /** Like {@link finish}, as lines (see {@link addHourLines}). */
  finishLines(target: ByteBatchTarget): boolean {
    return this.writeLines(Number.POSITIVE_INFINITY, target);
  }

  private schedule(hour: number, drafts: readonly TransactionDraft[]): void {
    const random = new SeededRandom(this.world.options.seed, RandomStream.clickstream, this.day, hour);
    for (const draft of drafts) this.addPurchaseSession(random, draft);
    const browsing = Math.floor(drafts.length * BROWSE_SESSIONS_PER_PURCHASE + random.float());
    for (let i = 0; i < browsing; i++) this.addBrowsingSession(random, hour);
  }

  /** The pending events before `beforeMs`, as objects. */
  private events(beforeMs: number): ClickEvent[] {
    const events: ClickEvent[] = [];
    this.pending.release(beforeMs, (session, index) => {
      this.emitted += 1;
      const step = session.steps[index];
      events.push({
        event_id: `e${this.tag}-${String(this.emitted).padStart(7, '0')}`,
        session_id: `s${this.tag}-${String(session.number).padStart(6, '0')}`,
        customer_id: session.customerId,
        event_type: step.type,
        page: step.page?.path ?? `/product/${step.productId}`,
        product_id: step.productId,
        timestamp: formatDayTime(this.isoDate, session.times[index], true),
      });
    });
    return events;
  }

  /** Appends the pending events before `beforeMs` as the lines `formatClickEvent` would give them. */
  private writeLines(beforeMs: number, target: ByteBatchTarget): boolean {
    this.encoder ??= new ClickLineEncoder(this.isoDate, target);
    const encoder = this.encoder;
    this.pending.release(beforeMs, (session, index) => {
      this.emitted += 1;
      const { type, page, productId } = session.steps[index];
      const json = page === null ? null : page.json;
      encoder.event(
        this.emitted,
        session.number,
        session.customerId,
        type,
        json,
        productId,
        session.times[index],
      );
    });
    encoder.handOver();
    return encoder.takeFlushRequest();
  }

  private addPurchaseSession(random: SeededRandom, draft: TransactionDraft): void {
    const steps = this.browsingSteps(random, random.int(0, 3));
    steps.push({ type: 'product_view', page: null, productId: draft.productId });
    steps.push({ type: 'add_to_cart', page: null, productId: draft.productId });
    if (random.chance(0.5)) steps.push({ type: 'page_view', page: CART_PAGE, productId: null });
    steps.push({ type: 'checkout', page: CHECKOUT_PAGE, productId: null });
    steps.push({ type: 'purchase', page: CONFIRMATION_PAGE, productId: draft.productId });
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
      if (random.chance(0.4)) steps.push({ type: 'checkout', page: CHECKOUT_PAGE, productId: null });
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
      steps.push({ type: 'product_view', page: null, productId });
    }
    return steps;
  }

  private listingPage(random: SeededRandom, landing: boolean): SitePage {
    const u = random.float();
    if (landing && u < 0.5) return HOME_PAGE;
    if (u < 0.8) return CATEGORY_PAGES.get(random.weighted(CATEGORIES))!;
    return random.pick(SEARCH_PAGES);
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
    this.pending.add({ number: this.sessions, times, customerId, steps });
  }
}
