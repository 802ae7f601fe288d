import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ShopflowConfig } from '../config/config-schema.js';
import { bindDefinitions } from '../definitions/bind-definitions.js';
import type { Definitions } from '../definitions/define-definitions.js';
import { DuckDbEngine, type DuckDbSession } from '../duckdb/duckdb-session.js';
import { duckdbThreads } from '../duckdb/duckdb-threads.js';
import { ShopflowError } from '../errors/error-catalog.js';
import type { LaunchOptions } from '../executor/ecs/ecs-run-launcher.js';
import { executePlan, type RunResult } from '../executor/execute-plan.js';
import { openStepQueue } from '../executor/queue/open-step-queue.js';
import { queueLauncher } from '../executor/queue/queue-launcher.js';
import { queueRouting } from '../executor/queue/queue-routing.js';
import { reapDeadRuns } from '../executor/reap-dead-runs.js';
import { ResourceCache, resourceConfig } from '../executor/resource-cache.js';
import { DEFAULT_RETRY_POLICY } from '../executor/retry-policy.js';
import type { StepLauncher } from '../executor/step-launcher.js';
import type { StepServices } from '../executor/step-services.js';
import { type GraphClassification, graphClassification } from '../governance/graph-classification.js';
import { selectAssets } from '../graph/asset-selection.js';
import type { EventRecord, InstanceStore, RunRecord } from '../instance/instance-store.js';
import { openInstanceStore } from '../instance/open-instance-store.js';
import type { IoContext } from '../io/io-target.js';
import { createLakeStorage } from '../io/lake-storage/create-lake-storage.js';
import type { LakeStorage } from '../io/lake-storage/lake-storage.js';
import { parseAssetPartition } from '../keys/asset-key.js';
import { EmfMetrics } from '../metrics/emf-metrics.js';
import { StepMetrics } from '../metrics/step-metrics.js';
import { type OpenLineageEmitter, openLineageEmitter } from '../openlineage/open-lineage-emitter-for.js';
import { AssetStateIndex } from '../planner/asset-state-index.js';
import { loadChangeLogs } from '../planner/change-log.js';
import { observeLakeIntegrity } from '../planner/lake-integrity.js';
import { observeExternalInputs } from '../planner/observe-external-inputs.js';
import { type PartitionFilter, type Plan, planMaterialization } from '../planner/plan-materialization.js';
import type { StalenessReason } from '../planner/staleness-reason.js';
import { WakeableSleep } from './wakeable-sleep.js';

export type EventListener = (event: EventRecord) => void;

/** Where the instance database and the lake live for a config (`lakeRoot`: the local lake's folder, null on S3). */
export function resolveLocations(config: ShopflowConfig): {
  home: string;
  lakeRoot: string | null;
  instancePath: string | null;
} {
  const home = config.home;
  const lakeRoot = config.lake.type === 'local' ? (config.lake.path ?? join(home, 'lake')) : null;
  const instancePath =
    config.instance.type === 'sqlite' ? (config.instance.path ?? join(home, 'instance.db')) : null;
  return { home, lakeRoot, instancePath };
}

/**
 * One process's view of a ShopFlow instance: the definitions, the instance store, the DuckDB engine
 * and the resources, with the operations the CLI, the web server and the daemon share.
 *
 * @example
 * const runtime = await ShopflowRuntime.open({ config, definitions, log });
 * const plan = await runtime.plan({ selection: '+gold_sales_daily' });
 * await runtime.execute(plan);
 * await runtime.close();
 */
export class ShopflowRuntime {
  private readonly listeners = new Set<EventListener>();
  /** Runs whose events the listeners get from the instance store (see `relayRunEvents`). */
  private readonly relayedRuns = new Set<string>();
  private readonly pendingHooks = new Set<Promise<void>>();
  /**
   * Metrics of the runs this process executes; sinks are added by the server and the daemon
   * (Prometheus) and by `metrics.emf` (CloudWatch embedded-metric lines).
   */
  readonly metrics: StepMetrics;
  /** OpenLineage run events, when the config has an `openlineage` section. */
  private readonly openLineage: OpenLineageEmitter | undefined;
  readonly services: StepServices;

  private constructor(
    readonly config: ShopflowConfig,
    readonly definitions: Definitions,
    readonly store: InstanceStore,
    readonly log: Logger,
    /** Where lake tables keep their files (a local folder or S3). */
    readonly lake: LakeStorage,
    readonly engine: DuckDbEngine,
    readonly resources: ResourceCache,
    options: { now?: () => Date; sleep?: (ms: number) => Promise<void> },
  ) {
    this.metrics = new StepMetrics({ store, baselineRuns: config.metrics.baselineRuns, log });
    this.openLineage = openLineageEmitter(
      config,
      definitions.graph,
      log,
      async () => (await this.classification()).columns,
    );
    if (config.metrics.emf) this.metrics.addSink(new EmfMetrics());
    this.services = {
      store,
      graph: definitions.graph,
      engine,
      resources,
      lake,
      log,
      retryDefaults: { ...DEFAULT_RETRY_POLICY, ...config.executor.retry },
      lockWaitMs: config.executor.lockWaitSeconds * 1000,
      deadAfterMs: config.executor.deadAfterSeconds * 1000,
      now: options.now ?? (() => new Date()),
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      emit: async (event) => {
        const record = await store.appendEvent(event);
        this.publish(record);
        return record;
      },
      emitAll: async (events) => {
        const records = await store.appendEvents(events);
        for (const record of records) this.publish(record);
        return records;
      },
      published: (records) => {
        for (const record of records) this.publish(record);
      },
    };
  }

  /** Tells the listeners, metrics, OpenLineage and hooks of an event now in the store. */
  private publish(record: EventRecord): void {
    // NOTE: the events of a run whose steps run elsewhere reach the listeners through its relay, in order.
    if (!this.relayedRuns.has(record.runId)) for (const listener of this.listeners) listener(record);
    if (this.metrics.active) this.track(this.metrics.observe(record));
    if (this.openLineage) this.track(this.openLineage.observe(record));
    // NOTE: hooks (webhooks …) run beside the run, never inside a step's critical path;
    // close() waits for them so a short CLI run still delivers its alerts.
    if (this.definitions.hooks.length > 0) {
      const pending = this.runHooks(record).finally(() => this.pendingHooks.delete(pending));
      this.pendingHooks.add(pending);
    }
  }

  static async open(options: {
    config: ShopflowConfig;
    definitions: Definitions;
    log: Logger;
    store?: InstanceStore;
    now?: () => Date;
    sleep?: (ms: number) => Promise<void>;
  }): Promise<ShopflowRuntime> {
    const { config } = options;
    // NOTE: every resource's config section is checked before anything is created or run, so a bad
    // value fails the command, not the first step that uses the resource after others have written.
    for (const resource of options.definitions.resources) resourceConfig(config, resource);
    const { home, lakeRoot, instancePath } = resolveLocations(config);
    mkdirSync(home, { recursive: true });
    if (lakeRoot) mkdirSync(lakeRoot, { recursive: true });
    const fromEnvironment = (config as { fromEnvironment?: Record<string, string[]> }).fromEnvironment;
    const lake = createLakeStorage(config.lake, { home, log: options.log, fromEnvironment });
    const store =
      options.store ??
      (await openInstanceStore(
        config.instance.type === 'sqlite'
          ? { type: 'sqlite', path: instancePath! }
          : {
              type: 'postgres',
              url: config.instance.url,
              schema: config.instance.schema,
              urlVariables: fromEnvironment?.['instance.url'],
            },
      ));
    const engine = new DuckDbEngine({
      tempDirectory: join(home, 'tmp', 'duckdb'),
      threads: duckdbThreads(config.executor),
      ...(config.executor.duckdbThreads === undefined ? { shareCores: availableParallelism() } : {}),
    });
    const resources = new ResourceCache({ home, log: options.log, settings: config });
    return new ShopflowRuntime(
      config,
      bindDefinitions(options.definitions, { settings: config, now: (options.now ?? (() => new Date()))() }),
      store,
      options.log,
      lake,
      engine,
      resources,
      options,
    );
  }

  /** Work beside a run (metrics, lineage events) that `execute` and `close` wait for. */
  private track(work: Promise<void>): void {
    const pending = work.finally(() => this.pendingHooks.delete(pending));
    this.pendingHooks.add(pending);
  }

  private async runHooks(event: EventRecord): Promise<void> {
    for (const hook of this.definitions.hooks) {
      if (hook.types && !hook.types.includes(event.type)) continue;
      try {
        await hook.onEvent(event, {
          resource: (definition) => this.resources.get(definition),
          log: this.log,
          store: this.store,
        });
      } catch (error) {
        this.log.warn({ hook: hook.name, err: error }, `event hook ${hook.name} failed; the run goes on`);
      }
    }
  }

  get graph() {
    return this.definitions.graph;
  }

  /** The local lake's folder; a lake on S3 has none (read it through {@link lake} or {@link preview}). */
  get lakeRoot(): string {
    if (this.lake.kind !== 'local') {
      throw new ShopflowError(
        'SF_BAD_USAGE',
        `the lake is on S3 (${this.lake.description}), not in a folder`,
        {
          hint: 'read lake data through runtime.preview() or the asset IO targets',
        },
      );
    }
    return this.lake.description;
  }

  /** What an asset's IO target needs to read one partition outside a run (previews, tools). */
  ioContext(assetKey: string, partitionKey: string | null, duckdb: DuckDbSession): IoContext {
    const asset = this.graph.get(assetKey);
    return {
      assetKey,
      partitionKey,
      runId: 'preview',
      schema: asset.schema,
      duckdb,
      lake: this.lake,
      resource: (definition) => this.resources.get(definition),
      quarantine: [],
    };
  }

  /**
   * The classification of every column of the graph (declared, or inherited through the column
   * lineage of the assets' statements), computed once per process.
   */
  classification(): Promise<GraphClassification> {
    return graphClassification(this.graph, () => this.engine.session());
  }

  /**
   * Up to `limit` rows of one stored partition of an asset (`shopflow show`, the web page); with
   * `quarantine`, the rows its last write quarantined.
   */
  async preview(
    assetKey: string,
    partitionKey: string | null,
    limit: number,
    options: { quarantine?: boolean } = {},
  ): Promise<{ columns: Array<{ name: string; type: string }>; rows: Record<string, unknown>[] }> {
    const asset = this.graph.get(assetKey);
    if (options.quarantine && !asset.io.supportsQuarantine) {
      throw new ShopflowError(
        'SF_BAD_USAGE',
        `asset \`${assetKey}\` (${asset.io.kind}) keeps no quarantine`,
        {
          hint: 'quarantined rows exist for lake tables with quarantine checks',
        },
      );
    }
    const duckdb = await this.engine.session();
    try {
      return await asset.io.preview(
        this.ioContext(assetKey, partitionKey, duckdb),
        partitionKey,
        limit,
        options,
      );
    } finally {
      duckdb.close();
    }
  }

  /**
   * Hands the listeners every event of run `runId` as the instance store records it, whichever
   * process emitted it (the workers of a queued run), in id order and each once: the store is read
   * after the last event relayed every `pollMs`. `stop` relays what is left and ends the relay.
   * Metrics, lineage and hooks are not relayed: the process that emitted an event handles them.
   */
  private relayRunEvents(runId: string, pollMs = 200): { stop: () => Promise<void> } {
    this.relayedRuns.add(runId);
    let afterId: number | undefined;
    let stopped = false;
    const pause = new WakeableSleep();
    const drain = async () => {
      for (;;) {
        const events = await this.store.listEvents({ runId, afterId, limit: 500 });
        for (const event of events) {
          afterId = event.id;
          for (const listener of this.listeners) listener(event);
        }
        if (events.length < 500) return;
      }
    };
    const loop = (async () => {
      while (!stopped) {
        // NOTE: a store briefly unavailable must not fail the run; the next poll reads again.
        await drain().catch(() => {});
        if (!stopped) await pause.sleep(pollMs);
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        pause.wake();
        await loop;
        await drain().catch((error: unknown) => {
          this.log.warn({ run: runId, err: error }, 'the last events of the run could not be read back');
        });
        this.relayedRuns.delete(runId);
      },
    };
  }

  /**
   * Subscribes to every event this process emits, and to every event of the queued runs it executes
   * (their workers' events included); returns the unsubscribe function.
   */
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Marks runs whose process died as failed (see {@link reapDeadRuns}). */
  async reapDeadRuns(now: Date = this.services.now()): Promise<string[]> {
    return await reapDeadRuns({
      store: this.store,
      graph: this.graph,
      lake: this.lake,
      now,
      deadAfterMs: this.services.deadAfterMs,
    });
  }

  /**
   * What the instance store cannot know by itself, by step key: external inputs (files, landed
   * objects) that changed since the partitions that read them were materialized (see
   * {@link observeExternalInputs}), and lake partitions whose stored files are missing or damaged
   * (see {@link observeLakeIntegrity}, a quick look).
   */
  async observeInputs(
    options: {
      states?: AssetStateIndex;
      assetKeys?: readonly string[];
      partitions?: PartitionFilter | null;
    } = {},
  ): Promise<Map<string, StalenessReason[]>> {
    const states = options.states ?? new AssetStateIndex(await this.store.listPlannerStates());
    const common = {
      graph: this.graph,
      store: this.store,
      states,
      now: this.services.now(),
      log: this.log,
      assetKeys: options.assetKeys,
      partitions: options.partitions,
    };
    const [inputs, lake] = await Promise.all([
      observeExternalInputs({ ...common, resource: (definition) => this.resources.get(definition) }),
      observeLakeIntegrity({ ...common, lake: this.lake, depth: 'quick' }),
    ]);
    for (const [key, reasons] of lake.reasons) inputs.set(key, [...reasons, ...(inputs.get(key) ?? [])]);
    return inputs;
  }

  async plan(
    options: { selection?: string; partitions?: PartitionFilter | null; force?: boolean | string[] } = {},
  ): Promise<Plan> {
    const assetKeys = selectAssets(this.graph, options.selection);
    const states = new AssetStateIndex(await this.store.listPlannerStates());
    const changeLogs = await loadChangeLogs(this.store, this.graph);
    const observed = await this.observeInputs({ states, assetKeys, partitions: options.partitions });
    return planMaterialization({
      observed,
      changeLogs,
      graph: this.graph,
      states,
      assetKeys,
      selection: options.selection?.trim() || '*',
      partitions: options.partitions ?? null,
      force: options.force,
      now: this.services.now(),
    });
  }

  /**
   * Runs `plan` the way runs launched by the daemon and the web page run: with
   * `executor.runLauncher` of type `ecs` in its own ECS task (see {@link EcsRunLauncher}), else here
   * (see {@link execute}).
   */
  async launch(plan: Plan, options: LaunchOptions = {}): Promise<RunResult> {
    const launcher = this.config.executor.runLauncher;
    // NOTE: a plan with nothing to do starts no task: it is recorded and ends here at once.
    if (launcher?.type !== 'ecs' || plan.steps.length === 0) return await this.execute(plan, options);
    const { EcsRunLauncher } = await import('../executor/ecs/ecs-run-launcher.js');
    return await new EcsRunLauncher({
      config: launcher,
      store: this.store,
      emit: this.services.emit,
      now: this.services.now,
      sleep: this.services.sleep,
      log: this.log,
      heartbeatMs: this.config.executor.heartbeatSeconds * 1000,
    }).launch(plan, options);
  }

  /**
   * Executes the run `runId` that a run launcher recorded as `queued`, with its recorded plan (what
   * `shopflow materialize --run-id` does inside an ECS task).
   */
  async executeQueued(runId: string, options: { concurrency?: number } = {}): Promise<RunResult> {
    const run = await this.store.getRun(runId);
    if (!run) {
      throw new ShopflowError('SF_UNKNOWN_RUN', `no run has the id \`${runId}\``, {
        hint: 'a run launcher records the run before it starts the task that executes it',
      });
    }
    if (run.status !== 'queued') {
      throw new ShopflowError('SF_RUN_NOT_RETRYABLE', `run ${runId} is ${run.status}, not queued`, {
        hint: 'a queued run is executed once; retry a finished one with `shopflow runs retry`',
      });
    }
    return await this.execute(run.plan as Plan, { ...options, queued: run });
  }

  async execute(
    plan: Plan,
    options: {
      concurrency?: number;
      parentRunId?: string | null;
      tags?: Record<string, string>;
      launcher?: StepLauncher;
      /** Where steps run when no launcher is given (default `executor.type` of the config). */
      executor?: 'in-process' | 'queue';
      runId?: string;
      /** How often the run looks for a cancel request (default 1000 ms). */
      cancelPollMs?: number;
      /** A run a run launcher recorded as `queued` (see {@link executeQueued}). */
      queued?: RunRecord;
    } = {},
  ): Promise<RunResult> {
    const executor = options.executor ?? this.config.executor.type;
    if (!options.launcher && executor === 'queue') {
      const queue = await openStepQueue(this.config.instance);
      // NOTE: the id is chosen here so the run's events can be relayed from its first one.
      const runId = options.queued?.id ?? options.runId ?? randomUUID();
      const relay = this.relayRunEvents(runId);
      try {
        return await this.execute(plan, {
          ...options,
          runId,
          launcher: queueLauncher({
            queue,
            store: this.store,
            queueName: this.config.executor.queue,
            queueOf: queueRouting(this.graph, this.config.executor.queues, this.config.executor.queue),
            leaseMs: this.config.executor.leaseSeconds * 1000,
            now: this.services.now,
            onRedelivery: async (step, previousOwner, attempt, reason) => {
              const planned = plan.steps.find((s) => s.key === step.key);
              const why =
                reason === 'lease_expired'
                  ? `worker ${previousOwner} stopped renewing its lease`
                  : 'a worker took it off the queue and never started it';
              await this.services.emit({
                runId: step.runId,
                type: 'step_retry',
                assetKey: planned?.assetKey ?? null,
                partitionKey: planned?.partitionKey ?? null,
                message: `${step.key}: ${why}; sent again (delivery ${attempt})`,
                data: { attempt, previousOwner, reason },
              });
            },
            onIdle: (queueName, waitedMs) => {
              this.log.warn(
                { queue: queueName, run: runId },
                `no worker has taken a step of queue ${queueName} for ${Math.round(waitedMs / 1000)} s: start \`shopflow worker${queueName === this.config.executor.queue ? '' : ` --queue ${queueName}`}\` on this instance`,
              );
            },
          }),
        });
      } finally {
        await relay.stop();
        await queue.close(false);
      }
    }
    const concurrency = options.concurrency ?? this.config.executor.concurrency;
    await this.engine.useThreads(duckdbThreads(this.config.executor, concurrency));
    const result = await executePlan({
      cancelPollMs: options.cancelPollMs,
      plan,
      services: this.services,
      concurrency,
      heartbeatMs: this.config.executor.heartbeatSeconds * 1000,
      parentRunId: options.parentRunId,
      tags: options.tags,
      launcher: options.launcher,
      runId: options.runId,
      queued: options.queued,
    });
    // NOTE: steps never wait for hooks; the run's result does, so its alerts are out when it returns.
    await Promise.allSettled([...this.pendingHooks]);
    return result;
  }

  /**
   * Re-executes a finished run from its failures: the steps that failed, were skipped because of a
   * failure, or never ran; steps that succeeded are not repeated.
   */
  async retry(
    runId: string,
    options: {
      concurrency?: number;
      runId?: string;
      tags?: Record<string, string>;
      executor?: 'in-process' | 'queue';
    } = {},
  ): Promise<RunResult> {
    const run = await this.store.getRun(runId);
    if (!run)
      throw new ShopflowError('SF_UNKNOWN_RUN', `no run has the id \`${runId}\``, {
        hint: 'list runs with `shopflow runs`',
      });
    if (run.status === 'running' || run.status === 'queued') {
      throw new ShopflowError('SF_RUN_NOT_RETRYABLE', `run ${runId} is still ${run.status}`, {
        hint: 'wait for it to finish',
      });
    }
    if (run.status === 'success') {
      throw new ShopflowError('SF_RUN_NOT_RETRYABLE', `run ${runId} succeeded; there is nothing to retry`, {
        hint: 'use `shopflow materialize` to run stale assets',
      });
    }
    const retried = (await this.store.listRuns({ limit: 1000 })).find(
      (r) => r.parentRunId === runId && r.status === 'success',
    );
    if (retried) {
      throw new ShopflowError(
        'SF_RUN_NOT_RETRYABLE',
        `run ${runId} was already retried successfully by run ${retried.id}`,
        {
          hint: 'use `shopflow materialize` to run whatever is stale now',
        },
      );
    }
    const plan = run.plan as Plan;
    const states = new AssetStateIndex(await this.store.listAssetPartitionStates());
    const succeeded = new Set(
      (await this.store.listEvents({ runId, types: ['step_success', 'step_skipped'] }))
        .filter(
          (e) =>
            (e.type === 'step_success' && e.data.blocking !== true) ||
            (e.type === 'step_skipped' &&
              (e.data.reason === 'upstream_unchanged' || e.data.reason === 'change_outside_window')),
        )
        .map((e) => (e.partitionKey === null ? e.assetKey! : `${e.assetKey}[${e.partitionKey}]`)),
    );
    const steps = plan.steps
      .filter((s) => !succeeded.has(s.key))
      .map((s) => {
        const remaining = s.dependsOn.filter((k) => !succeeded.has(k));
        const blockedBy = s.blockedBy.filter((label) => {
          const { assetKey, partitionKey } = parseAssetPartition(label);
          return states.get(assetKey, partitionKey)?.materializationId == null;
        });
        return { ...s, dependsOn: remaining, blockedBy };
      });
    return await this.execute(
      { ...plan, steps, createdAt: this.services.now().toISOString() },
      { ...options, parentRunId: runId },
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pendingHooks]);
    await this.resources.disposeAll();
    await this.engine.close();
    await this.lake.close();
    await this.store.close();
  }
}
