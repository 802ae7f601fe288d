import { randomUUID } from 'node:crypto';
import { reapDeadRuns, type ShopflowRuntime, type TickRecord } from '../framework/index.js';

/** What one pass of the run monitor found. */
export interface RunMonitorReport {
  /** Runs whose worker died or stopped heartbeating, now marked failed with the reason. */
  reaped: string[];
  /** Ticks whose run finished (success or failure without retries left). */
  settled: TickRecord[];
  /** Ticks claimed again for a retry, with the new run id stored: launch them. */
  retries: TickRecord[];
}

/**
 * Watches the runs the daemon launched. Each pass marks runs whose process died or stopped
 * heartbeating as failed (with the reason, see the framework's `reapDeadRuns`), then settles
 * launched ticks whose run finished: a failed run is retried while the tick's schedule or sensor
 * allows (`retry.maxRetries`). A retry re-claims the tick with compare-and-swap on the failed run
 * id and a new run id, so two monitors never retry the same failure twice.
 *
 * @example
 * const monitor = new RunMonitor({ runtime, maxRetriesOf: (name) => 1 });
 * const { retries } = await monitor.check(new Date(), (runId) => launcher.isLaunching(runId));
 */
export class RunMonitor {
  constructor(
    private readonly options: {
      runtime: ShopflowRuntime;
      /** Retries allowed for the ticks of a schedule or sensor (0 for unknown names). */
      maxRetriesOf: (name: string) => number;
    },
  ) {}

  async check(now: Date, inFlight: (runId: string) => boolean): Promise<RunMonitorReport> {
    const { runtime } = this.options;
    const { store } = runtime;
    const reaped = await reapDeadRuns({
      store,
      graph: runtime.graph,
      lake: runtime.lake,
      now,
      deadAfterMs: runtime.services.deadAfterMs,
    });
    const settled: TickRecord[] = [];
    const retries: TickRecord[] = [];
    for (const tick of await store.listTicks({ unsettled: true })) {
      if (!tick.runId || inFlight(tick.runId)) continue;
      const run = await store.getRun(tick.runId);
      if (run && (run.status === 'running' || run.status === 'queued')) continue;
      const expect = { status: ['launched' as const], runId: tick.runId };
      if (!run) {
        const message = `run ${tick.runId} is missing from the instance store`;
        if (await store.updateTick(tick.name, tick.tickKey, { runStatus: 'failed', message }, expect)) {
          settled.push({ ...tick, runStatus: 'failed', message });
        }
        continue;
      }
      const allowed = this.options.maxRetriesOf(tick.name);
      if (run.status === 'failed' && tick.attempt < allowed) {
        const patch = {
          status: 'claimed' as const,
          runId: randomUUID(),
          parentRunId: run.id,
          attempt: tick.attempt + 1,
          runStatus: null,
          message: `retry ${tick.attempt + 1} of ${allowed} after run ${run.id.slice(0, 8)} failed: ${run.error ?? 'unknown error'}`,
        };
        if (await store.updateTick(tick.name, tick.tickKey, patch, expect))
          retries.push({ ...tick, ...patch });
        continue;
      }
      const message = run.status === 'failed' ? (run.error ?? 'the run failed') : tick.message;
      if (await store.updateTick(tick.name, tick.tickKey, { runStatus: run.status, message }, expect)) {
        settled.push({ ...tick, runStatus: run.status, message });
      }
    }
    return { reaped, settled, retries };
  }
}
