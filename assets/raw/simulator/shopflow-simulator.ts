import { ShopflowError } from '../../../framework/errors/error-catalog.js';
import { ClickstreamDay } from './clickstream-day.js';
import { customerRowsOfDay } from './customer-day-rows.js';
import type { DefectRecord } from './defect-injection.js';
import type { EmittedRow } from './emitted-row.js';
import { productRowsOfDay } from './product-day-rows.js';
import type { ClickEvent, CustomerRow, ProductRow, TransactionRow } from './raw-file-formats.js';
import { ShopflowWorld } from './shopflow-world.js';
import {
  type ResolvedSimulationOptions,
  resolveSimulationOptions,
  type SimulationOptions,
} from './simulator-options.js';
import { transactionHoursOfDay } from './transaction-drafts.js';
import { transactionRows } from './transaction-rows.js';
import { parseIsoDate, SECONDS_PER_DAY } from './utc-time.js';

/** Latest delivery delay of a late-arriving transaction, in days. */
const MAX_DELIVERY_DELAY_DAYS = 3;

/**
 * The rows of one simulated day, exactly as they appear in the generated files: customer and
 * product versions whose `updated_at` is on the day, transactions whose `delivery_date` is the day
 * (late arrivals first, as in the file), clickstream events whose timestamp is on the day, and the
 * defects injected into those rows.
 */
export interface SimulatedDay {
  date: string;
  customers: CustomerRow[];
  products: ProductRow[];
  transactions: TransactionRow[];
  clickstream: ClickEvent[];
  defects: DefectRecord[];
}

/** How many distinct entities a simulation has (duplicates and orphans excluded). */
export interface EntityCounts {
  customers: number;
  products: number;
  transactions: number;
}

/**
 * A simulation whose days can be generated one at a time and in any order. Building it derives the
 * cumulative state (who exists when, price histories) once; each `day()` then costs only that day.
 *
 * @example
 * const simulator = new ShopflowSimulator({ scale: 0.1 });
 * simulator.day('2024-01-15').transactions.length; // ≈ 5
 */
export class ShopflowSimulator {
  readonly options: ResolvedSimulationOptions;
  private readonly world: ShopflowWorld;

  /** `caller` names the API in error messages. */
  constructor(options: SimulationOptions = {}, caller = 'ShopflowSimulator') {
    this.options = resolveSimulationOptions(options, caller);
    this.world = new ShopflowWorld(this.options);
  }

  /** Distinct customers, products and transactions of the whole range. */
  get entityCounts(): EntityCounts {
    const { customers, products, transactions } = this.world.calendar;
    return { customers, products, transactions };
  }

  /** Every simulated date, `YYYY-MM-DD`, in order. */
  get dates(): string[] {
    return Array.from({ length: this.options.days }, (_, day) => this.world.isoDate(day));
  }

  /** The rows of `date` (see {@link SimulatedDay}); throws `SF_BAD_USAGE` for a date outside the range. */
  day(date: string): SimulatedDay {
    const day = this.dayIndex(date);
    const defects: DefectRecord[] = [];
    const collect = <T>(rows: Iterable<EmittedRow<T>>, into: T[]): T[] => {
      for (const { row, defect } of rows) {
        if (defect) defects.push(defect);
        into.push(row);
      }
      return into;
    };
    const customers = collect(customerRowsOfDay(this.world, day), []);
    const products = collect(productRowsOfDay(this.world, day), []);
    const transactions: TransactionRow[] = [];
    for (let earlier = Math.max(0, day - MAX_DELIVERY_DELAY_DAYS); earlier < day; earlier++) {
      for (const { drafts } of transactionHoursOfDay(this.world, earlier)) {
        for (const draft of drafts)
          if (draft.deliveryDay === day) collect(transactionRows(this.world, draft), transactions);
      }
    }
    const clicks = new ClickstreamDay(this.world, day);
    const clickstream: ClickEvent[] = [];
    for (const { hour, drafts } of transactionHoursOfDay(this.world, day)) {
      for (const draft of drafts)
        if (draft.deliveryDay === day) collect(transactionRows(this.world, draft), transactions);
      clickstream.push(...clicks.addHour(hour, drafts));
    }
    clickstream.push(...clicks.finish());
    return { date, customers, products, transactions, clickstream, defects };
  }

  private dayIndex(date: string): number {
    const epochSeconds = typeof date === 'string' ? parseIsoDate(date) : undefined;
    const day =
      epochSeconds === undefined
        ? -1
        : Math.round((epochSeconds - this.options.startEpochSeconds) / SECONDS_PER_DAY);
    if (day < 0 || day >= this.options.days) {
      const last = this.world.isoDate(this.options.days - 1);
      throw new ShopflowError('SF_BAD_USAGE', `date ${JSON.stringify(date)} is not a simulated day`, {
        hint: `pass a YYYY-MM-DD date from ${this.options.start} to ${last} (set by the options \`start\` and \`days\`)`,
        details: { option: 'date' },
      });
    }
    return day;
  }
}

/**
 * The rows of one day of the simulation described by `options`, equal to that day's slice of the
 * files {@link generateShopflowData} writes with the same options. To generate many days, build one
 * {@link ShopflowSimulator} and call its `day` method instead.
 *
 * @example
 * const { transactions } = simulateDay({ seed: 7, scale: 0.1 }, '2024-02-01');
 */
export function simulateDay(options: SimulationOptions, date: string): SimulatedDay {
  return new ShopflowSimulator(options, 'simulateDay').day(date);
}
