/**
 * Calendar dates as integer day numbers (days since 1970-01-01 in the proleptic Gregorian
 * calendar), independent of any time zone. Pure integer arithmetic: no `Date`, so years below 100
 * are not shifted into the 1900s and nothing depends on the machine's zone.
 *
 * @example
 * const day = parseCalendarDay('2024-02-29'); // 19782
 * formatCalendarDay(day + 1); // '2024-03-01'
 */

const KEY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

// NOTE: the planner formats the same few thousand days over and over; reusing the strings keeps
// `keys()` for many definitions cheap.
const formatted = new Map<number, string>();

/** A calendar date split into its fields; `month` is 1-12. */
export interface CalendarFields {
  year: number;
  month: number;
  day: number;
}

/** The day number of a calendar date (fields are not range-checked). */
export function dayFromFields(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** The calendar fields of a day number. */
export function fieldsFromDay(dayNumber: number): CalendarFields {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** `YYYY-MM-DD` for a day number. */
export function formatCalendarDay(dayNumber: number): string {
  let text = formatted.get(dayNumber);
  if (text === undefined) {
    const { year, month, day } = fieldsFromDay(dayNumber);
    text = `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
    formatted.set(dayNumber, text);
  }
  return text;
}

/** The day number of a strict `YYYY-MM-DD` date, or undefined when it is not one (e.g. `2023-02-29`). */
export function parseCalendarDay(text: string): number | undefined {
  const match = KEY_PATTERN.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return dayFromFields(year, month, day);
}

/**
 * Reads a date written loosely (`2024-1-5`, `2024/01/05`, `20240105`, `2024-02-30`, a month alone
 * as `2024-11`) for error hints: the day is clamped into its month, a month alone is its first day.
 * Undefined when no year, month and day can be read.
 */
export function parseLooseCalendarDay(text: string): number | undefined {
  // NOTE: without separators the month and day take two digits each, so `2024-11` is November,
  // not January 1st.
  const match = /^\s*(\d{4})(?:[-/._ ](\d{1,2})(?:[-/._ ](\d{1,2}))?|(\d{2})(\d{2}))\s*$/.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2] ?? match[4]);
  const day = Number(match[3] ?? match[5] ?? 1);
  if (year < 1 || month < 1 || month > 12 || day < 1) return undefined;
  return dayFromFields(year, month, Math.min(day, daysInMonth(year, month)));
}

/** Why a `YYYY-MM-DD`-shaped text is not a calendar date, e.g. `February 2023 has 28 days`. */
export function explainInvalidCalendarDay(text: string): string | undefined {
  const match = KEY_PATTERN.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  if (year < 1) return 'years start at 0001';
  if (month < 1 || month > 12) return `month ${match[2]} does not exist`;
  return `${MONTH_NAMES[month - 1]} ${match[1]} has ${daysInMonth(year, month)} days`;
}

/** Day of the week of a day number: 0 = Sunday … 6 = Saturday. */
export function weekdayOf(dayNumber: number): number {
  // NOTE: 1970-01-01 was a Thursday.
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/** English name of a weekday number (0 = Sunday). */
export function weekdayName(weekday: number): string {
  return WEEKDAY_NAMES[weekday];
}
