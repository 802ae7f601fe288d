import type { Logger } from 'pino';
import type { BackfillRecord, ShopflowRuntime } from '../framework/index.js';
import type { ServerAutomation } from './server-automation.js';

/**
 * Resumes backfills inside the server process (the page's "Resume"), without waiting for them, and
 * stops them after their batch in flight when the server closes (they stay resumable).
 *
 * @example
 * const backfill = await launcher.resume('1a2b3c4d'); // resolves once it has taken the backfill over
 */
export class BackfillLauncher {
  private readonly active = new Map<string, Promise<void>>();
  private readonly stop = new AbortController();

  constructor(
    private readonly runtime: ShopflowRuntime,
    private readonly automation: ServerAutomation,
    private readonly log: Logger,
  ) {}

  /** Takes the backfill over and starts it; resolves once it runs, or rejects with why it cannot. */
  async resume(id: string): Promise<BackfillRecord> {
    let started!: (backfill: BackfillRecord) => void;
    const taken = new Promise<BackfillRecord>((resolve) => {
      started = resolve;
    });
    const execution = this.automation.resumeBackfill({
      runtime: this.runtime,
      id,
      signal: this.stop.signal,
      onStart: (backfill) => started(backfill),
    });
    const tracked = execution.then(
      ({ backfill }) =>
        this.log.info({ backfill: backfill.id }, `backfill ${backfill.id} ended: ${backfill.status}`),
      (error: unknown) => this.log.error({ err: error }, `backfill ${id} stopped with an error`),
    );
    const key = `${id}:${Date.now()}`;
    this.active.set(key, tracked);
    void tracked.finally(() => this.active.delete(key));
    const backfill = await Promise.race([taken, execution.then(({ backfill }) => backfill)]);
    this.log.info({ backfill: backfill.id }, `backfill ${backfill.id} resumed from the web page`);
    return backfill;
  }

  /** Asks the backfills started here to stop after their batch in flight, and waits for them. */
  async drain(): Promise<void> {
    this.stop.abort();
    await Promise.allSettled([...this.active.values()]);
  }
}
