import { ShopflowError } from '../../../framework/errors/error-catalog.js';
import type { ByteBatchTarget } from './click-line-encoder.js';
import { ClickstreamDay } from './clickstream-day.js';
import { customerRowsOfDay } from './customer-day-rows.js';
import type { DefectRecord } from './defect-injection.js';
import type { EmittedRow } from './emitted-row.js';
import { productRowsOfDay } from './product-day-rows.js';
import type { ClickEvent, CustomerRow, ProductRow, TransactionRow } from './raw-file-formats.js';
import { ShopflowWorld } from './shopflow-world.js';
import {
  MAX_DAYS,
  type ResolvedSimulationOptions,
  resolveSimulationOptions,
  type SimulationOptions,
} from './simulator-options.js';
import { type TransactionDraft, transactionHoursOfDay } from './transaction-drafts.js';
import { transactionRows } from './transaction-rows.js';
import { parseIsoDate, SECONDS_PER_DAY } from './utc-time.js';

/** Latest delivery delay of a late-arriving transaction, in days. */
export const MAX_DELIVERY_DELAY_DAYS = 3;

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

/** A {@link SimulatedDay} whose clickstream is the bytes of its clickstream.jsonl lines. */
export interface DayExtract extends Omit<SimulatedDay, 'clickstream'> {
  clickstream: { bytes: Buffer; rows: number };
}

/** Where a day's clickstream goes as it is generated hour by hour. */
interface ClickstreamOutput {
  addHour(clicks: ClickstreamDay, hour: number, drafts: readonly TransactionDraft[]): void;
  finish(clicks: ClickstreamDay): void;
}

/** Collects encoded lines in memory (one day's worth), never asking to be flushed. */
class ByteBatches implements ByteBatchTarget {
  private readonly batches: Buffer[] = [];
  rows = 0;

  pushBytes(bytes: Uint8Array, rows: number): boolean {
    this.batches.push(Buffer.from(bytes));
    this.rows += rows;
    return false;
  }

  concat(): Buffer {
    return Buffer.concat(this.batches);
  }
}

/** How many distinct entities a range of days holds (duplicates and orphans excluded). */
export interface EntityCounts {
  customers: number;
  products: number;
  transactions: number;
}

/**
 * A simulation whose days can be generated one at a time and in any order. Day D's rows depend on
 * the seed, scale, defect rate, the epoch `start` and D only — never on `days` or on which other
 * days are generated — so a day's extract never changes once produced. The cumulative state (who
 * exists when, price histories) is built once per simulated period; each `day()` then costs only
 * that day.
 *
 * @example
 * const simulator = new ShopflowSimulator({ scale: 0.1 });
 * simulator.day('2024-01-15').transactions.length; // ≈ 5
 * new ShopflowSimulator({ scale: 0.1, days: null }).day('2026-11-30'); // open-ended
 */
export class ShopflowSimulator {
  readonly options: ResolvedSimulationOptions;
  private readonly world: ShopflowWorld;

  /** `caller` names the API in error messages. */
  constructor(options: SimulationOptions = {}, caller = 'ShopflowSimulator') {
    this.options = resolveSimulationOptions(options, caller);
    this.world = new ShopflowWorld(this.options);
  }

  /**
   * Distinct customers and products that exist by the end of the range, and transactions delivered
   * in it; throws `SF_BAD_USAGE` for an open-ended range.
   */
  get entityCounts(): EntityCounts {
    const days = this.boundedDays('entityCounts');
    const { calendar } = this.world;
    let undelivered = 0;
    for (let day = Math.max(0, days - MAX_DELIVERY_DELAY_DAYS); day < days; day++) {
      for (const { drafts } of transactionHoursOfDay(this.world, day)) {
        for (const draft of drafts) if (draft.deliveryDay >= days) undelivered++;
      }
    }
    return {
      customers: calendar.customersBefore(days),
      products: calendar.productsBefore(days),
      transactions: calendar.transactionsBefore(days) - undelivered,
    };
  }

  /** Every date of the range, `YYYY-MM-DD`, in order; throws `SF_BAD_USAGE` for an open-ended range. */
  get dates(): string[] {
    return Array.from({ length: this.boundedDays('dates') }, (_, day) => this.world.isoDate(day));
  }

  /** The rows of `date` (see {@link SimulatedDay}); throws `SF_BAD_USAGE` for a date outside the range. */
  day(date: string): SimulatedDay {
    const clickstream: ClickEvent[] = [];
    const rows = this.rowsOf(date, {
      addHour: (clicks, hour, drafts) => {
        clickstream.push(...clicks.addHour(hour, drafts));
      },
      finish: (clicks) => {
        clickstream.push(...clicks.finish());
      },
    });
    // NOTE: the fields in the order they always had: a day's JSON is pinned by the tests.
    const { customers, products, transactions, defects } = rows;
    return { date: rows.date, customers, products, transactions, clickstream, defects };
  }

  /**
   * The rows of `date` as {@link day} gives them, except the clickstream: the bytes of its
   * clickstream.jsonl lines (exactly `formatClickEvent(event) + '\n'` per event) and their count.
   * Writing a day's extract this way builds no object or string per event.
   */
  extract(date: string): DayExtract {
    const lines = new ByteBatches();
    const rows = this.rowsOf(date, {
      addHour: (clicks, hour, drafts) => clicks.addHourLines(hour, drafts, lines),
      finish: (clicks) => clicks.finishLines(lines),
    });
    return { ...rows, clickstream: { bytes: lines.concat(), rows: lines.rows } };
  }

  private rowsOf(date: string, clickstream: ClickstreamOutput): Omit<SimulatedDay, 'clickstream'> {
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
    for (const { hour, drafts } of transactionHoursOfDay(this.world, day)) {
      for (const draft of drafts)
        if (draft.deliveryDay === day) collect(transactionRows(this.world, draft), transactions);
      clickstream.addHour(clicks, hour, drafts);
    }
    clickstream.finish(clicks);
    return { date, customers, products, transactions, defects };
  }

  private boundedDays(what: string): number {
    if (this.options.days !== null) return this.options.days;
    throw new ShopflowError('SF_BAD_USAGE', `${what} needs a bounded range, but option \`days\` is null`, {
      hint: 'pass `days` (e.g. 90) to bound the range, or ask for single days with `day(date)`',
      details: { option: 'days' },
    });
  }

  private dayIndex(date: string): number {
    const epochSeconds = typeof date === 'string' ? parseIsoDate(date) : undefined;
    const day =
      epochSeconds === undefined
        ? -1
        : Math.round((epochSeconds - this.options.startEpochSeconds) / SECONDS_PER_DAY);
    const days = this.options.days ?? MAX_DAYS;
    if (day < 0 || day >= days) {
      const last = this.world.isoDate(days - 1);
      const range =
        this.options.days === null
          ? `from ${this.options.start} on (up to ${last})`
          : `from ${this.options.start} to ${last} (set by the options \`start\` and \`days\`)`;
      throw new ShopflowError('SF_BAD_USAGE', `date ${JSON.stringify(date)} is not a simulated day`, {
        hint: `pass a YYYY-MM-DD date ${range}`,
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
