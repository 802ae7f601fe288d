import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';

/** The numbers of a retry policy, as they appear in configuration files. */
export const RetryPolicySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(20).optional(),
    baseDelayMs: z.number().int().min(0).max(60_000).optional(),
    maxDelayMs: z.number().int().min(0).max(300_000).optional(),
  })
  .strict();

/** One retry about to happen. */
export interface RetryEvent {
  operation: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: unknown;
}

/**
 * How transient failures are retried: exponential backoff with full jitter. `sleep` and `random`
 * are injectable so tests need not wait; `onRetry` observes each retry (logging, counting).
 */
export interface RetryOptions extends z.infer<typeof RetryPolicySchema> {
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (event: RetryEvent) => void;
}

/** The policy when none is configured: 5 attempts, 100 ms base delay, 5 s cap. */
export const DEFAULT_RETRY_POLICY = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 5000 } as const;

/**
 * Thrown by {@link withRetry} when every attempt failed transiently; `cause` is the last error.
 */
export class RetriesExhaustedError extends Error {
  readonly attempts: number;

  constructor(operation: string, attempts: number, cause: unknown) {
    super(`${operation} failed ${attempts} times`, { cause });
    this.name = 'RetriesExhaustedError';
    this.attempts = attempts;
  }
}

/**
 * The delay before retry number `attempt` (1 = after the first failure): a uniformly random
 * duration between 0 and `min(maxDelayMs, baseDelayMs * 2^(attempt-1))` ("full jitter").
 *
 * @example
 * backoffDelayMs(3, { baseDelayMs: 100, maxDelayMs: 5000, random: () => 1 }); // 400
 */
export function backoffDelayMs(attempt: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs;
  const max = options.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs;
  const ceiling = Math.min(max, base * 2 ** (attempt - 1));
  return Math.floor((options.random ?? Math.random)() * ceiling);
}

/**
 * Runs `run` until it succeeds, retrying only errors that `isTransient` accepts, at most
 * `maxAttempts` times in all. A non-transient error is rethrown at once, unchanged; when the
 * attempts run out, a {@link RetriesExhaustedError} carries the last error as `cause`.
 *
 * @example
 * const body = await withRetry('GET s3://landing/a.csv', () => fetchIt(), {
 *   policy: { maxAttempts: 5 },
 *   isTransient: (error) => isTransientS3Error(error),
 * });
 */
export async function withRetry<T>(
  operation: string,
  run: (attempt: number) => Promise<T>,
  options: { policy?: RetryOptions; isTransient: (error: unknown) => boolean },
): Promise<T> {
  const policy = options.policy ?? {};
  const maxAttempts = policy.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts;
  const sleep = policy.sleep ?? ((ms: number) => delay(ms));
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      if (!options.isTransient(error)) throw error;
      if (attempt >= maxAttempts) throw new RetriesExhaustedError(operation, attempt, error);
      const delayMs = backoffDelayMs(attempt, policy);
      policy.onRetry?.({ operation, attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}
