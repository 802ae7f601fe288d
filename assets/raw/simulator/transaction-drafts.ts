import { pickCustomerId, pickProductId } from './popularity.js';
import { RandomStream, SeededRandom } from './seeded-random.js';
import { periodEndOf } from './shopflow-calendar.js';
import type { ShopflowTimeline } from './shopflow-timeline.js';
import { PAYMENT_METHOD_WEIGHTS, type PaymentMethod, QUANTITIES } from './shopflow-vocabulary.js';

/** Share of transactions the source system delivers 1–3 days late. */
export const LATE_ARRIVAL_SHARE = 0.02;

/** A transaction as it happened, before any defect is injected into its row. */
export interface TransactionDraft {
  id: number;
  customerId: number;
  productId: number;
  quantity: number;
  /** Simulated day of the timestamp. */
  day: number;
  secondOfDay: number;
  paymentMethod: PaymentMethod;
  /** Simulated day on which the row is delivered (`day`, or 1–3 days later within the same period). */
  deliveryDay: number;
}

/** The transactions that happened in one UTC hour, in timestamp order. */
export interface TransactionHour {
  hour: number;
  drafts: TransactionDraft[];
}

/**
 * The transactions whose timestamp falls on `day`, hour by hour (so a day is never held whole).
 * Each hour's draws come from `(seed, day, hour)`; ids are dense and follow timestamp order.
 * Customers are chosen among those registered before the day, products among those that exist at
 * its start. Drafts carry no price (transactionRows looks it up), so the clickstream, which only
 * needs who bought what when, drafts them from the timeline alone.
 *
 * @example
 * for (const { hour, drafts } of transactionHoursOfDay(world, 0)) console.log(hour, drafts.length);
 */
export function* transactionHoursOfDay(world: ShopflowTimeline, day: number): Generator<TransactionHour> {
  const { options, calendar } = world;
  const counts = calendar.hourlyTransactionCounts(day);
  const customerCount = calendar.customersBefore(day);
  const productCount = calendar.productsBefore(day);
  const periodEnd = periodEndOf(day);
  let nextId = calendar.transactionsBefore(day) + 1;
  for (let hour = 0; hour < 24; hour++) {
    const random = new SeededRandom(options.seed, RandomStream.transactions, day, hour);
    const seconds = new Int32Array(counts[hour]);
    for (let k = 0; k < seconds.length; k++) seconds[k] = hour * 3600 + random.int(0, 3599);
    seconds.sort();
    const drafts: TransactionDraft[] = [];
    for (const secondOfDay of seconds) {
      const customerId = pickCustomerId(random, customerCount);
      const productId = pickProductId(random, productCount);
      const quantity = random.weighted(QUANTITIES);
      const paymentMethod = random.weighted(PAYMENT_METHOD_WEIGHTS);
      const late = random.chance(LATE_ARRIVAL_SHARE);
      const delay = random.int(1, 3);
      drafts.push({
        id: nextId++,
        customerId,
        productId,
        quantity,
        day,
        secondOfDay,
        paymentMethod,
        deliveryDay: late && day + delay < periodEnd ? day + delay : day,
      });
    }
    yield { hour, drafts };
  }
}
