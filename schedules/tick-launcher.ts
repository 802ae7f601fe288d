import type { EventRecord, PartitionFilter, Plan, ShopflowRuntime, TickRecord } from '../framework/index.js';

/** Where a test can make a daemon die: after claiming a tick, after creating its run, after marking it launched. */
export type CrashPoint = 'claimed' | 'run-created' | 'launched';

/** What a claimed tick runs, stored on it before its run exists. */
export interface TickRequest {
  selection: string;
  partitions: PartitionFilter | null;
  /** `asset[partition]` steps planned even when up to date (a sensor's re-read of new data). */
  force?: string[];
  tags: Record<string, string>;
}

/** What became of a launch. */
export type LaunchOutcome =
  | { status: 'skipped'; message: string }
  | { status: 'failed'; message: string }
  | { status: 'finished'; runId: string; runStatus: 'success' | 'failed' | 'canceled' };

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Launches the run of a claimed tick with the run id stored on the tick: plans the request (an
 * empty plan skips the tick), executes it, and marks the tick `launched` as soon as the run exists
 * (its `run_start` event). A tick whose run already exists is never launched again, so a restarted
 * daemon that finds a `claimed` tick launches the same run at most once.
 *
 * @example
 * const launcher = new TickLauncher({ runtime });
 * await launcher.launch(tick); // plans, runs, marks the tick
 */
export class TickLauncher {
  private readonly starting = new Map<string, TickRecord>();
  private readonly marking = new Map<string, Promise<void>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly options: {
      runtime: ShopflowRuntime;
      /** Called at each crash point; a test hook throws or exits there. */
      crashPoint?: (point: CrashPoint) => void;
      onLaunched?: (tick: TickRecord, runId: string) => void;
    },
  ) {
    this.unsubscribe = options.runtime.onEvent((event) => this.onEvent(event));
  }

  /** Whether the run is being started or executed by this launcher. */
  isLaunching(runId: string): boolean {
    return this.starting.has(runId);
  }

  private onEvent(event: EventRecord): void {
    // NOTE: a run handed to a run launcher (ECS) is recorded `queued` here; its task writes run_start.
    if (event.type !== 'run_start' && event.type !== 'run_queued') return;
    const tick = this.starting.get(event.runId);
    if (!tick) return;
    this.options.crashPoint?.('run-created');
    const store = this.options.runtime.store;
    const marked = store
      .updateTick(
        tick.name,
        tick.tickKey,
        { status: 'launched' },
        { status: ['claimed'], runId: event.runId },
      )
      .then(() => {
        this.options.onLaunched?.(tick, event.runId);
        this.options.crashPoint?.('launched');
      })
      .catch((error) => {
        this.options.runtime.log.warn(
          { err: error, tick: tick.tickKey },
          `could not mark tick ${tick.name} launched`,
        );
      });
    this.marking.set(event.runId, marked);
  }

  /** Plans and runs the tick; never throws for a failure of the run itself. */
  async launch(tick: TickRecord): Promise<LaunchOutcome> {
    const { runtime } = this.options;
    const { store } = runtime;
    const runId = tick.runId!;
    const request = tick.request as TickRequest;
    const expect = { status: ['claimed' as const], runId };
    let plan: Awaited<ReturnType<ShopflowRuntime['plan']>>;
    try {
      plan = await runtime.plan({
        selection: request.selection,
        partitions: request.partitions,
        ...(request.force?.length ? { force: request.force } : {}),
      });
    } catch (error) {
      const message = `planning failed: ${describe(error)}`;
      await store.updateTick(tick.name, tick.tickKey, { status: 'failed', runId: null, message }, expect);
      return { status: 'failed', message };
    }
    // NOTE: a sensor reacts to data that arrived: it refreshes what was built, and a step whose
    // upstream was never materialized (a part of the graph this instance never built) is left out
    // and named on the tick, rather than failing every such run and alerting.
    let leftOut = '';
    if (tick.kind === 'request') {
      const pruned = withoutBlockedSteps(plan);
      plan = pruned.plan;
      if (pruned.removed.length > 0) {
        leftOut = `left out ${pruned.removed.length} step${pruned.removed.length === 1 ? '' : 's'} whose upstream was never materialized: ${pruned.removed.slice(0, 3).join(', ')}${pruned.removed.length > 3 ? ', …' : ''}`;
      }
    }
    if (plan.steps.length === 0) {
      const message = [`nothing to do: ${plan.upToDate} asset partitions are up to date`, leftOut]
        .filter(Boolean)
        .join('; ');
      await store.updateTick(tick.name, tick.tickKey, { status: 'skipped', runId: null, message }, expect);
      return { status: 'skipped', message };
    }
    if (leftOut) await store.updateTick(tick.name, tick.tickKey, { message: leftOut }, expect);
    this.starting.set(runId, tick);
    try {
      const tags = { ...request.tags, ...(tick.attempt > 0 ? { attempt: String(tick.attempt) } : {}) };
      const result = await runtime.launch(plan, { runId, tags, parentRunId: tick.parentRunId });
      return { status: 'finished', runId, runStatus: result.status };
    } catch (error) {
      // NOTE: the run may exist (an error after it was created, or a second launcher won the race).
      const run = await store.getRun(runId);
      if (run) {
        await store.updateTick(tick.name, tick.tickKey, { status: 'launched' }, expect);
        return { status: 'finished', runId, runStatus: 'failed' };
      }
      const message = `launching the run failed: ${describe(error)}`;
      await store.updateTick(tick.name, tick.tickKey, { status: 'failed', runId: null, message }, expect);
      return { status: 'failed', message };
    } finally {
      await this.marking.get(runId);
      this.marking.delete(runId);
      this.starting.delete(runId);
    }
  }

  close(): void {
    this.unsubscribe();
  }
}

/**
 * The plan without its steps that cannot run because an upstream partition is neither materialized
 * nor in the plan (`blockedBy`), and without the steps that depend on those; the keys left out.
 */
export function withoutBlockedSteps(plan: Plan): { plan: Plan; removed: string[] } {
  const removed = new Set<string>();
  for (const step of plan.steps) {
    if (step.blockedBy.length > 0 || step.dependsOn.some((key) => removed.has(key))) removed.add(step.key);
  }
  if (removed.size === 0) return { plan, removed: [] };
  return { plan: { ...plan, steps: plan.steps.filter((s) => !removed.has(s.key)) }, removed: [...removed] };
}
