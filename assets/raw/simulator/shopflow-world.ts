import { CustomerHistories } from './customer-histories.js';
import { ProductCatalog } from './product-catalog.js';
import { ShopflowTimeline } from './shopflow-timeline.js';
import type { ResolvedSimulationOptions } from './simulator-options.js';

/**
 * The cumulative state of a simulation, built from the options alone: the timeline (calendar and
 * dates), the customer change index and the product price index. Each is built period by period,
 * the first time a day of the period is asked for (one cheap numeric pass over the customer and
 * product ids per period); every day is then generated from it and `(seed, day)`.
 *
 * @example
 * const world = new ShopflowWorld(resolveSimulationOptions({ scale: 0.1 }, 'example'));
 * world.isoDate(0); // '2024-01-01'
 */
export class ShopflowWorld extends ShopflowTimeline {
  readonly customers: CustomerHistories;
  readonly products: ProductCatalog;

  constructor(options: ResolvedSimulationOptions) {
    super(options);
    this.customers = new CustomerHistories(options, this.calendar);
    this.products = new ProductCatalog(options, this.calendar);
  }
}
