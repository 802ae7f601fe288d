import { randomBytes } from 'node:crypto';
import { pickCustomerId, pickProductId } from '../raw/simulator/popularity.js';
import { RandomStream, SeededRandom } from '../raw/simulator/seeded-random.js';
import { ShopflowSimulator } from '../raw/simulator/shopflow-simulator.js';
import { CATEGORIES } from '../raw/simulator/shopflow-vocabulary.js';
import { ShopflowWorld } from '../raw/simulator/shopflow-world.js';
import { resolveSimulationOptions, type SimulationOptions } from '../raw/simulator/simulator-options.js';
import type { ClickEvent, ClickEventType } from './click-event.js';

/** Where the producer's events come from: live sessions now, or one simulated day replayed. */
export interface ClickEventSource {
  /** The next events up to event time `until` (ms), in event-time order; empty when exhausted. */
  next(until: number, max: number): ClickEvent[];
  /** Whether every event has been handed out. */
  readonly exhausted: boolean;
}

interface Step {
  type: ClickEventType;
  page: string;
  productId: number | null;
}

interface LiveSession {
  id: string;
  anonymousId: string;
  customerId: number | null;
  steps: Step[];
  next: number;
}

const ANONYMOUS_SHARE = 0.55;

/**
 * Live shoppers: a pool of concurrent sessions (sized so each gets an event every ~5 s at the
 * requested rate) that browse listing and product pages, add to cart, check out and buy, with the
 * simulator's products, prices and long-tail popularity. Event times are the clock's `now`; ids
 * carry a random run tag so runs never collide.
 *
 * @example
 * const live = new LiveClickstream({ seed: 42, scale: 1 }, 1000);
 * live.next(Date.now(), 100);
 */
export class LiveClickstream implements ClickEventSource {
  private readonly world: ShopflowWorld;
  private readonly random: SeededRandom;
  private readonly pool: LiveSession[] = [];
  private readonly tag = randomBytes(4).toString('hex');
  private sessions = 0;
  private events = 0;
  private readonly priceAt: number;
  private readonly products: number;
  private readonly customers: number;
  readonly exhausted = false;

  constructor(options: SimulationOptions, ratePerSecond: number) {
    // NOTE: open-ended, like source_files: the products and customers that exist today.
    const resolved = resolveSimulationOptions({ ...options, days: null }, 'stream produce');
    this.world = new ShopflowWorld(resolved);
    this.random = new SeededRandom(resolved.seed, RandomStream.clickstream, Date.now() % 1_000_000_007);
    this.priceAt = Math.floor(Date.now() / 1000);
    const today = Math.max(0, Math.floor((this.priceAt - resolved.startEpochSeconds) / 86_400));
    this.products = Math.max(1, this.world.calendar.productsBefore(today + 1));
    this.customers = Math.max(1, this.world.calendar.customersBefore(today + 1));
    const poolSize = Math.max(20, Math.round(ratePerSecond * 5));
    for (let i = 0; i < poolSize; i++) this.pool.push(this.newSession());
  }

  next(until: number, max: number): ClickEvent[] {
    const out: ClickEvent[] = [];
    for (let i = 0; i < max; i++) {
      const k = this.random.int(0, this.pool.length - 1);
      const session = this.pool[k];
      const step = session.steps[session.next++];
      out.push(this.event(session, step, until));
      if (session.next >= session.steps.length) this.pool[k] = this.newSession();
    }
    return out;
  }

  private event(session: LiveSession, step: Step, at: number): ClickEvent {
    const price =
      step.productId === null ? null : this.world.products.priceCentsAt(step.productId, this.priceAt) / 100;
    return {
      eventId: `e-${this.tag}-${++this.events}`,
      eventType: step.type,
      sessionId: session.id,
      anonymousId: session.anonymousId,
      customerId: session.customerId,
      productId: step.productId,
      price,
      page: step.page,
      eventTime: at,
      sentTime: at,
    };
  }

  private newSession(): LiveSession {
    const r = this.random;
    const products = this.products;
    const steps: Step[] = [
      { type: 'page_view', page: r.chance(0.5) ? '/' : this.listing(), productId: null },
    ];
    for (let i = r.int(0, 2); i > 0; i--)
      steps.push({ type: 'page_view', page: this.listing(), productId: null });
    let product = 0;
    for (let i = r.int(1, 4); i > 0; i--) {
      product = pickProductId(r, products);
      steps.push({ type: 'product_view', page: `/product/${product}`, productId: product });
    }
    if (r.chance(0.3)) {
      steps.push({ type: 'add_to_cart', page: `/product/${product}`, productId: product });
      if (r.chance(0.5)) {
        steps.push({ type: 'checkout', page: '/checkout', productId: null });
        if (r.chance(0.7))
          steps.push({ type: 'purchase', page: '/checkout/confirmation', productId: product });
      }
    }
    const id = ++this.sessions;
    return {
      id: `s-${this.tag}-${id}`,
      anonymousId: `d-${this.tag}-${id}`,
      customerId: r.chance(ANONYMOUS_SHARE) ? null : pickCustomerId(r, this.customers),
      steps,
      next: 0,
    };
  }

  private listing(): string {
    return `/category/${this.random.weighted(CATEGORIES).slug}`;
  }
}

/**
 * One simulated day's clickstream — the same events as that day's `raw_clickstream` extract — with
 * their own event times, prices as of the event and the session as the device id.
 *
 * @example
 * const day = new ReplayedDay({ seed: 42, scale: 1 }, '2024-01-15');
 */
export class ReplayedDay implements ClickEventSource {
  private readonly events: ClickEvent[];
  private position = 0;

  constructor(options: SimulationOptions, date: string) {
    // NOTE: open-ended like source_files, so the day's events are the same as its extract's.
    const open = { ...options, days: null };
    const simulator = new ShopflowSimulator(open, 'stream produce --day');
    const world = new ShopflowWorld(resolveSimulationOptions(open, 'stream produce --day'));
    this.events = simulator.day(date).clickstream.map((e) => {
      const eventTime = Date.parse(e.timestamp);
      return {
        eventId: e.event_id,
        eventType: e.event_type,
        sessionId: e.session_id,
        anonymousId: `d-${e.session_id}`,
        customerId: e.customer_id,
        productId: e.product_id,
        price:
          e.product_id === null ? null : world.products.priceCentsAt(e.product_id, eventTime / 1000) / 100,
        page: e.page,
        eventTime,
        sentTime: eventTime,
      };
    });
  }

  /** Events of the day. */
  get size(): number {
    return this.events.length;
  }

  get exhausted(): boolean {
    return this.position >= this.events.length;
  }

  next(_until: number, max: number): ClickEvent[] {
    const out = this.events.slice(this.position, this.position + max);
    this.position += out.length;
    return out;
  }
}
