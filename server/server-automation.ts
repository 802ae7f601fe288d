import type { BackfillRecord, ScheduleDefinition, ShopflowRuntime } from '../framework/index.js';

/**
 * What the Automation and Backfills pages need from the schedules package (cron arithmetic, the
 * daemon's lease name, running and canceling backfills). The code location hands it to
 * `createServeCommand`, so the server itself depends on the framework only; `schedules/` exports
 * the implementation (`serverAutomation`). Without it the pages still list schedules, ticks and
 * backfills from the instance store, but show no next ticks and offer no backfill actions.
 */
export interface ServerAutomation {
  /** The next `count` tick times of `schedule` after `after`. */
  nextTicks(schedule: ScheduleDefinition, after: Date, count: number): Date[];
  /** The name of the lease the leading daemon of an instance holds. */
  daemonLease: string;
  /**
   * Resumes a backfill (id or prefix) in this process; calls `onStart` once it has taken it over and
   * resolves when it ends (stopping after the batch in flight when `signal` aborts).
   */
  resumeBackfill(options: {
    runtime: ShopflowRuntime;
    id: string;
    signal: AbortSignal;
    onStart: (backfill: BackfillRecord) => void;
  }): Promise<{ backfill: BackfillRecord }>;
  /** Cancels a backfill from any process (and the run of its batch in flight). */
  cancelBackfill(
    runtime: ShopflowRuntime,
    id: string,
    by: string,
  ): Promise<{ backfill: BackfillRecord; runsCanceled: string[] }>;
}
