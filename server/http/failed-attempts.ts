const WINDOW_MS = 60_000;
const MAX_FAILURES = 5;
const MAX_TRACKED = 10_000;

/**
 * Counts wrong tokens per client address: after 5 within a minute, that address is refused until
 * the oldest of them is a minute old. Bounded: beyond 10,000 addresses the oldest are forgotten.
 *
 * @example
 * const attempts = new FailedAttempts();
 * attempts.record('10.0.0.7');
 * attempts.retryAfterSeconds('10.0.0.7'); // 0 until the fifth failure
 */
export class FailedAttempts {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records a wrong token from `client`; returns how many it sent within the window. */
  record(client: string): number {
    const recent = this.recent(client);
    recent.push(this.now());
    this.failures.delete(client);
    this.failures.set(client, recent);
    while (this.failures.size > MAX_TRACKED) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
    return recent.length;
  }

  /** Seconds until `client` may try again; 0 when it may now. */
  retryAfterSeconds(client: string): number {
    const recent = this.recent(client);
    if (recent.length < MAX_FAILURES) return 0;
    const freeAt = recent[recent.length - MAX_FAILURES] + WINDOW_MS;
    return Math.max(1, Math.ceil((freeAt - this.now()) / 1000));
  }

  /** The limit, for messages. */
  get limit(): { failures: number; windowSeconds: number } {
    return { failures: MAX_FAILURES, windowSeconds: WINDOW_MS / 1000 };
  }

  private recent(client: string): number[] {
    const cutoff = this.now() - WINDOW_MS;
    const recent = (this.failures.get(client) ?? []).filter((at) => at > cutoff);
    if (recent.length === 0) this.failures.delete(client);
    else this.failures.set(client, recent);
    return recent;
  }
}
