/** A clickstream session as {@link PendingClicks} orders it: event `i` happens at `times[i]` (ms of day). */
export interface ClickSession {
  /** 1, 2, … in the order the sessions are added. */
  number: number;
  /** Non-decreasing. */
  times: readonly number[];
}

const SESSION_SLOTS = 2 ** 20;
const INDEX_SLOTS = 64;
const INITIAL_KEYS = 4096;

/**
 * One number that orders events as (time, session, index) do, exact while it stays below 2^53:
 * 86,400,000 ms × 2^20 sessions × 64 events.
 */
function orderKey(ms: number, session: number, index: number): number {
  return (ms * SESSION_SLOTS + session) * INDEX_SLOTS + index;
}

interface SlowEvent<S extends ClickSession> {
  ms: number;
  session: S;
  index: number;
}

/**
 * The events of a day's sessions that are scheduled but not yet emitted, released in (time, session
 * number, position in the session) order. The events are kept as order keys in a typed array — no
 * object per event, and a native numeric sort of each batch of new keys merged into the sorted rest
 * — from which the session and position are read back. A day with 2^20 sessions or more, or a
 * session of more than 64 events, does not fit the keys: from then on the day's events are kept as
 * objects and sorted by comparing the three, in the same order.
 *
 * @example
 * const pending = new PendingClicks<Session>();
 * pending.add(session);
 * pending.release(3_600_000, (session, index) => emit(session, index));
 */
export class PendingClicks<S extends ClickSession> {
  private keys = new Float64Array(INITIAL_KEYS);
  private spare = new Float64Array(INITIAL_KEYS);
  /** Keys `[0, sorted)` are in order; `[sorted, count)` were added since the last release. */
  private count = 0;
  private sorted = 0;
  /** Sessions with events among the keys, by number (emptied as each one's last event goes out). */
  private byNumber: Array<S | undefined> = [];
  private slow: Array<SlowEvent<S>> | undefined;

  /** Schedules every event of `session`. */
  add(session: S): void {
    const { number, times } = session;
    if (!this.slow && (number >= SESSION_SLOTS || times.length > INDEX_SLOTS)) this.switchToSlow();
    if (this.slow) {
      for (let index = 0; index < times.length; index++) this.slow.push({ ms: times[index], session, index });
      return;
    }
    this.byNumber[number] = session;
    this.reserve(this.count + times.length);
    for (let index = 0; index < times.length; index++) {
      this.keys[this.count++] = orderKey(times[index], number, index);
    }
  }

  /** Calls `visit` for every event before `beforeMs` (ms of day; may be infinite), in order, and drops them. */
  release(beforeMs: number, visit: (session: S, index: number) => void): void {
    if (this.slow) {
      this.releaseSlow(beforeMs, visit);
      return;
    }
    this.keys.subarray(this.sorted, this.count).sort();
    this.merge();
    const keys = this.keys;
    // NOTE: an event is before `beforeMs` exactly when its key is below that of (beforeMs, 0, 0).
    const bound = beforeMs * SESSION_SLOTS * INDEX_SLOTS;
    let ready = 0;
    while (ready < this.count && keys[ready] < bound) ready++;
    for (let k = 0; k < ready; k++) {
      const key = keys[k];
      const index = key % INDEX_SLOTS;
      const number = Math.floor(key / INDEX_SLOTS) % SESSION_SLOTS;
      const session = this.byNumber[number]!;
      // NOTE: a session's times never decrease, so its last event is the last one released.
      if (index === session.times.length - 1) this.byNumber[number] = undefined;
      visit(session, index);
    }
    keys.copyWithin(0, ready, this.count);
    this.count -= ready;
    this.sorted = this.count;
  }

  /** Merges the sorted new keys into the sorted rest. */
  private merge(): void {
    const { keys, spare, sorted, count } = this;
    if (sorted === 0 || sorted === count) {
      this.sorted = count;
      return;
    }
    let a = 0;
    let b = sorted;
    let out = 0;
    while (a < sorted && b < count) spare[out++] = keys[a] < keys[b] ? keys[a++] : keys[b++];
    while (a < sorted) spare[out++] = keys[a++];
    while (b < count) spare[out++] = keys[b++];
    this.keys = spare;
    this.spare = keys;
    this.sorted = count;
  }

  private reserve(size: number): void {
    if (size <= this.keys.length) return;
    const capacity = Math.max(size, this.keys.length * 2);
    const keys = new Float64Array(capacity);
    keys.set(this.keys.subarray(0, this.count));
    this.keys = keys;
    this.spare = new Float64Array(capacity);
  }

  private switchToSlow(): void {
    const slow: Array<SlowEvent<S>> = [];
    for (let k = 0; k < this.count; k++) {
      const key = this.keys[k];
      const index = key % INDEX_SLOTS;
      const session = this.byNumber[Math.floor(key / INDEX_SLOTS) % SESSION_SLOTS]!;
      slow.push({ ms: session.times[index], session, index });
    }
    this.slow = slow;
    this.keys = new Float64Array(0);
    this.spare = new Float64Array(0);
    this.count = 0;
    this.sorted = 0;
    this.byNumber = [];
  }

  private releaseSlow(beforeMs: number, visit: (session: S, index: number) => void): void {
    const pending = this.slow!;
    pending.sort((a, b) => a.ms - b.ms || a.session.number - b.session.number || a.index - b.index);
    let ready = 0;
    while (ready < pending.length && pending[ready].ms < beforeMs) ready++;
    this.slow = pending.slice(ready);
    for (let k = 0; k < ready; k++) visit(pending[k].session, pending[k].index);
  }
}
