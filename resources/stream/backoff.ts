/**
 * The wait before retry number `attempt` (1 = after the first failure): uniformly random between 0
 * and `min(maxMs, baseMs * 2^(attempt - 1))` — exponential backoff with full jitter, so many
 * clients throttled at once do not retry in lockstep.
 *
 * @example
 * fullJitterDelayMs(3, { baseMs: 50, maxMs: 2000 }, () => 1); // 200
 */
export function fullJitterDelayMs(
  attempt: number,
  policy: { baseMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  return Math.floor(random() * Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1)));
}
