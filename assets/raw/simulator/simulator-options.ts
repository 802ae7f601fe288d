import { didYouMean } from '../../../framework/errors/did-you-mean.js';
import { ShopflowError } from '../../../framework/errors/error-catalog.js';
import { parseIsoDate } from './utc-time.js';

/** What the simulated business looks like; the same options always give the same data. */
export interface SimulationOptions {
  /** Random seed (any safe integer). Default 42. */
  seed?: number;
  /** Multiplies the 1,000 customers, 500 products and 5,000 transactions (may be fractional). Default 1. */
  scale?: number;
  /**
   * First simulated day, `YYYY-MM-DD` (UTC): the epoch the business starts from. Day D's rows depend
   * on the seed, the scale, the defect rate, this epoch and D only. Default `2024-01-01`.
   */
  start?: string;
  /**
   * How many days from `start` the range holds (it bounds which days are generated, never what a
   * day contains). Default 90; `null` for an open-ended range (every day from `start` on).
   */
  days?: number | null;
  /** Probability that a row carries an injected defect, in [0, 0.5]; 0 disables. Default 0.003. */
  defectRate?: number;
}

/** Progress of {@link generateShopflowData}: rows written so far to one file. */
export interface GenerateProgress {
  file: string;
  rows: number;
}

/** Options of `generateShopflowData`: the simulation plus where to write it. */
export interface GenerateOptions extends SimulationOptions {
  /** Folder that receives the files (created when missing). */
  out: string;
  /** Called after each simulated day for each file. An error thrown here aborts the generation. */
  onProgress?: (progress: GenerateProgress) => void;
}

/** {@link SimulationOptions} with defaults applied and values checked. */
export interface ResolvedSimulationOptions {
  seed: number;
  scale: number;
  start: string;
  /** Epoch seconds of midnight UTC of `start`. */
  startEpochSeconds: number;
  /** Days in the range, or null when it is open-ended. */
  days: number | null;
  defectRate: number;
}

/** The defaults, which reproduce the exercise's sizes. */
export const SIMULATION_DEFAULTS = {
  seed: 42,
  scale: 1,
  start: '2024-01-01',
  days: 90,
  defectRate: 0.003,
} as const;

/** Largest scale: keeps every real id below the id range used for injected orphan keys. */
export const MAX_SCALE = 100_000;
/** Longest range, and the latest day after `start` an open-ended simulation produces (100 years). */
export const MAX_DAYS = 36_600;
const KNOWN_OPTIONS = ['seed', 'scale', 'start', 'days', 'defectRate', 'out', 'onProgress'];

function badOption(caller: string, name: string, value: unknown, hint: string): ShopflowError {
  return new ShopflowError('SF_BAD_USAGE', `option \`${name}\` of ${caller} is ${describe(value)}`, {
    hint,
    details: { option: name },
  });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return `a ${typeof value}`;
}

/**
 * Applies defaults and validates simulation options; throws `SF_BAD_USAGE` naming the option and
 * the fix.
 *
 * @example
 * resolveSimulationOptions({ scale: 0.1 }, 'simulateDay').days; // 90
 */
export function resolveSimulationOptions(
  options: SimulationOptions,
  caller: string,
): ResolvedSimulationOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      const near = didYouMean(key, KNOWN_OPTIONS);
      throw new ShopflowError('SF_BAD_USAGE', `unknown option \`${key}\` of ${caller}`, {
        hint: near ?? `known options are ${KNOWN_OPTIONS.map((k) => `\`${k}\``).join(', ')}`,
        details: { option: key },
      });
    }
  }
  const seed = options.seed ?? SIMULATION_DEFAULTS.seed;
  if (!Number.isSafeInteger(seed)) {
    throw badOption(caller, 'seed', seed, 'pass an integer, e.g. 42');
  }
  const scale = options.scale ?? SIMULATION_DEFAULTS.scale;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0 || scale > MAX_SCALE) {
    throw badOption(
      caller,
      'scale',
      scale,
      `pass a number greater than 0 and at most ${MAX_SCALE}, e.g. 1 (5,000 transactions) or 0.1`,
    );
  }
  const start = options.start ?? SIMULATION_DEFAULTS.start;
  const startEpochSeconds = typeof start === 'string' ? parseIsoDate(start) : undefined;
  if (startEpochSeconds === undefined) {
    throw badOption(caller, 'start', start, 'pass a real calendar date as YYYY-MM-DD, e.g. 2024-01-01');
  }
  const days = options.days === undefined ? SIMULATION_DEFAULTS.days : options.days;
  if (days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_DAYS)) {
    throw badOption(
      caller,
      'days',
      days,
      `pass a whole number of days from 1 to ${MAX_DAYS}, e.g. 90, or null for an open-ended range`,
    );
  }
  const defectRate = options.defectRate ?? SIMULATION_DEFAULTS.defectRate;
  if (typeof defectRate !== 'number' || !(defectRate >= 0 && defectRate <= 0.5)) {
    throw badOption(
      caller,
      'defectRate',
      defectRate,
      'pass a probability from 0 to 0.5, e.g. 0.003 (0 disables)',
    );
  }
  return { seed, scale, start, startEpochSeconds, days, defectRate };
}
