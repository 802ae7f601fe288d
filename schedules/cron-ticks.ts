import { type CronExpression, CronExpressionParser } from 'cron-parser';
import { ShopflowError } from '../framework/index.js';

// NOTE: windows tried, smallest first, when looking for the newest tick before an instant; a window
// is only widened when the smaller one held no tick, so the ticks walked stay few for any cron.
const LATEST_WINDOWS_MS = [60_000, 3_600_000, 86_400_000, 32 * 86_400_000, 367 * 86_400_000];

// NOTE: `cron-parser` walks wall-clock time, so where it starts matters near a daylight saving
// change: started inside a repeated hour it finds the second 02:30 that a walk from before skips.
// Walks that do not start at a tick already in the sequence start at least this far from a change.
const DST_MARGIN_MS = 3 * 3_600_000;

/** The UTC offset of `timezone` at `ms`, as `GMT+02:00`. */
function offsetName(ms: number, timezone: string): string {
  return (
    new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' })
      .formatToParts(ms)
      .find((part) => part.type === 'timeZoneName')?.value ?? ''
  );
}

/** Whether the runtime knows `timezone` as an IANA zone. */
function knownZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The ticks of a cron expression in a time zone, always computed forward (`cron-parser`'s `next`),
 * so every caller sees the same instants across daylight saving changes:
 *
 * - a wall-clock time that does not exist (clocks spring forward over it) fires once, shifted
 *   forward by the gap: `30 2 * * *` in Europe/Berlin fires at 03:30 CEST on 2024-03-31;
 * - a wall-clock time that exists twice (clocks fall back) fires once, at its first occurrence:
 *   `30 2 * * *` fires at 02:30 CEST (00:30 UTC) on 2024-10-27, not again at 02:30 CET;
 * - expressions that fire every hour or more often fire at every real instant they match, so
 *   `0 * * * *` fires at both 02:00 CEST and 02:00 CET on 2024-10-27.
 *
 * @example
 * const ticks = new CronTicks('0 2 * * *', 'Europe/Berlin', 'schedule `nightly`');
 * ticks.next(new Date('2024-03-30T12:00:00Z')); // 2024-03-31T01:00:00.000Z (03:00 CEST)
 */
export class CronTicks {
  constructor(
    readonly expression: string,
    readonly timezone: string,
    /** Where the expression came from, for error messages (e.g. "schedule `nightly`"). */
    readonly source: string,
  ) {
    if (!knownZone(timezone)) {
      throw new ShopflowError(
        'SF_INVALID_SCHEDULE',
        `${source} has the time zone \`${timezone}\`, which is not an IANA time zone`,
        { hint: 'use a name such as `UTC`, `Europe/Berlin` or `America/New_York`' },
      );
    }
    try {
      this.iterator(new Date(0));
    } catch (error) {
      throw new ShopflowError(
        'SF_INVALID_SCHEDULE',
        `${source} has the cron expression \`${expression}\`, which cannot be parsed: ${(error as Error).message}`,
        {
          hint: 'use five fields `minute hour day-of-month month day-of-week` (or six with seconds first), e.g. `0 2 * * *`',
          cause: error,
        },
      );
    }
  }

  private iterator(currentDate: Date): CronExpression {
    return CronExpressionParser.parse(this.expression, { currentDate, tz: this.timezone, strict: false });
  }

  /** The first tick strictly after `after`. */
  next(after: Date): Date {
    return this.iterator(after).next().toDate();
  }

  /** The first `count` ticks strictly after `after`. */
  nextTicks(after: Date, count: number): Date[] {
    const iterator = this.iterator(after);
    return Array.from({ length: count }, () => iterator.next().toDate());
  }

  /**
   * Ticks in `(after, through]`, oldest first, at most `limit`; `more` tells whether ticks after the
   * last one returned are still due.
   */
  between(after: Date, through: Date, limit: number): { ticks: Date[]; more: boolean } {
    const iterator = this.iterator(after);
    const ticks: Date[] = [];
    const end = through.getTime();
    for (;;) {
      const tick = iterator.next().toDate();
      if (tick.getTime() > end) return { ticks, more: false };
      if (ticks.length === limit) return { ticks, more: true };
      ticks.push(tick);
    }
  }

  /**
   * `ms`, or an earlier instant when `ms` lies within {@link DST_MARGIN_MS} of an offset change, so
   * a walk from it finds the same ticks as the walk from `floor` (never earlier than `floor`).
   */
  private safeStart(ms: number, floor: number): number {
    const near = (t: number) =>
      offsetName(t - DST_MARGIN_MS, this.timezone) !== offsetName(t + DST_MARGIN_MS, this.timezone);
    const start = near(ms) ? ms - 2 * DST_MARGIN_MS : ms;
    return Math.max(start, floor);
  }

  /**
   * The newest tick in `(after, through]` of the sequence walked from `after`, or null when there
   * is none.
   */
  latest(after: Date, through: Date): Date | null {
    const floor = after.getTime();
    for (const window of [...LATEST_WINDOWS_MS, Number.POSITIVE_INFINITY]) {
      const start = this.safeStart(Math.max(floor, through.getTime() - window), floor);
      const iterator = this.iterator(new Date(start));
      let latest: Date | null = null;
      for (;;) {
        const tick = iterator.next().toDate();
        if (tick.getTime() > through.getTime()) break;
        latest = tick;
      }
      if (latest || start === floor) return latest;
    }
    return null;
  }

  /**
   * The tick before `tick` in the forward sequence: the newest tick strictly before it, or null
   * when there is none within a year.
   */
  previous(tick: Date): Date | null {
    return this.latest(new Date(tick.getTime() - 367 * 86_400_000), new Date(tick.getTime() - 1));
  }
}
