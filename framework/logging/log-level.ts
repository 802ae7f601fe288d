/**
 * The log levels ShopFlow accepts, from most to least verbose.
 *
 * @example
 * LOG_LEVELS.includes('debug'); // true
 */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];
