import { asOfWindowMapping, daily, monthly, type PartitionsBindContext, weekly } from '../framework/index.js';
import { snapshotDayAtOrBefore } from './raw/simulator/shopflow-calendar.js';
import { MAX_DAYS as MAX_SIMULATED_DAYS, SIMULATION_DEFAULTS } from './raw/simulator/simulator-options.js';
import { type GeneratorConfig, readGeneratorConfig } from './resources/generator-settings.js';

const DAY_MS = 86_400_000;
/** Days the live calendar keeps when `historyDays` is not set. */
export const DEFAULT_HISTORY_DAYS = 90;

/**
 * The simulator's default epoch: the first day of the simulated business and the earliest
 * partition of every configuration that keeps the default `start`.
 */
export const SHOPFLOW_START = SIMULATION_DEFAULTS.start;

/** The days a configuration's partitions cover: from `first` to `end` (exclusive, absent: up to yesterday). */
export interface ShopflowDays {
  first: string;
  end?: string;
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/**
 * The days ShopFlow's partitions cover under `resources.generator` at `now`:
 * - `days` set (a fixed range, e.g. the 2024 quarter for tests and benchmarks): `start` to `start + days`;
 * - otherwise the live calendar: every day up to yesterday (UTC), from the latest full snapshot of
 *   customers and products (the simulator sends one every 30 days after its first quarter) that is
 *   at least `historyDays` (default 90) days back, so every customer and product a kept day names
 *   was delivered in the kept days. At most `historyDays + 29` days are kept.
 *
 * @example
 * shopflowDaysAt({ start: '2024-01-01', days: 90, … }, now); // { first: '2024-01-01', end: '2024-03-31' }
 * shopflowDaysAt({ start: '2024-01-01', … }, new Date('2026-12-01T03:00:00Z')); // { first: '2026-08-18' }
 */
export function shopflowDaysAt(generator: GeneratorConfig, now: Date): ShopflowDays {
  const { start } = generator;
  if (generator.days !== undefined) return { first: start, end: addDays(start, generator.days) };
  const today = now.toISOString().slice(0, 10);
  const history = generator.historyDays ?? DEFAULT_HISTORY_DAYS;
  const wanted = daysBetween(start, addDays(today, -history));
  return { first: addDays(start, wanted <= 0 ? 0 : snapshotDayAtOrBefore(wanted)) };
}

/**
 * Every day the simulation under `generator` can produce, `[start, end)`: the fixed range, or
 * {@link MAX_SIMULATED_DAYS} days from the epoch for the live calendar (the date dimension).
 */
export function simulatedDays(generator: GeneratorConfig): { start: string; end: string } {
  return { start: generator.start, end: addDays(generator.start, generator.days ?? MAX_SIMULATED_DAYS) };
}

/**
 * The first day of the window of `cadence` that contains `day`: the first week or month of the
 * calendar is the one its first day falls in, so the roll-ups cover every delivered day (a week
 * or month that starts before the first day covers only its days from then, `complete = false`).
 */
function windowStart(day: string, cadence: 'weekly' | 'monthly'): string {
  if (cadence === 'monthly') return `${day.slice(0, 7)}-01`;
  const isoWeekday = new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
  return addDays(day, 1 - isoWeekday);
}

/** The bounds of one cadence of the ShopFlow calendar, bound when a runtime opens (see `daily`'s `configure`). */
function boundsOf(cadence: 'daily' | 'weekly' | 'monthly') {
  return ({ settings, now }: PartitionsBindContext): { start: string; end?: string } => {
    const { first, end } = shopflowDaysAt(readGeneratorConfig(settings), now);
    if (cadence === 'daily') return { start: first, end };
    const start = windowStart(first, cadence);
    // NOTE: a fixed range shorter than one window has no window; an end right after the start says so.
    if (end !== undefined && end <= start) return { start, end: addDays(start, 1) };
    return { start, end };
  };
}

/**
 * How many days after a delivery day a customer or product version dated up to then still counts
 * for that day's transactions: a sale whose customer or product has no valid version dated before
 * the end of its delivery day plus this is quarantined. 0: the version must be valid by the end of
 * the delivery day — a version *delivered* late but dated in time still counts, and re-opens the
 * days it belongs to. Daily assets read the dimensions as of the same instant
 * (`asOfWindowMapping`), so a new day re-opens at most this many earlier days.
 */
export const LATE_DIMENSION_DAYS = 0;

/**
 * How a daily asset reads the customer and product versions: as of the end of its day plus
 * {@link LATE_DIMENSION_DAYS} (see `asOfWindowMapping`).
 */
export const asOfDeliveryDay = asOfWindowMapping({ lookaheadDays: LATE_DIMENSION_DAYS });

/**
 * Daily partitions of the ShopFlow calendar (UTC, like the simulator's timestamps). Declared from
 * the simulator's epoch; a runtime binds them to its configuration ({@link shopflowDaysAt}): the
 * fixed range of `resources.generator.days`, or the live calendar up to yesterday.
 */
export const shopflowDays = daily({ start: SHOPFLOW_START, timezone: 'UTC', configure: boundsOf('daily') });
/** ISO weeks (Monday) of the ShopFlow calendar that have ended, from the week of its first day. */
export const shopflowWeeks = weekly({
  start: SHOPFLOW_START,
  timezone: 'UTC',
  configure: boundsOf('weekly'),
});
/** Calendar months of the ShopFlow calendar that have ended, from the month of its first day. */
export const shopflowMonths = monthly({
  start: SHOPFLOW_START,
  timezone: 'UTC',
  configure: boundsOf('monthly'),
});
/**
 * ISO weeks (Monday) of the ShopFlow calendar including the week still open at its end
 * (`endOffset: 1`): the week summaries cover every delivered day, the open week flagged incomplete
 * until its last day (and the first week, when the calendar starts after its Monday).
 */
export const shopflowWeeksToDate = weekly({
  start: SHOPFLOW_START,
  timezone: 'UTC',
  endOffset: 1,
  configure: boundsOf('weekly'),
});
/** Calendar months of the ShopFlow calendar including the month still open at its end (`endOffset: 1`). */
export const shopflowMonthsToDate = monthly({
  start: SHOPFLOW_START,
  timezone: 'UTC',
  endOffset: 1,
  configure: boundsOf('monthly'),
});
