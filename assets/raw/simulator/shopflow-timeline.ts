import { SimulationCalendar } from './shopflow-calendar.js';
import type { ResolvedSimulationOptions } from './simulator-options.js';
import { formatIsoDate, SECONDS_PER_DAY } from './utc-time.js';

/**
 * The part of a simulation's cumulative state that transactions and the clickstream are drawn from:
 * the options, the calendar (how many entities exist when) and the dates of the days. It holds no
 * customer or product index and loads no Faker, so a worker thread that only writes the clickstream
 * builds it in microseconds.
 *
 * @example
 * const timeline = new ShopflowTimeline(resolveSimulationOptions({ scale: 0.1 }, 'example'));
 * timeline.isoDate(0); // '2024-01-01'
 */
export class ShopflowTimeline {
  readonly calendar: SimulationCalendar;
  private readonly isoDates: string[] = [];

  constructor(readonly options: ResolvedSimulationOptions) {
    this.calendar = new SimulationCalendar(options);
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
