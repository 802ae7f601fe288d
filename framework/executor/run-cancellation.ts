import { ShopflowError } from '../errors/error-catalog.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import type { InstanceStore, RunRecord } from '../instance/instance-store.js';
import type { LakeStorage } from '../io/lake-storage/lake-storage.js';
import { finishAbandonedRun, sweepRunFiles } from './finish-abandoned-run.js';
import { deathReason, HOSTNAME } from './process-liveness.js';

/** What asking to cancel a run did. */
export interface CancelRequestResult {
  run: RunRecord;
  /**
   * `requested`: the process executing the run will stop launching steps and end it `canceled` (a
   * run still `queued` for its ECS task: the run launcher stops the task and ends it `canceled`);
   * `canceled`: its process was gone, so the run was ended `canceled` at once.
   */
  outcome: 'requested' | 'canceled';
  /** A cancel had already been requested (nothing new was recorded). */
  alreadyRequested: boolean;
}

function assertCancelable(run: RunRecord): void {
  if (run.status === 'running' || run.status === 'queued') return;
  throw new ShopflowError('SF_RUN_NOT_CANCELABLE', `run ${run.id} has already finished: ${run.status}`, {
    hint:
      run.status === 'failed' || run.status === 'canceled'
        ? 're-execute it from its failures with `shopflow runs retry`'
        : 'only running runs can be canceled',
  });
}

/**
 * Asks for a run to be canceled, from any process: the request is a `run_cancel_requested` event
 * in the instance store, which the process executing the run watches (see {@link CancelWatch}).
 * A run whose process is gone (see `reapDeadRuns`) is ended `canceled` at once, at its last event;
 * so is a run still queued whose launching process is gone.
 * A finished run cannot be canceled (`SF_RUN_NOT_CANCELABLE`).
 *
 * @example
 * await requestRunCancel({ store, run, by: 'cli', now: new Date(), deadAfterMs: 60_000 });
 */
export async function requestRunCancel(options: {
  store: InstanceStore;
  run: RunRecord;
  /** Who asked, for the event and the run's error: `cli`, `web page`, `backfill 1a2b3c4d` … */
  by: string;
  now: Date;
  deadAfterMs: number;
  graph?: AssetGraph;
  lake?: LakeStorage;
}): Promise<CancelRequestResult> {
  const { store, by, now } = options;
  // NOTE: read again: the caller's record may be older than the run's end.
  const run = (await store.getRun(options.run.id)) ?? options.run;
  assertCancelable(run);
  const [earlier] = await store.listEvents({ runId: run.id, types: ['run_cancel_requested'], limit: 1 });
  const ownProcess = run.pid === process.pid && run.hostname === HOSTNAME;
  const dead = ownProcess ? null : deathReason(run, now, options.deadAfterMs);
  if (dead) {
    // NOTE: a process that ended normally wrote the run's end before exiting: read once more, so a
    // run that has just finished is not ended a second time.
    assertCancelable((await store.getRun(run.id)) ?? run);
    const ended = await finishAbandonedRun({
      store,
      run,
      status: 'canceled',
      // NOTE: only in the state its death was judged in: a queued run a task has just taken goes
      // on below, as a request its task sees.
      from: [run.status],
      // NOTE: a run still queued was never started: nothing was in flight, and the process that
      // launched it, not a task, is the one gone (see `EcsRunLauncher`).
      error:
        run.status === 'queued'
          ? `canceled by ${by} before its task started; the process that launched it is gone (${dead}); a task that starts later finds the run canceled and exits without executing it`
          : `canceled by ${by}; ${dead}, so steps in flight were lost`,
      now,
      data: { by },
    });
    if (ended) {
      if (options.graph && options.lake) await sweepRunFiles(options.graph, options.lake, [run.id]);
      return { run: (await store.getRun(run.id)) ?? run, outcome: 'canceled', alreadyRequested: !!earlier };
    }
    assertCancelable((await store.getRun(run.id)) ?? run);
  }
  if (!earlier) {
    await store.appendEvent({
      runId: run.id,
      type: 'run_cancel_requested',
      message: `cancel requested by ${by}: no new step starts; steps in flight finish`,
      data: { by },
    });
  }
  return { run, outcome: 'requested', alreadyRequested: !!earlier };
}

/**
 * Watches the instance store for a cancel request of one run, every `pollMs`, for the process that
 * executes it. `requestedBy` is who asked, or null; `changed` resolves when a request is seen.
 *
 * @example
 * const watch = new CancelWatch(store, runId, 1000);
 * await Promise.race([stepDone, watch.changed]);
 * if (watch.requestedBy) … ;
 * watch.stop();
 */
export class CancelWatch {
  requestedBy: string | null = null;
  readonly changed: Promise<void>;
  private notify!: () => void;
  private readonly timer: NodeJS.Timeout;
  private polling = false;
  /** When the store was last asked (ms since the epoch). */
  private polledAt = 0;
  /** The id of the newest event of the run when the store was last asked. */
  private seenUpTo = 0;

  constructor(
    private readonly store: InstanceStore,
    private readonly runId: string,
    pollMs: number,
  ) {
    this.changed = new Promise((resolve) => {
      this.notify = resolve;
    });
    this.timer = setInterval(() => void this.poll(), pollMs);
    this.timer.unref();
  }

  /**
   * Whether a cancel was requested, looking again first unless the last look is less than
   * `maxAgeMs` old: called before a step starts, so a request stops the next step within that
   * time rather than within the timer's period.
   */
  async requestedWithin(maxAgeMs: number): Promise<boolean> {
    if (this.requestedBy === null && Date.now() - this.polledAt >= maxAgeMs) await this.poll();
    return this.requestedBy !== null;
  }

  /** Looks once (also called by the timer); errors are ignored and the next poll tries again. */
  async poll(): Promise<void> {
    if (this.polling || this.requestedBy !== null) return;
    this.polling = true;
    this.polledAt = Date.now();
    try {
      // NOTE: only the events appended since the last look are searched (event ids only grow, and
      // become visible in order), so a look costs the same early and late in a long run.
      const [newest] = await this.store.listEvents({ runId: this.runId, newestFirst: true, limit: 1 });
      const [event] = await this.store.listEvents({
        runId: this.runId,
        types: ['run_cancel_requested'],
        ...(this.seenUpTo > 0 ? { afterId: this.seenUpTo } : {}),
        limit: 1,
      });
      if (newest) this.seenUpTo = Math.max(this.seenUpTo, newest.id);
      if (event) {
        this.requestedBy = typeof event.data.by === 'string' ? event.data.by : 'someone';
        this.stop();
        this.notify();
      }
    } catch {
      // NOTE: a store that is briefly unavailable must not fail the run; the next poll looks again.
    } finally {
      this.polling = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
