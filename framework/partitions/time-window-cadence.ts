import { dayFromFields, fieldsFromDay, formatCalendarDay, weekdayName, weekdayOf } from './calendar-day.js';

/** How often a time-window partition starts. */
export type TimeWindowCadence = 'daily' | 'weekly' | 'monthly';

/**
 * The calendar arithmetic of one cadence. Windows are numbered by an integer index that grows by
 * one per window; `indexOfDay` finds the window containing a calendar day and `startDay` gives the
 * day a window starts (day numbers from `calendar-day.ts`).
 *
 * @example
 * const weeks = cadenceArithmetic('weekly', 1);
 * formatCalendarDay(weeks.startDay(weeks.indexOfDay(parseCalendarDay('2024-01-10')!))); // '2024-01-08'
 */
export interface CadenceArithmetic {
  readonly cadence: TimeWindowCadence;
  indexOfDay(dayNumber: number): number;
  startDay(index: number): number;
  /** What an aligned key looks like, e.g. `weekly windows start on Monday`. */
  readonly alignmentRule: string;
  /** Why `dayNumber` is not aligned, e.g. `2024-01-10 is a Wednesday`. */
  misalignment(dayNumber: number): string;
  /** The noun for one window: `day`, `week`, `month`. */
  readonly unit: string;
  /** Keys (start dates, `YYYY-MM-DD`) of windows `from` to `to`, both included. */
  keys(from: number, to: number): string[];
  /**
   * The index of the window whose key is `key`, when `key` is one `keys()` has listed; undefined
   * otherwise (the key may still be valid: parse it).
   */
  indexOfListedKey(key: string): number | undefined;
}

type Arithmetic = Omit<CadenceArithmetic, 'keys' | 'indexOfListedKey'>;

// NOTE: keys of years outside 0001-9999 are not `YYYY-MM-DD`, so they are never valid keys.
const FIRST_KEY_DAY = dayFromFields(1, 1, 1);
const LAST_KEY_DAY = dayFromFields(9999, 12, 31);

const MAX_TABLE_SPAN = 100_000;

/**
 * Adds `keys()` backed by one shared table of formatted keys per cadence, and the reverse lookup
 * from a listed key to its index.
 */
function withKeyTable(arithmetic: Arithmetic): CadenceArithmetic {
  // NOTE: the planner lists the keys of thousands of definitions over and over; slicing one shared
  // table of strings is an order of magnitude faster than formatting dates each time. It then maps
  // every key it listed back to its window hundreds of thousands of times: a lookup in the table's
  // reverse index replaces parsing the date.
  let base = 0;
  let table: string[] = [];
  const indexes = new Map<string, number>();
  const build = (from: number, to: number, inTable: boolean) => {
    const keys: string[] = [];
    for (let index = from; index <= to; index++) {
      const day = arithmetic.startDay(index);
      const key = formatCalendarDay(day);
      keys.push(key);
      if (inTable && day >= FIRST_KEY_DAY && day <= LAST_KEY_DAY) indexes.set(key, index);
    }
    return keys;
  };
  return {
    ...arithmetic,
    indexOfListedKey: (key) => indexes.get(key),
    keys(from, to) {
      if (to < from) return [];
      const low = table.length === 0 ? from : Math.min(from, base);
      const high = table.length === 0 ? to : Math.max(to, base + table.length - 1);
      if (high - low >= MAX_TABLE_SPAN) return build(from, to, false);
      if (table.length === 0) {
        base = from;
        table = build(from, to, true);
      } else {
        if (from < base) {
          table = build(from, base - 1, true).concat(table);
          base = from;
        }
        if (to >= base + table.length) table = table.concat(build(base + table.length, to, true));
      }
      return table.slice(from - base, to - base + 1);
    },
  };
}

const daily = withKeyTable({
  cadence: 'daily',
  indexOfDay: (dayNumber) => dayNumber,
  startDay: (index) => index,
  alignmentRule: 'daily windows start on every day',
  misalignment: () => '',
  unit: 'day',
});

const monthly = withKeyTable({
  cadence: 'monthly',
  indexOfDay(dayNumber) {
    const { year, month } = fieldsFromDay(dayNumber);
    return year * 12 + month - 1;
  },
  startDay: (index) => dayFromFields(Math.floor(index / 12), (index % 12) + 1, 1),
  alignmentRule: 'monthly windows start on the 1st of a month',
  misalignment: (dayNumber) => `${formatCalendarDay(dayNumber)} is not the 1st of a month`,
  unit: 'month',
});

function weekly(weekStartsOn: number): CadenceArithmetic {
  // NOTE: day 0 (1970-01-01) is a Thursday; `anchor` is the first day numbered 0 mod 7 that starts a week.
  const anchor = (weekStartsOn - 4 + 7) % 7;
  return withKeyTable({
    cadence: 'weekly',
    indexOfDay: (dayNumber) => Math.floor((dayNumber - anchor) / 7),
    startDay: (index) => index * 7 + anchor,
    alignmentRule: `weekly windows start on ${weekdayName(weekStartsOn)}`,
    misalignment: (dayNumber) => `${formatCalendarDay(dayNumber)} is a ${weekdayName(weekdayOf(dayNumber))}`,
    unit: 'week',
  });
}

const weeklyByStart = [0, 1, 2, 3, 4, 5, 6].map(weekly);

/** The arithmetic of `cadence`; `weekStartsOn` (0 = Sunday … 6 = Saturday) matters for weekly only. */
export function cadenceArithmetic(cadence: TimeWindowCadence, weekStartsOn = 1): CadenceArithmetic {
  if (cadence === 'daily') return daily;
  if (cadence === 'monthly') return monthly;
  return weeklyByStart[weekStartsOn];
}
