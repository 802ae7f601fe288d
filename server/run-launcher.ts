import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Plan, RunResult, ShopflowRuntime } from '../framework/index.js';

/**
 * Starts runs inside the server process without waiting for them, and remembers them so the
 * server can wait for them when it stops.
 *
 * @example
 * const runId = await launcher.launch(plan, { concurrency: 2 }); // resolves once the run record exists
 * const retryId = await launcher.retry(failedRunId);
 */
export class RunLauncher {
  private readonly active = new Map<string, Promise<void>>();

  constructor(
    private readonly runtime: ShopflowRuntime,
    private readonly log: Logger,
  ) {}

  /** Runs started here that have not finished. */
  get running(): number {
    return this.active.size;
  }

  /**
   * Starts `plan` (here, or in an ECS task with `executor.runLauncher`); resolves with the run id as
   * soon as the run is recorded (its `run_start` or `run_queued` event).
   */
  async launch(plan: Plan, options: { concurrency?: number } = {}): Promise<string> {
    return await this.start(
      (runId) =>
        this.runtime.launch(plan, { runId, concurrency: options.concurrency, tags: { trigger: 'web' } }),
      { selection: plan.selection, steps: plan.steps.length },
    );
  }

  /**
   * Re-executes `parentRunId` from its failures (what `shopflow runs retry` does); throws
   * `SF_RUN_NOT_RETRYABLE` for a run still going, one that succeeded or was retried already.
   */
  async retry(parentRunId: string, options: { concurrency?: number } = {}): Promise<string> {
    return await this.start(
      (runId) =>
        this.runtime.retry(parentRunId, {
          runId,
          concurrency: options.concurrency,
          tags: { trigger: 'web' },
        }),
      { retryOf: parentRunId },
    );
  }

  private async start(execute: (runId: string) => Promise<RunResult>, about: object): Promise<string> {
    const runId = randomUUID();
    let recorded!: () => void;
    const started = new Promise<void>((resolve) => {
      recorded = resolve;
    });
    const unsubscribe = this.runtime.onEvent((event) => {
      if (event.runId === runId && (event.type === 'run_start' || event.type === 'run_queued')) recorded();
    });
    this.log.info({ runId, ...about }, `run ${runId} launched from the web page`);
    const execution = execute(runId);
    const tracked = execution.then(
      (result) => {
        this.log.info({ runId, status: result.status }, `run ${runId} finished: ${result.status}`);
      },
      (error: unknown) => {
        this.log.error({ runId, err: error }, `run ${runId} stopped with an error`);
      },
    );
    this.active.set(runId, tracked);
    void tracked.finally(() => this.active.delete(runId));
    try {
      await Promise.race([started, execution]);
    } finally {
      unsubscribe();
    }
    return runId;
  }

  /** Waits for every run started here to finish. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.active.values()]);
  }
}
