import { RandomStream, SeededRandom } from './seeded-random.js';
import { HOURLY_TRAFFIC } from './shopflow-vocabulary.js';
import type { ResolvedSimulationOptions } from './simulator-options.js';
import { SECONDS_PER_DAY } from './utc-time.js';

const BASE_CUSTOMERS = 1_000;
const BASE_PRODUCTS = 500;
const BASE_TRANSACTIONS = 5_000;
/** Share of customers who registered before the first simulated day. */
const PRE_START_CUSTOMER_SHARE = 0.3;
/** Share of products that exist on the first simulated day. */
const INITIAL_PRODUCT_SHARE = 0.85;
// NOTE: the first period ramps registrations up by half and sales by 30 % from its first to its
// last day; later periods continue at about the rate the first one ended with.
const LATER_REGISTRATION_FACTOR = 1.2;
const LATER_SALES_FACTOR = 1.15;

/**
 * Days in a simulated period. The business is simulated period by period from the epoch (the
 * `start` option): period 0 holds the exercise's sizes (1,000 customers, 500 products, 5,000
 * transactions at scale 1); every later period adds new customers, products and sales at the rate
 * the first one ended with. A period's draws come from `(seed, period)`, so what a day holds never
 * depends on how many days are generated.
 */
export const PERIOD_DAYS = 90;

/** Days between full snapshots of customers and products after the first period. */
export const SNAPSHOT_EVERY_DAYS = 30;

/**
 * Whether simulated day `day` starts with a full snapshot of customers and products (every entity
 * that exists at its midnight, in its version current then): day 0, and every
 * {@link SNAPSHOT_EVERY_DAYS} days from {@link PERIOD_DAYS} on. A range of days that starts on a
 * snapshot day is complete: every entity its transactions and clicks name was delivered in it.
 *
 * @example
 * isSnapshotDay(0); // true
 * isSnapshotDay(30); // false (the first period has one snapshot)
 * isSnapshotDay(120); // true
 */
export function isSnapshotDay(day: number): boolean {
  return day === 0 || (day >= PERIOD_DAYS && day % SNAPSHOT_EVERY_DAYS === 0);
}

/** The last snapshot day on or before `day` (≥ 0). */
export function snapshotDayAtOrBefore(day: number): number {
  if (day < PERIOD_DAYS) return 0;
  return day - (day % SNAPSHOT_EVERY_DAYS);
}

/** The period of simulated day `day`. */
export function periodOf(day: number): number {
  return Math.floor(day / PERIOD_DAYS);
}

/** The first day after the period of `day` (late deliveries never cross it). */
export function periodEndOf(day: number): number {
  return (periodOf(day) + 1) * PERIOD_DAYS;
}

/**
 * Splits `total` into integer shares proportional to `weights` (largest remainder, ties to the
 * earlier slot), giving every slot at least `minEach` when the total allows it.
 */
export function allocate(total: number, weights: readonly number[], minEach = 0): number[] {
  const floor = total >= minEach * weights.length ? minEach : 0;
  const shares = weights.map(() => floor);
  const rest = total - floor * weights.length;
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  if (rest <= 0 || weightSum <= 0) return shares;
  const exact = weights.map((w) => (rest * w) / weightSum);
  let given = 0;
  exact.forEach((value, i) => {
    shares[i] += Math.floor(value);
    given += Math.floor(value);
  });
  const order = exact
    .map((value, i) => ({ i, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (let k = 0; k < rest - given; k++) shares[order[k].i] += 1;
  return shares;
}

/** Day of week of simulated day `day` (0 = Sunday). */
export function weekday(options: ResolvedSimulationOptions, day: number): number {
  return (Math.floor(options.startEpochSeconds / SECONDS_PER_DAY) + day + 4) % 7;
}

/**
 * How many entities exist when: the cumulative state every day's generation needs. Ids are dense
 * and given in order of appearance, so "the customers that exist before day d" is simply ids
 * `1..customersBefore(d)`. Periods are drawn when a day of theirs is first asked for, in O(days)
 * each, and kept.
 *
 * @example
 * const calendar = new SimulationCalendar(resolveSimulationOptions({}, 'example'));
 * calendar.customersBefore(90); // 1000
 */
export class SimulationCalendar {
  /** Customers of one period at this scale (period 0: pre-start ones included). */
  readonly customersPerPeriod: number;
  readonly productsPerPeriod: number;
  readonly transactionsPerPeriod: number;
  /** Customers registered before day 0 (ids `1..preStartCustomers`). */
  readonly preStartCustomers: number;
  /** Products that exist at the start of day 0 (ids `1..initialProducts`). */
  readonly initialProducts: number;
  // NOTE: prefix sums over every day drawn so far; entry d is the count before day d.
  private readonly customers: number[];
  private readonly products: number[];
  private readonly transactions: number[];
  private periods = 0;

  constructor(private readonly options: ResolvedSimulationOptions) {
    const { scale } = options;
    this.customersPerPeriod = Math.max(1, Math.round(BASE_CUSTOMERS * scale));
    this.productsPerPeriod = Math.max(1, Math.round(BASE_PRODUCTS * scale));
    this.transactionsPerPeriod = Math.round(BASE_TRANSACTIONS * scale);
    this.preStartCustomers = Math.max(1, Math.round(this.customersPerPeriod * PRE_START_CUSTOMER_SHARE));
    this.initialProducts = Math.max(1, Math.round(this.productsPerPeriod * INITIAL_PRODUCT_SHARE));
    this.customers = [this.preStartCustomers];
    this.products = [this.initialProducts];
    this.transactions = [0];
  }

  /** Customers registered before day `day` (pre-start ones included). */
  customersBefore(day: number): number {
    this.ensure(day);
    return this.customers[day];
  }

  /** Products that exist at the start of day `day`. */
  productsBefore(day: number): number {
    this.ensure(day);
    return this.products[day];
  }

  /** Transactions whose timestamp is before day `day`. */
  transactionsBefore(day: number): number {
    this.ensure(day);
    return this.transactions[day];
  }

  /** The day customer `id` registers on (negative ids … pre-start: day 0 is returned). */
  customerDay(id: number): number {
    return this.dayOfId(this.customers, id);
  }

  /** The day product `id` appears on (0 for the initial catalogue). */
  productDay(id: number): number {
    return this.dayOfId(this.products, id);
  }

  /** How the transactions of day `day` spread over its 24 UTC hours; drawn from `(seed, day)` only. */
  hourlyTransactionCounts(day: number): number[] {
    const random = new SeededRandom(this.options.seed, RandomStream.transactionHours, day);
    const weights = HOURLY_TRAFFIC.map((w) => w * (0.85 + 0.3 * random.float()));
    return allocate(this.transactionsBefore(day + 1) - this.transactionsBefore(day), weights);
  }

  /** Draws every period up to the one holding day `day` (and the day after it). */
  private ensure(day: number): void {
    while (this.customers.length <= day + 1) this.drawPeriod(this.periods++);
  }

  /** The day on which entity `id` appears, given a prefix array (binary search; draws more periods as needed). */
  private dayOfId(before: number[], id: number): number {
    while (before[before.length - 1] < id) this.drawPeriod(this.periods++);
    let lo = 0;
    let hi = before.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (before[mid] < id) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private drawPeriod(period: number): void {
    const days = PERIOD_DAYS;
    const first = period * days;
    // NOTE: period 0 draws from the stream without a period coordinate, in this order, so its days
    // are those of the 90-day simulation the exercise's figures come from.
    const random =
      period === 0
        ? new SeededRandom(this.options.seed, RandomStream.calendar)
        : new SeededRandom(this.options.seed, RandomStream.calendar, period);
    const ramp = period === 0;
    const newCustomers = ramp
      ? this.customersPerPeriod - this.preStartCustomers
      : Math.round((this.customersPerPeriod - this.preStartCustomers) * LATER_REGISTRATION_FACTOR);
    const customerWeights = Array.from(
      { length: days },
      (_, d) => (ramp ? 1 + (0.5 * d) / days : 1) * (0.7 + 0.6 * random.float()),
    );
    const newProducts = this.productsPerPeriod - this.initialProducts;
    const productWeights = Array.from({ length: days }, (_, d) =>
      ramp && d === 0 ? 0 : 0.5 + random.float(),
    );
    const sales = ramp
      ? this.transactionsPerPeriod
      : Math.round(this.transactionsPerPeriod * LATER_SALES_FACTOR);
    const transactionWeights = Array.from({ length: days }, (_, d) => {
      const dow = weekday(this.options, first + d);
      const weekly = dow === 0 || dow === 6 ? 1.25 : dow === 5 ? 1.1 : 1;
      return (ramp ? 1 + (0.3 * d) / days : 1) * weekly * (0.85 + 0.3 * random.float());
    });
    appendSums(this.customers, allocate(newCustomers, customerWeights, 1));
    appendSums(this.products, allocate(newProducts, productWeights));
    appendSums(this.transactions, allocate(sales, transactionWeights));
  }
}

function appendSums(sums: number[], counts: readonly number[]): void {
  for (const count of counts) sums.push(sums[sums.length - 1] + count);
}
