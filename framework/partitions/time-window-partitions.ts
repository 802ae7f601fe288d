import { ShopflowError } from '../errors/error-catalog.js';
import {
  explainInvalidCalendarDay,
  formatCalendarDay,
  parseCalendarDay,
  parseLooseCalendarDay,
  weekdayName,
} from './calendar-day.js';
import type { Partition, PartitionsBindContext, PartitionsDefinition } from './partitions-definition.js';
import type { CadenceArithmetic, TimeWindowCadence } from './time-window-cadence.js';
import {
  resolveTimeWindowOptions,
  type TimeWindowOptions,
  type WeeklyOptions,
} from './time-window-options.js';
import { dayNumberInZone, dayStartInZone } from './zoned-time.js';

type KeyProblem =
  | { index: number; problem?: undefined }
  | { problem: 'format'; detail?: string; looseDay?: number }
  | { problem: 'alignment'; day: number }
  | { problem: 'before-start'; index: number };

/**
 * Time-window partitions: one partition per day, week or month from `start`, cut in an IANA time
 * zone. A key is its window's start date (`YYYY-MM-DD`, in the definition's zone); the window is
 * `[start, end)` in instants, so a Berlin day in late March lasts 23 hours. A window exists once it
 * has completely ended (`endOffset` shifts that). Build one with {@link daily}, {@link weekly} or
 * {@link monthly}.
 *
 * @example
 * const days = daily({ start: '2024-01-01', timezone: 'Europe/Berlin' });
 * days.keys(new Date('2024-01-03T12:00:00Z')); // ['2024-01-01', '2024-01-02']
 * days.partition('2024-03-31'); // { key: '2024-03-31', start: 2024-03-30T23:00Z, end: 2024-03-31T22:00Z }
 */
export class TimeWindowPartitions implements PartitionsDefinition {
  readonly kind = 'time-window' as const;
  readonly cadence: TimeWindowCadence;
  /** The first key. */
  readonly start: string;
  /** Canonical IANA time zone name. */
  readonly timezone: string;
  readonly endOffset: number;
  /** Weekly only: 0 = Sunday … 6 = Saturday. */
  readonly weekStartsOn?: number;
  readonly description: string;
  private readonly arithmetic: CadenceArithmetic;
  private readonly startIndex: number;
  private current?: { fromMs: number; toMs: number; lastIndex: number };
  /** Index of the last window that ends by `end`, when an end is set. */
  private readonly endIndex?: number;
  readonly end?: string;
  private readonly options: WeeklyOptions;

  constructor(cadence: TimeWindowCadence, options: WeeklyOptions) {
    this.options = options;
    const { arithmetic, timezone, endOffset, startIndex, weekStartsOn } = resolveTimeWindowOptions(
      cadence,
      options,
    );
    this.cadence = cadence;
    this.arithmetic = arithmetic;
    this.timezone = timezone;
    this.endOffset = endOffset;
    this.startIndex = startIndex;
    this.start = options.start;
    this.weekStartsOn = weekStartsOn;
    const cadenceText = weekStartsOn === undefined ? cadence : `weekly on ${weekdayName(weekStartsOn)}s`;
    const offsetText = this.endOffset === 0 ? '' : `, end offset ${this.endOffset}`;
    if (options.end !== undefined) {
      const endDay = parseCalendarDay(options.end);
      if (endDay === undefined || options.end <= options.start) {
        throw new ShopflowError(
          'SF_INVALID_ASSET',
          `${cadence} partitions end \`${options.end}\` is not a date after the start ${options.start}`,
          {
            hint: 'use `YYYY-MM-DD`, later than `start`',
          },
        );
      }
      this.end = options.end;
      this.endIndex = this.indexAt(dayStartInZone(endDay, this.timezone)) - 1;
    }
    const endText = this.end === undefined ? '' : ` until ${this.end}`;
    const configuredText = options.configure ? ', bounds set by the configuration' : '';
    this.description = `${cadenceText} from ${this.start}${endText} (${this.timezone})${offsetText}${configuredText}`;
  }

  /**
   * The definition with the bounds its `configure` option returns for `context` (see
   * {@link TimeWindowOptions.configure}); `this` when it has none.
   *
   * @example
   * const days = daily({ start: '2024-01-01', configure: ({ settings }) => ({ end: endOf(settings) }) });
   * days.bind({ settings, now }).end; // from the configuration
   */
  bind(context: PartitionsBindContext): TimeWindowPartitions {
    const { configure, ...options } = this.options;
    if (!configure) return this;
    const { start, end } = configure(context);
    return new TimeWindowPartitions(this.cadence, {
      ...options,
      ...(start === undefined ? {} : { start }),
      ...(end === undefined ? {} : { end }),
    });
  }

  /** Keys of the windows that exist at `now`, oldest first (see {@link TimeWindowOptions.endOffset}). */
  keys(now: Date = new Date()): string[] {
    return this.arithmetic.keys(this.startIndex, this.lastIndexAt(now));
  }

  has(key: string, now: Date = new Date()): boolean {
    const index = this.indexOfKey(key);
    return index !== undefined && index <= this.lastIndexAt(now);
  }

  validate(key: string, now: Date = new Date()): void {
    this.existingIndex(key, now);
  }

  range(from: string, to: string, now: Date = new Date()): string[] {
    const first = this.existingIndex(from, now);
    const last = this.existingIndex(to, now);
    if (first > last) {
      throw new ShopflowError(
        'SF_BAD_PARTITION_RANGE',
        `partition range \`${from}\` to \`${to}\` of ${this.description} is reversed: \`${from}\` is after \`${to}\``,
        { hint: `swap the ends: from \`${to}\` to \`${from}\``, details: { from, to } },
      );
    }
    return this.arithmetic.keys(first, last);
  }

  /**
   * The partition `key` with its window `[start, end)`. Checks the key's format, alignment and that
   * it is not before the start, but not whether the window has ended.
   */
  partition(key: string): Partition {
    const index = this.checkedIndex(key);
    return {
      key,
      start: new Date(this.windowStartMs(index)),
      end: new Date(this.windowStartMs(index + 1)),
    };
  }

  /**
   * Throws the error {@link TimeWindowPartitions.partition} throws for `key` (bad format,
   * misaligned, before the start), without building the window.
   *
   * @example
   * daily({ start: '2024-01-01' }).checkKey('2024-13-01'); // throws SF_BAD_PARTITION
   */
  checkKey(key: string): void {
    this.checkedIndex(key);
  }

  /**
   * Key of the window containing `instant`, whether or not that window exists yet (or is before the start).
   *
   * @example
   * weekly({ start: '2024-01-01' }).keyAt(new Date('2024-01-10T08:00:00Z')); // '2024-01-08'
   */
  keyAt(instant: Date): string {
    return this.keyOf(this.indexAt(instant.getTime()));
  }

  /**
   * Keys of every window overlapping `[start, end)`, oldest first, including windows that do not
   * exist (before the start, not yet ended): used by partition mappings to report them as missing.
   *
   * @example
   * daily({ start: '2024-01-01' }).keysOverlapping(weekly({ start: '2024-01-01' }).partition('2024-01-01'));
   * // ['2024-01-01', …, '2024-01-07']
   */
  keysOverlapping(window: { start?: Date; end?: Date }): string[] {
    if (!window.start || !window.end) return [];
    const endMs = window.end.getTime();
    const keys: string[] = [];
    for (let index = this.indexAt(window.start.getTime()); this.windowStartMs(index) < endMs; index++) {
      keys.push(this.keyOf(index));
    }
    return keys;
  }

  private keyOf(index: number): string {
    return formatCalendarDay(this.arithmetic.startDay(index));
  }

  private windowStartMs(index: number): number {
    return dayStartInZone(this.arithmetic.startDay(index), this.timezone);
  }

  private indexAt(ms: number): number {
    if (Number.isNaN(ms)) throw new ShopflowError('SF_BAD_USAGE', 'an invalid Date was passed as an instant');
    return this.arithmetic.indexOfDay(dayNumberInZone(ms, this.timezone));
  }

  /** Index of the last window that exists at `now`. */
  private lastIndexAt(now: Date): number {
    const ms = now.getTime();
    const current = this.current;
    if (current && ms >= current.fromMs && ms < current.toMs) return current.lastIndex;
    const index = this.indexAt(ms);
    const fromMs = this.windowStartMs(index);
    const toMs = this.windowStartMs(index + 1);
    const open = index - 1 + this.endOffset;
    // NOTE: `end` stops the clock: the end offset counts from the end as it does from `now`, so
    // endOffset 1 also lists the window that is still open at the end.
    const lastIndex = this.endIndex === undefined ? open : Math.min(open, this.endIndex + this.endOffset);
    if (ms >= fromMs && ms < toMs) this.current = { fromMs, toMs, lastIndex };
    return lastIndex;
  }

  /** The window index of a well-formed, aligned key that is not before the start; else undefined. */
  private indexOfKey(key: string): number | undefined {
    // NOTE: planners map hundreds of thousands of keys they listed back to their windows; a listed
    // key's window is looked up instead of parsing its date.
    const listed = this.arithmetic.indexOfListedKey(key);
    if (listed !== undefined) return listed < this.startIndex ? undefined : listed;
    const found = this.inspect(key);
    return found.problem === undefined ? found.index : undefined;
  }

  /** The window index of `key`, or the error `partition(key)` throws. */
  private checkedIndex(key: string): number {
    const listed = this.arithmetic.indexOfListedKey(key);
    if (listed !== undefined && listed >= this.startIndex) return listed;
    const found = this.inspect(key);
    if (found.problem !== undefined) throw this.keyError(key, found, undefined);
    return found.index;
  }

  private inspect(key: string): KeyProblem {
    const day = typeof key === 'string' ? parseCalendarDay(key) : undefined;
    if (day === undefined) {
      const text = String(key);
      return {
        problem: 'format',
        detail: explainInvalidCalendarDay(text),
        looseDay: parseLooseCalendarDay(text),
      };
    }
    const index = this.arithmetic.indexOfDay(day);
    if (this.arithmetic.startDay(index) !== day) return { problem: 'alignment', day };
    if (index < this.startIndex) return { problem: 'before-start', index };
    return { index };
  }

  private existingIndex(key: string, now: Date): number {
    const found = this.inspect(key);
    if (found.problem !== undefined) throw this.keyError(key, found, now);
    if (found.index > this.lastIndexAt(now)) {
      const shift = this.endOffset === 0 ? '' : `, shifted by end offset ${this.endOffset}`;
      // NOTE: past a fixed end a key never comes to exist: waiting would not help.
      const reason =
        this.endIndex !== undefined && found.index > this.endIndex + this.endOffset
          ? `it is after the last partition (the partitions end at ${this.end}${shift})`
          : `it does not exist yet at ${now.toISOString()} (a window exists once it has ended${shift})`;
      throw this.badKey(key, reason, this.nearestHint(found.index, now));
    }
    return found.index;
  }

  private keyError(key: string, found: Exclude<KeyProblem, { problem?: undefined }>, now: Date | undefined) {
    switch (found.problem) {
      case 'format': {
        const reason = `expected a date in the format YYYY-MM-DD${found.detail ? ` (${found.detail})` : ''}`;
        if (found.looseDay === undefined) {
          return this.badKey(key, reason, `keys look like \`${this.start}\`; ${this.validKeysHint(now)}`);
        }
        const near = this.nearestKey(this.arithmetic.indexOfDay(found.looseDay), now);
        return this.badKey(key, reason, near === undefined ? this.noneYet(now) : `did you mean \`${near}\`?`);
      }
      case 'alignment': {
        const reason = `${this.arithmetic.misalignment(found.day)} and ${this.arithmetic.alignmentRule}`;
        const containing = this.arithmetic.indexOfDay(found.day);
        const near = this.nearestKey(containing, now);
        const hint =
          near === this.keyOf(containing)
            ? `the ${this.arithmetic.unit} containing it is \`${near}\``
            : this.nearestHint(containing, now);
        return this.badKey(key, reason, hint);
      }
      case 'before-start':
        return this.badKey(
          key,
          `it is before the first partition \`${this.start}\``,
          this.nearestHint(found.index, now),
        );
    }
  }

  /** The valid key closest to window `index` at `now` (no upper bound without `now`), if any exists. */
  private nearestKey(index: number, now: Date | undefined): string | undefined {
    const lastIndex = now === undefined ? Number.POSITIVE_INFINITY : this.lastIndexAt(now);
    if (lastIndex < this.startIndex) return undefined;
    return this.keyOf(Math.min(Math.max(index, this.startIndex), lastIndex));
  }

  private nearestHint(index: number, now: Date | undefined): string {
    const near = this.nearestKey(index, now);
    return near === undefined ? this.noneYet(now) : `the nearest valid key is \`${near}\``;
  }

  private validKeysHint(now: Date | undefined): string {
    if (now === undefined) return `valid keys start at \`${this.start}\``;
    const lastIndex = this.lastIndexAt(now);
    if (lastIndex < this.startIndex) return this.noneYet(now);
    return `valid keys run from \`${this.start}\` to \`${this.keyOf(lastIndex)}\``;
  }

  private noneYet(now: Date | undefined): string {
    const opens = new Date(this.windowStartMs(this.startIndex + 1 - this.endOffset)).toISOString();
    return `no partition exists yet at ${now?.toISOString()}; the first, \`${this.start}\`, exists from ${opens}`;
  }

  private badKey(key: string, reason: string, hint: string): ShopflowError {
    return new ShopflowError(
      'SF_BAD_PARTITION',
      `partition key \`${key}\` is not valid for ${this.description}: ${reason}`,
      { hint, details: { key, partitions: this.description } },
    );
  }
}

/**
 * Daily partitions: one window per calendar day in `timezone`.
 *
 * @example
 * const days = daily({ start: '2024-01-01', timezone: 'Europe/Berlin' });
 * days.keys(new Date('2024-01-03T12:00:00Z')); // ['2024-01-01', '2024-01-02']
 */
export function daily(options: TimeWindowOptions): TimeWindowPartitions {
  return new TimeWindowPartitions('daily', options);
}

/**
 * Weekly partitions: one window per week starting on `weekStartsOn` (default Monday); keys are the
 * weeks' first days, and `start` must be one.
 *
 * @example
 * const weeks = weekly({ start: '2024-01-01' }); // 2024-01-01 is a Monday
 * weeks.keys(new Date('2024-01-17T00:00:00Z')); // ['2024-01-01', '2024-01-08']
 */
export function weekly(options: WeeklyOptions): TimeWindowPartitions {
  return new TimeWindowPartitions('weekly', options);
}

/**
 * Monthly partitions: one window per calendar month; keys are the months' first days (`2024-02-01`),
 * and `start` must be one.
 *
 * @example
 * monthly({ start: '2024-01-01' }).partition('2024-02-01'); // window 2024-02-01 → 2024-03-01 (UTC)
 */
export function monthly(options: TimeWindowOptions): TimeWindowPartitions {
  return new TimeWindowPartitions('monthly', options);
}
