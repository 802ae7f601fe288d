import { daily, monthly, weekly } from '../framework/index.js';
import { SIMULATION_DEFAULTS } from './raw/simulator/index.js';

/**
 * The simulated business quarter the ShopFlow partitions cover: 90 days from 2024-01-01, the
 * simulator's default range. Partitions end with it (`end` is exclusive), so a plan never asks for
 * days the simulator does not produce.
 */
export const SHOPFLOW_START = SIMULATION_DEFAULTS.start;
export const SHOPFLOW_END = '2024-03-31';

/** Daily partitions of the simulated range (UTC, like the simulator's timestamps). */
export const shopflowDays = daily({ start: SHOPFLOW_START, end: SHOPFLOW_END, timezone: 'UTC' });
/** ISO weeks (Monday) ending within the range. */
export const shopflowWeeks = weekly({ start: SHOPFLOW_START, end: SHOPFLOW_END, timezone: 'UTC' });
/** Calendar months ending within the range. */
export const shopflowMonths = monthly({ start: SHOPFLOW_START, end: SHOPFLOW_END, timezone: 'UTC' });
