import {
  type CatchUpPolicy,
  type daily,
  type PartitionFilter,
  type PartitionsDefinition,
  type ScheduleDefinition,
  type ScheduleTickContext,
  ShopflowError,
} from '../framework/index.js';
import { CronTicks } from './cron-ticks.js';

type TimeWindowPartitions = ReturnType<typeof daily>;

const NAME = /^[a-z][a-z0-9_]*$/;
const CATCH_UP: readonly CatchUpPolicy[] = ['latest', 'all'];
// NOTE: a schedule whose previous tick is far back (first tick, long downtime) gets at most this
// many closed windows at once.
const MAX_CLOSED_WINDOWS = 1000;

/** What `defineSchedule` accepts. */
export interface ScheduleSpec {
  name: string;
  description?: string;
  cron: string;
  timezone?: string;
  selection: string;
  partitions?: (tickTime: Date, context: ScheduleTickContext) => PartitionFilter | null;
  catchUp: CatchUpPolicy;
  enabled?: boolean;
  retry?: { maxRetries: number };
  tags?: Record<string, string>;
}

/** Throws `SF_INVALID_SCHEDULE` unless `name` is snake_case; `what` is `schedule` or `sensor`. */
export function validateScheduleName(name: string, what: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ShopflowError('SF_INVALID_SCHEDULE', `${what} name \`${name}\` is not snake_case`, {
      hint: 'use lowercase letters, digits and underscores, starting with a letter, e.g. `nightly_sales`',
    });
  }
}

/** Throws `SF_INVALID_SCHEDULE` unless `retry.maxRetries` is a non-negative integer. */
export function validateRetry(retry: { maxRetries: number } | undefined, source: string): void {
  if (retry && !(Number.isInteger(retry.maxRetries) && retry.maxRetries >= 0)) {
    throw new ShopflowError(
      'SF_INVALID_SCHEDULE',
      `${source} has retry.maxRetries ${retry.maxRetries}, which is not a whole number of at least 0`,
      { hint: 'e.g. `retry: { maxRetries: 2 }`' },
    );
  }
}

/**
 * Declares a cron schedule. The cron expression is read in `timezone` (default UTC); see
 * {@link CronTicks} for what happens to ticks across daylight saving changes.
 *
 * @example
 * export const nightly = defineSchedule({
 *   name: 'nightly_sales',
 *   cron: '0 2 * * *',
 *   timezone: 'Europe/Berlin',
 *   selection: 'raw_transactions+',
 *   partitions: previousDayPartition(shopflowDays),
 *   catchUp: 'all',
 *   retry: { maxRetries: 1 },
 * });
 */
export function defineSchedule(spec: ScheduleSpec): ScheduleDefinition {
  validateScheduleName(spec.name, 'schedule');
  const source = `schedule \`${spec.name}\``;
  const timezone = spec.timezone ?? 'UTC';
  new CronTicks(spec.cron, timezone, source);
  if (!CATCH_UP.includes(spec.catchUp)) {
    throw new ShopflowError(
      'SF_INVALID_SCHEDULE',
      `${source} has catchUp \`${String(spec.catchUp)}\`, which is not a catch-up policy`,
      { hint: "use `'latest'` (run only the newest missed tick) or `'all'` (run every missed tick)" },
    );
  }
  if (typeof spec.selection !== 'string' || spec.selection.trim() === '') {
    throw new ShopflowError('SF_INVALID_SCHEDULE', `${source} has no selection`, {
      hint: "select assets as on the command line, e.g. `selection: 'raw_transactions+'`",
    });
  }
  validateRetry(spec.retry, source);
  return Object.freeze({
    kind: 'schedule' as const,
    name: spec.name,
    description: spec.description ?? '',
    cron: spec.cron,
    timezone,
    selection: spec.selection,
    partitions: spec.partitions,
    catchUp: spec.catchUp,
    enabled: spec.enabled ?? true,
    retry: Object.freeze({ maxRetries: spec.retry?.maxRetries ?? 0 }),
    tags: Object.freeze({ ...(spec.tags ?? {}) }),
  });
}

function timeWindows(definition: PartitionsDefinition, helper: string): TimeWindowPartitions {
  const windows = definition as Partial<TimeWindowPartitions>;
  if (definition?.kind !== 'time-window' || typeof windows.keyAt !== 'function') {
    throw new ShopflowError(
      'SF_INVALID_SCHEDULE',
      `${helper} needs time-window partitions, but was given ${definition?.description ?? String(definition)}`,
      { hint: 'pass the `daily(...)`, `weekly(...)` or `monthly(...)` definition of the assets' },
    );
  }
  return definition as TimeWindowPartitions;
}

/** The newest window of `windows` that has ended by `instant`, or null (none yet, or before its start). */
function lastClosedWindow(windows: TimeWindowPartitions, instant: Date): string | null {
  const current = windows.keyAt(instant);
  if (current <= windows.start) return null;
  const previous = windows.keyAt(new Date(windows.partition(current).start!.getTime() - 1));
  return windows.has(previous, instant) ? previous : null;
}

/**
 * A partition rule: the day before the tick's day (in the partitions' time zone), i.e. the newest
 * daily window that has ended by the tick. Null (the tick is skipped) before the first day or
 * after the last.
 *
 * @example
 * defineSchedule({ name: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Berlin',
 *   selection: 'group:daily+', partitions: previousDayPartition(days), catchUp: 'all' });
 */
export function previousDayPartition(
  definition: PartitionsDefinition,
): (tickTime: Date, context?: ScheduleTickContext) => PartitionFilter | null {
  const windows = timeWindows(definition, 'previousDayPartition');
  if (windows.cadence !== 'daily') {
    throw new ShopflowError(
      'SF_INVALID_SCHEDULE',
      `previousDayPartition needs daily partitions, but was given ${windows.description}`,
      { hint: 'use closedWindowsPartition for weekly or monthly roll-ups' },
    );
  }
  return (tickTime, context) => {
    const key = lastClosedWindow(context?.resolvePartitions?.(windows) ?? windows, tickTime);
    return key === null ? null : { keys: [key] };
  };
}

/**
 * A partition rule: every daily window from the first one up to the day before the tick's day.
 * Ticks plan without force, so only stale partitions run: yesterday in the steady state, every
 * missed day after downtime or on a fresh instance — in one run, with each day's steps after the
 * days they read (a run per missed day could not see the days the others are still writing).
 * Null before the first day has ended.
 *
 * @example
 * defineSchedule({ name: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Berlin',
 *   selection: 'source_files+', partitions: throughPreviousDay(days), catchUp: 'latest' });
 */
export function throughPreviousDay(
  definition: PartitionsDefinition,
): (tickTime: Date, context?: ScheduleTickContext) => PartitionFilter | null {
  const windows = timeWindows(definition, 'throughPreviousDay');
  if (windows.cadence !== 'daily') {
    throw new ShopflowError(
      'SF_INVALID_SCHEDULE',
      `throughPreviousDay needs daily partitions, but was given ${windows.description}`,
      { hint: 'use closedWindowsPartition for weekly or monthly roll-ups' },
    );
  }
  return (tickTime, context) => {
    const days = context?.resolvePartitions?.(windows) ?? windows;
    const last = lastClosedWindow(days, tickTime);
    return last === null ? null : { from: days.start, to: last };
  };
}

/**
 * A partition rule for roll-ups: the windows (daily, weekly or monthly) that closed since the
 * previous tick, i.e. whose end lies in `(previous tick, tick]`; null on ticks where no window
 * closed, so a daily schedule materializes a weekly roll-up only on the tick after the week ends.
 * Without a previous tick, the newest closed window.
 *
 * @example
 * defineSchedule({ name: 'weekly_rollup', cron: '0 2 * * *', timezone: 'Europe/Berlin',
 *   selection: 'gold_sales_weekly', partitions: closedWindowsPartition(weeks), catchUp: 'all' });
 */
export function closedWindowsPartition(
  definition: PartitionsDefinition,
): (tickTime: Date, context?: ScheduleTickContext) => PartitionFilter | null {
  const declared = timeWindows(definition, 'closedWindowsPartition');
  return (tickTime, context) => {
    const windows = context?.resolvePartitions?.(declared) ?? declared;
    const newest = lastClosedWindow(windows, tickTime);
    if (newest === null) return null;
    const previous = context?.previousTickTime ?? null;
    const keys: string[] = [];
    let key: string | null = newest;
    while (key !== null && keys.length < MAX_CLOSED_WINDOWS) {
      const window = windows.partition(key);
      if (previous !== null && window.end!.getTime() <= previous.getTime()) break;
      keys.unshift(key);
      if (previous === null || key === windows.start) break;
      key = lastClosedWindow(windows, new Date(window.start!.getTime()));
    }
    return keys.length === 0 ? null : { keys };
  };
}
