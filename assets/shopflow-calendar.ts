import { asOfWindowMapping, daily, monthly, weekly } from '../framework/index.js';
import { SIMULATION_DEFAULTS } from './raw/simulator/index.js';

/**
 * The simulated business quarter the ShopFlow partitions cover: 90 days from 2024-01-01, the
 * simulator's default range. Partitions end with it (`end` is exclusive), so a plan never asks for
 * days the simulator does not produce.
 */
export const SHOPFLOW_START = SIMULATION_DEFAULTS.start;
export const SHOPFLOW_END = '2024-03-31';

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

/** Daily partitions of the simulated range (UTC, like the simulator's timestamps). */
export const shopflowDays = daily({ start: SHOPFLOW_START, end: SHOPFLOW_END, timezone: 'UTC' });
/** ISO weeks (Monday) ending within the range. */
export const shopflowWeeks = weekly({ start: SHOPFLOW_START, end: SHOPFLOW_END, timezone: 'UTC' });
/** Calendar months ending within the range. */
export const shopflowMonths = monthly({ start: SHOPFLOW_START, end: SHOPFLOW_END, timezone: 'UTC' });
/**
 * ISO weeks (Monday) of the range including the week still open at its end (`endOffset: 1`): the
 * week summaries cover every delivered day, the open week flagged incomplete until its last day.
 */
export const shopflowWeeksToDate = weekly({
  start: SHOPFLOW_START,
  end: SHOPFLOW_END,
  timezone: 'UTC',
  endOffset: 1,
});
/** Calendar months of the range including the month still open at its end (`endOffset: 1`). */
export const shopflowMonthsToDate = monthly({
  start: SHOPFLOW_START,
  end: SHOPFLOW_END,
  timezone: 'UTC',
  endOffset: 1,
});
