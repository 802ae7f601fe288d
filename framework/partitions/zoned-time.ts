import { ShopflowError } from '../errors/error-catalog.js';
import { dayFromFields, formatCalendarDay, parseCalendarDay } from './calendar-day.js';

/**
 * Wall-clock arithmetic in IANA time zones with nothing but `Intl.DateTimeFormat`: the offset of a
 * zone at an instant, the calendar date of an instant in a zone, and the instant a calendar date
 * starts in a zone (across DST changes, including zones whose clocks skip midnight).
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();
// NOTE: the start of a day in a zone never changes, and planners ask for the same days many times.
const midnights = new Map<string, Map<number, number>>();
const MAX_MEMO_PER_ZONE = 200_000;
const canonicalNames = new Map<string, string | undefined>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Wall-clock fields of `ms` in `timeZone`, as if that wall clock were UTC (seconds precision). */
function wallClockMs(ms: number, timeZone: string): number {
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of formatterFor(timeZone).formatToParts(ms)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
    }
  }
  return dayFromFields(year, month, day) * DAY_MS + hour * 3_600_000 + minute * 60_000 + second * 1000;
}

function offsetAt(ms: number, timeZone: string): number {
  const wholeSecond = Math.floor(ms / 1000) * 1000;
  return wallClockMs(wholeSecond, timeZone) - wholeSecond;
}

/**
 * The canonical name of an IANA time zone (`europe/berlin` → `Europe/Berlin`), or undefined when
 * the runtime does not know it.
 *
 * @example
 * canonicalTimeZone('utc'); // 'UTC'
 */
export function canonicalTimeZone(timeZone: string): string | undefined {
  if (canonicalNames.has(timeZone)) return canonicalNames.get(timeZone);
  let canonical: string | undefined;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    canonical = undefined;
  }
  // NOTE: building a formatter costs ~50 µs; definitions are created by the thousand in tests and plans.
  if (canonicalNames.size < 1000) canonicalNames.set(timeZone, canonical);
  return canonical;
}

/** Every time zone name the runtime knows (for "did you mean" hints). */
export function knownTimeZones(): string[] {
  return ['UTC', ...Intl.supportedValuesOf('timeZone')];
}

function requireTimeZone(timeZone: string): string {
  const canonical = canonicalTimeZone(timeZone);
  if (canonical === undefined) {
    throw new ShopflowError('SF_INPUT_INVALID', `\`${timeZone}\` is not an IANA time zone`, {
      hint: 'use a name such as `UTC`, `Europe/Berlin` or `America/New_York`',
    });
  }
  return canonical;
}

/**
 * The offset of `timeZone` from UTC at `instant`, in milliseconds (positive east of Greenwich).
 *
 * @example
 * zoneOffsetMs(new Date('2024-07-01T00:00:00Z'), 'Europe/Berlin'); // 7_200_000
 */
export function zoneOffsetMs(instant: Date, timeZone: string): number {
  return offsetAt(instant.getTime(), requireTimeZone(timeZone));
}

/** Day number (see `calendar-day.ts`) of the calendar date of `ms` in a valid, canonical zone. */
export function dayNumberInZone(ms: number, timeZone: string): number {
  return Math.floor((ms + offsetAt(ms, timeZone)) / DAY_MS);
}

/**
 * First instant (ms) of calendar day `dayNumber` in a valid, canonical zone: local midnight, or
 * when the clocks skip midnight that day, the moment they jump.
 */
export function dayStartInZone(dayNumber: number, timeZone: string): number {
  let memo = midnights.get(timeZone);
  if (!memo) {
    memo = new Map();
    midnights.set(timeZone, memo);
  }
  const known = memo.get(dayNumber);
  if (known !== undefined) return known;
  if (memo.size >= MAX_MEMO_PER_ZONE) memo.clear();
  const start = computeDayStart(dayNumber, timeZone);
  memo.set(dayNumber, start);
  return start;
}

function computeDayStart(dayNumber: number, timeZone: string): number {
  const wall = dayNumber * DAY_MS;
  // NOTE: real zones change their offset at most once within a day of midnight, so the offsets a
  // day before and a day after are the only candidates.
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  let earliest: number | undefined;
  for (const offset of before === after ? [before] : [before, after]) {
    const candidate = wall - offset;
    if (
      candidate + offsetAt(candidate, timeZone) === wall &&
      (earliest === undefined || candidate < earliest)
    ) {
      earliest = candidate;
    }
  }
  if (earliest !== undefined) return earliest;
  // NOTE: midnight does not exist (clocks jump from 23:59:59 to 01:00); the day starts at the
  // jump, which lies between the two candidates. Transitions happen on whole seconds.
  let low = Math.floor((wall - after) / 1000);
  let high = Math.ceil((wall - before) / 1000);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (middle * 1000 + offsetAt(middle * 1000, timeZone) >= wall) high = middle;
    else low = middle;
  }
  return high * 1000;
}

/**
 * The instant `date` (`YYYY-MM-DD`) starts in `timeZone`: local midnight, or the first instant of
 * the day when the clocks skip midnight.
 *
 * @example
 * zonedMidnight('2024-03-31', 'Europe/Berlin').toISOString(); // '2024-03-30T23:00:00.000Z'
 * zonedMidnight('2024-04-01', 'Europe/Berlin').toISOString(); // '2024-03-31T22:00:00.000Z' (23 h later)
 */
export function zonedMidnight(date: string, timeZone: string): Date {
  const dayNumber = parseCalendarDay(date);
  if (dayNumber === undefined) {
    throw new ShopflowError(
      'SF_INPUT_INVALID',
      `\`${date}\` is not a calendar date in the format YYYY-MM-DD`,
    );
  }
  return new Date(dayStartInZone(dayNumber, requireTimeZone(timeZone)));
}

/**
 * The calendar date (`YYYY-MM-DD`) of `instant` in `timeZone`.
 *
 * @example
 * dateInZone(new Date('2024-01-01T23:30:00Z'), 'Europe/Berlin'); // '2024-01-02'
 */
export function dateInZone(instant: Date, timeZone: string): string {
  return formatCalendarDay(dayNumberInZone(instant.getTime(), requireTimeZone(timeZone)));
}
