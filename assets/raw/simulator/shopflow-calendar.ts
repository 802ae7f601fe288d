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

/**
 * How many entities exist when: the cumulative state every day's generation needs, derived from the
 * options alone in O(days). Ids are dense and given in order of appearance, so "the customers that
 * exist before day d" is simply ids `1..customersBefore[d]`.
 */
export interface ShopflowCalendar {
  customers: number;
  products: number;
  transactions: number;
  /** Customers registered before the start date (ids `1..preStartCustomers`). */
  preStartCustomers: number;
  /** `customersBefore[d]`: customers registered before day `d`; length `days + 1`. */
  customersBefore: readonly number[];
  /** Products that exist at the start of day 0 (ids `1..initialProducts`). */
  initialProducts: number;
  /** `productsBefore[d]`: products that exist at the start of day `d`; length `days + 1`. */
  productsBefore: readonly number[];
  /** `transactionsBefore[d]`: transactions whose timestamp is before day `d`; length `days + 1`. */
  transactionsBefore: readonly number[];
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

function prefixSums(first: number, counts: readonly number[]): number[] {
  const sums = [first];
  for (const count of counts) sums.push(sums[sums.length - 1] + count);
  return sums;
}

/** Day of week of simulated day `day` (0 = Sunday). */
export function weekday(options: ResolvedSimulationOptions, day: number): number {
  return (Math.floor(options.startEpochSeconds / SECONDS_PER_DAY) + day + 4) % 7;
}

/**
 * The calendar of a simulation (see {@link ShopflowCalendar}).
 *
 * @example
 * const calendar = buildCalendar(resolveSimulationOptions({}, 'example'));
 * calendar.customersBefore[90]; // 1000
 */
export function buildCalendar(options: ResolvedSimulationOptions): ShopflowCalendar {
  const { days, scale } = options;
  const random = new SeededRandom(options.seed, RandomStream.calendar);
  const customers = Math.max(1, Math.round(BASE_CUSTOMERS * scale));
  const products = Math.max(1, Math.round(BASE_PRODUCTS * scale));
  const transactions = Math.round(BASE_TRANSACTIONS * scale);

  const preStartCustomers = Math.max(1, Math.round(customers * PRE_START_CUSTOMER_SHARE));
  const customerWeights = Array.from(
    { length: days },
    (_, d) => (1 + (0.5 * d) / days) * (0.7 + 0.6 * random.float()),
  );
  const newCustomers = allocate(customers - preStartCustomers, customerWeights, 1);

  const initialProducts = days === 1 ? products : Math.max(1, Math.round(products * INITIAL_PRODUCT_SHARE));
  const productWeights = Array.from({ length: days }, (_, d) => (d === 0 ? 0 : 0.5 + random.float()));
  const newProducts = allocate(products - initialProducts, productWeights);

  const transactionWeights = Array.from({ length: days }, (_, d) => {
    const dow = weekday(options, d);
    const weekly = dow === 0 || dow === 6 ? 1.25 : dow === 5 ? 1.1 : 1;
    return (1 + (0.3 * d) / days) * weekly * (0.85 + 0.3 * random.float());
  });
  const dailyTransactions = allocate(transactions, transactionWeights);

  return {
    customers,
    products,
    transactions,
    preStartCustomers,
    customersBefore: prefixSums(preStartCustomers, newCustomers),
    initialProducts,
    productsBefore: prefixSums(initialProducts, newProducts),
    transactionsBefore: prefixSums(0, dailyTransactions),
  };
}

/** The day on which entity `id` appears, given a `before` prefix array (binary search). */
export function dayOfId(before: readonly number[], id: number): number {
  let lo = 0;
  let hi = before.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (before[mid] < id) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * How the transactions of one day spread over its 24 UTC hours; drawn from `(seed, day)` only.
 */
export function hourlyTransactionCounts(
  options: ResolvedSimulationOptions,
  calendar: ShopflowCalendar,
  day: number,
): number[] {
  const random = new SeededRandom(options.seed, RandomStream.transactionHours, day);
  const weights = HOURLY_TRAFFIC.map((w) => w * (0.85 + 0.3 * random.float()));
  return allocate(calendar.transactionsBefore[day + 1] - calendar.transactionsBefore[day], weights);
}
