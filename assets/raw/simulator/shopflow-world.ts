import { CustomerHistories } from './customer-histories.js';
import { ProductCatalog } from './product-catalog.js';
import { SimulationCalendar } from './shopflow-calendar.js';
import type { ResolvedSimulationOptions } from './simulator-options.js';
import { formatIsoDate, SECONDS_PER_DAY } from './utc-time.js';

/**
 * The cumulative state of a simulation, built from the options alone: the calendar (how many
 * entities exist when), the customer change index and the product price index. Each is built period
 * by period, the first time a day of the period is asked for (one cheap numeric pass over the
 * customer and product ids per period); every day is then generated from it and `(seed, day)`.
 *
 * @example
 * const world = new ShopflowWorld(resolveSimulationOptions({ scale: 0.1 }, 'example'));
 * world.isoDate(0); // '2024-01-01'
 */
export class ShopflowWorld {
  readonly calendar: SimulationCalendar;
  readonly customers: CustomerHistories;
  readonly products: ProductCatalog;
  private readonly isoDates: string[] = [];

  constructor(readonly options: ResolvedSimulationOptions) {
    this.calendar = new SimulationCalendar(options);
    this.customers = new CustomerHistories(options, this.calendar);
    this.products = new ProductCatalog(options, this.calendar);
  }

  /** `YYYY-MM-DD` of simulated day `day` (0-based). */
  isoDate(day: number): string {
    let date = this.isoDates[day];
    if (date === undefined) {
      date = formatIsoDate(this.dayStart(day));
      this.isoDates[day] = date;
    }
    return date;
  }

  /** Epoch seconds of midnight UTC of simulated day `day`. */
  dayStart(day: number): number {
    return this.options.startEpochSeconds + day * SECONDS_PER_DAY;
  }
}
