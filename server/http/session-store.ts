import { randomBytes } from 'node:crypto';

const DEFAULT_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_SESSIONS = 1000;

/**
 * Browser sessions signed in with the token, in this process's memory: each is a random id the
 * page holds in an HttpOnly cookie instead of the token itself. Sessions end on sign-out, after
 * `ttlMs` (12 h), or when the server restarts; the oldest give way beyond 1,000.
 *
 * @example
 * const sessions = new SessionStore();
 * const id = sessions.create();
 * sessions.isValid(id); // true
 * sessions.end(id);
 */
export class SessionStore {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly ttlMs = DEFAULT_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds a new session lasts, for the cookie's `Max-Age`. */
  get maxAgeSeconds(): number {
    return Math.floor(this.ttlMs / 1000);
  }

  create(): string {
    const id = randomBytes(32).toString('base64url');
    this.expiries.set(id, this.now() + this.ttlMs);
    while (this.expiries.size > MAX_SESSIONS) {
      const oldest = this.expiries.keys().next().value;
      if (oldest === undefined) break;
      this.expiries.delete(oldest);
    }
    return id;
  }

  isValid(id: string | undefined): boolean {
    if (!id) return false;
    // NOTE: a plain map lookup: ids are 256 random bits, so how long a miss takes tells nothing.
    const expiry = this.expiries.get(id);
    if (expiry === undefined) return false;
    if (expiry <= this.now()) {
      this.expiries.delete(id);
      return false;
    }
    return true;
  }

  end(id: string | undefined): void {
    if (id) this.expiries.delete(id);
  }
}
