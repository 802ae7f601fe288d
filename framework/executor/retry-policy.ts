import type { RetryPolicy } from '../definitions/define-asset.js';

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 0,
  delayMs: 1_000,
  backoff: 2,
  maxDelayMs: 60_000,
};

/**
 * Delay before retry number `attempt` (1-based): exponential backoff with full jitter, capped.
 *
 * @example
 * retryDelayMs({ maxRetries: 3, delayMs: 100, backoff: 2, maxDelayMs: 1000 }, 2) // in [0, 200)
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.delayMs * policy.backoff ** (attempt - 1));
  return Math.floor(random() * ceiling);
}
