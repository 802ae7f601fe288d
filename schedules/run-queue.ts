/** A job of the run queue: `key` identifies it (a tick), `start` launches and awaits its run. */
export interface QueuedRun {
  key: string;
  start(): Promise<void>;
}

/**
 * First-in, first-out queue of runs with at most `maxConcurrent` running at once. Jobs never
 * reject into the queue: a job's failure is its own business (it records it on its tick).
 *
 * @example
 * const queue = new RunQueue(2);
 * queue.enqueue({ key: 'nightly@2024-01-15T01:00:00.000Z', start: () => launch(tick) });
 * await queue.idle();
 */
export class RunQueue {
  private readonly waiting: QueuedRun[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private readonly drained = new Set<() => void>();

  constructor(readonly maxConcurrent: number) {
    if (!(Number.isInteger(maxConcurrent) && maxConcurrent >= 1)) {
      throw new RangeError(`maxConcurrent must be a positive integer, got ${maxConcurrent}`);
    }
  }

  /** Whether a job with this key is waiting or running. */
  has(key: string): boolean {
    return this.running.has(key) || this.waiting.some((job) => job.key === key);
  }

  /** Adds a job (ignored when one with the same key is queued or running) and starts what fits. */
  enqueue(job: QueuedRun): boolean {
    if (this.has(job.key)) return false;
    this.waiting.push(job);
    this.pump();
    return true;
  }

  get size(): { waiting: number; running: number } {
    return { waiting: this.waiting.length, running: this.running.size };
  }

  /** Resolves once nothing is waiting or running. */
  idle(): Promise<void> {
    if (this.waiting.length === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.add(resolve));
  }

  private pump(): void {
    while (this.running.size < this.maxConcurrent && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      const promise = Promise.resolve()
        .then(() => job.start())
        .catch(() => {})
        .finally(() => {
          this.running.delete(job.key);
          this.pump();
          if (this.waiting.length === 0 && this.running.size === 0) {
            for (const resolve of [...this.drained]) resolve();
            this.drained.clear();
          }
        });
      this.running.set(job.key, promise);
    }
  }
}
