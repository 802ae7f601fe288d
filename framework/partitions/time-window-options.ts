import { didYouMean } from '../errors/did-you-mean.js';
import { ShopflowError } from '../errors/error-catalog.js';
import {
  explainInvalidCalendarDay,
  formatCalendarDay,
  parseCalendarDay,
  parseLooseCalendarDay,
} from './calendar-day.js';
import type { PartitionsBindContext } from './partitions-definition.js';
import { type CadenceArithmetic, cadenceArithmetic, type TimeWindowCadence } from './time-window-cadence.js';
import { canonicalTimeZone, knownTimeZones } from './zoned-time.js';

/** Options shared by {@link daily}, {@link weekly} and {@link monthly}. */
export interface TimeWindowOptions {
  /** First window's start date, `YYYY-MM-DD`, aligned to the cadence (a week start, the 1st of a month). */
  start: string;
  /** IANA time zone the windows are cut in. Default `UTC`. */
  timezone?: string;
  /**
   * Windows to add after the last one that has ended: 0 (default) lists only ended windows, 1 adds
   * the current, still open window; negative values hold back recently ended windows.
   */
  endOffset?: number;
  /**
   * `YYYY-MM-DD`: the clock stops at midnight of this date (in `timezone`): only windows that have
   * ended by then are listed, shifted by `endOffset` as at any other `now` (1 adds the window still
   * open at the end). For a fixed historical range, e.g. a simulated business quarter.
   */
  end?: string;
  /**
   * Bounds from the configuration: when a runtime opens the definitions (`bindDefinitions`), the
   * definition it uses has the `start` and `end` this returns instead (each falls back to the one
   * above when absent). The definition itself, outside a runtime, keeps `start` and `end`.
   */
  configure?: (context: PartitionsBindContext) => { start?: string; end?: string };
}

/** Options of {@link weekly}. */
export interface WeeklyOptions extends TimeWindowOptions {
  /** Day a week starts on: 0 = Sunday … 6 = Saturday. Default 1 (Monday). */
  weekStartsOn?: number;
}

/** Checked options of a time-window definition, with the arithmetic of its cadence. */
export interface ResolvedTimeWindowOptions {
  arithmetic: CadenceArithmetic;
  /** Canonical IANA name. */
  timezone: string;
  endOffset: number;
  /** Window index of `start`. */
  startIndex: number;
  /** Weekly only. */
  weekStartsOn?: number;
}

/**
 * Checks the options of a `cadence` definition; throws `SF_INVALID_ASSET` naming the bad value and
 * the fix (for a misaligned start: the nearest aligned dates).
 *
 * @example
 * resolveTimeWindowOptions('weekly', { start: '2024-01-03' }); // throws: … use the nearest aligned date `2024-01-01` …
 */
export function resolveTimeWindowOptions(
  cadence: TimeWindowCadence,
  options: WeeklyOptions,
): ResolvedTimeWindowOptions {
  const weekStartsOn = cadence === 'weekly' ? checkWeekStartsOn(options.weekStartsOn ?? 1) : undefined;
  const arithmetic = cadenceArithmetic(cadence, weekStartsOn);
  return {
    arithmetic,
    timezone: checkTimeZone(cadence, options.timezone ?? 'UTC'),
    endOffset: checkEndOffset(cadence, options.endOffset ?? 0),
    startIndex: checkStart(arithmetic, options.start),
    weekStartsOn,
  };
}

function checkTimeZone(cadence: TimeWindowCadence, timezone: string): string {
  const canonical = typeof timezone === 'string' ? canonicalTimeZone(timezone) : undefined;
  if (canonical !== undefined) return canonical;
  throw new ShopflowError(
    'SF_INVALID_ASSET',
    `${cadence} partitions timezone \`${timezone}\` is not an IANA time zone`,
    {
      hint:
        didYouMean(String(timezone), knownTimeZones()) ??
        'use a name such as `UTC`, `Europe/Berlin` or `America/New_York`',
    },
  );
}

function checkWeekStartsOn(weekStartsOn: number): number {
  if (Number.isInteger(weekStartsOn) && weekStartsOn >= 0 && weekStartsOn <= 6) return weekStartsOn;
  throw new ShopflowError(
    'SF_INVALID_ASSET',
    `weekly partitions weekStartsOn \`${weekStartsOn}\` is not a weekday`,
    {
      hint: 'use 0 (Sunday) to 6 (Saturday); 1 (Monday) is the default',
    },
  );
}

function checkEndOffset(cadence: TimeWindowCadence, endOffset: number): number {
  if (Number.isSafeInteger(endOffset)) return endOffset;
  throw new ShopflowError(
    'SF_INVALID_ASSET',
    `${cadence} partitions endOffset \`${endOffset}\` is not an integer`,
    {
      hint: 'use 0 (only ended windows, the default) or 1 (also the current window)',
    },
  );
}

/** Index of the first window; throws when `start` is not an aligned `YYYY-MM-DD` date. */
function checkStart(arithmetic: CadenceArithmetic, start: string): number {
  const { cadence } = arithmetic;
  const day = typeof start === 'string' ? parseCalendarDay(start) : undefined;
  if (day === undefined) {
    const text = String(start);
    const detail = explainInvalidCalendarDay(text);
    const loose = parseLooseCalendarDay(text);
    throw new ShopflowError(
      'SF_INVALID_ASSET',
      `${cadence} partitions start \`${text}\` is not a date in the format YYYY-MM-DD${detail ? ` (${detail})` : ''}`,
      { hint: loose === undefined ? 'write it like `2024-01-01`' : alignedDatesHint(arithmetic, loose) },
    );
  }
  const index = arithmetic.indexOfDay(day);
  if (arithmetic.startDay(index) !== day) {
    throw new ShopflowError(
      'SF_INVALID_ASSET',
      `${cadence} partitions start \`${start}\` is not aligned: ${arithmetic.misalignment(day)} and ${arithmetic.alignmentRule}`,
      { hint: alignedDatesHint(arithmetic, day) },
    );
  }
  return index;
}

/** "use `<nearest aligned date>`", naming the aligned date on the other side too. */
function alignedDatesHint(arithmetic: CadenceArithmetic, day: number): string {
  const index = arithmetic.indexOfDay(day);
  const before = arithmetic.startDay(index);
  if (before === day) return `use \`${formatCalendarDay(day)}\``;
  const after = arithmetic.startDay(index + 1);
  const [nearest, other] = day - before <= after - day ? [before, after] : [after, before];
  return `use the nearest aligned date \`${formatCalendarDay(nearest)}\` (or \`${formatCalendarDay(other)}\`)`;
}
