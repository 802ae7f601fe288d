import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ShopflowError } from '../../errors/error-catalog.js';
import type { InstanceStore, NewEvent, RunRecord } from '../../instance/instance-store.js';
import type { Plan } from '../../planner/plan-materialization.js';
import type { RunResult } from '../execute-plan.js';
import { finishAbandonedRun } from '../finish-abandoned-run.js';
import { HOSTNAME } from '../process-liveness.js';
import type { StepOutcome } from '../step-services.js';
import type { EcsRunLauncherConfig } from './ecs-run-launcher-config.js';

/** The tag every task carries with the id of the run it executes. */
export const RUN_ID_TAG = 'shopflow:run-id';

const FINISHED = new Set<RunRecord['status']>(['success', 'failed', 'canceled']);

/** How a run is launched (`ShopflowRuntime.launch`, `EcsRunLauncher.launch`). */
export interface LaunchOptions {
  runId?: string;
  tags?: Record<string, string>;
  parentRunId?: string | null;
  /** Steps run at once (inside an ECS task: `materialize --concurrency N`); the config's when absent. */
  concurrency?: number;
}

/** The ECS operations the launcher uses (the AWS SDK's client in production, any client in tests). */
export interface EcsApi {
  runTask(input: Record<string, unknown>): Promise<{
    tasks?: Array<{ taskArn?: string }>;
    failures?: Array<{ arn?: string; reason?: string; detail?: string }>;
  }>;
  describeTasks(input: { cluster: string; tasks: string[] }): Promise<{
    tasks?: Array<{
      taskArn?: string;
      lastStatus?: string;
      stopCode?: string;
      stoppedReason?: string;
      containers?: Array<{ name?: string; exitCode?: number; reason?: string }>;
    }>;
    failures?: Array<{ arn?: string; reason?: string; detail?: string }>;
  }>;
  stopTask(input: { cluster: string; task: string; reason: string }): Promise<unknown>;
  close(): void;
}

/** The AWS SDK's ECS client behind {@link EcsApi} (loaded only when a run is launched on ECS). */
export async function awsEcsApi(config: EcsRunLauncherConfig): Promise<EcsApi> {
  const { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } = await import(
    '@aws-sdk/client-ecs'
  );
  const client = new ECSClient({
    ...(config.region ? { region: config.region } : {}),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
  });
  return {
    runTask: async (input) => await client.send(new RunTaskCommand(input as never)),
    describeTasks: async (input) => await client.send(new DescribeTasksCommand(input)),
    stopTask: async (input) => await client.send(new StopTaskCommand(input)),
    close: () => client.destroy(),
  };
}

function shortArn(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

const DENIED_NAMES = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);
const CREDENTIAL_NAMES = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'CredentialsProviderError',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * A failed ECS request as a `ShopflowError`: refused for lack of a permission (or credentials) →
 * `SF_PERMISSION_DENIED` naming the IAM action (or the credentials); network failures and server errors →
 * `SF_UNREACHABLE`; any other refusal (unknown cluster, invalid subnets …) → `SF_CONFIG_INVALID`.
 */
export function ecsError(
  operation: string,
  error: unknown,
  config: Pick<EcsRunLauncherConfig, 'cluster' | 'taskDefinition'>,
): ShopflowError {
  const name = (error as { name?: string })?.name ?? '';
  const code = (error as { code?: string })?.code ?? '';
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const message = error instanceof Error ? error.message : String(error);
  const what = `ECS ${operation} failed: ${name && name !== 'Error' ? `${name}: ` : ''}${message}`;
  if (DENIED_NAMES.has(name) || status === 403) {
    // NOTE: AWS names the action it refused ("… is not authorized to perform: iam:PassRole on …").
    const action = /perform: ([A-Za-z0-9-]+:[A-Za-z0-9*]+)/.exec(message)?.[1] ?? `ecs:${operation}`;
    return new ShopflowError('SF_PERMISSION_DENIED', what, {
      hint: `the role of this process lacks the permission \`${action}\` (task definition ${config.taskDefinition}, cluster ${config.cluster}); infra/ grants the run launcher ecs:RunTask, ecs:DescribeTasks, ecs:StopTask and iam:PassRole on the task's roles — deploy it, or add the permission`,
      cause: error,
      details: { permission: action },
    });
  }
  if (CREDENTIAL_NAMES.has(name)) {
    return new ShopflowError('SF_PERMISSION_DENIED', what, {
      hint: 'the AWS credentials of this process are missing, invalid or expired (in ECS: the task role; elsewhere: AWS_PROFILE or AWS_ACCESS_KEY_ID)',
      cause: error,
    });
  }
  if (NETWORK_CODES.has(code) || name === 'TimeoutError' || (status !== undefined && status >= 500)) {
    return new ShopflowError('SF_UNREACHABLE', what, {
      hint: 'check that the ECS endpoint is reachable (executor.runLauncher.region and endpoint)',
      cause: error,
    });
  }
  return new ShopflowError('SF_CONFIG_INVALID', what, {
    hint: 'check executor.runLauncher (cluster, taskDefinition, container, subnets, securityGroups)',
    cause: error,
  });
}

/**
 * Runs each run in one isolated ECS task: records the run as `queued` with its plan, starts the
 * task with `RunTask` (the container's command overridden with `materialize --run-id ID`, the task
 * tagged with the run id, the run id as idempotency token), then describes the task until the run
 * has finished. The task executes the recorded plan, so events, lineage and checks are written by
 * it, as by any process. A task that cannot start, or stops before its run finished (killed, out
 * of memory, image not pulled), marks the run failed with ECS's stop reason. An empty plan starts no
 * task. A cancel request for a run still `queued` (its task not started) stops the task with
 * `StopTask` and ends the run `canceled`; a run its task executes is canceled by that task.
 * Until its task takes it, the queued run is this process's: it carries this process's id and
 * host and its heartbeat, so a cancel after this process died ends the run at once (a task that
 * starts later finds it canceled and exits without executing it).
 *
 * @example
 * const launcher = new EcsRunLauncher({ config: config.executor.runLauncher, store, emit, now, sleep, log });
 * const result = await launcher.launch(plan, { tags: { trigger: 'schedule' } });
 */
export class EcsRunLauncher {
  constructor(
    private readonly options: {
      config: EcsRunLauncherConfig;
      store: InstanceStore;
      emit: (event: NewEvent) => Promise<unknown>;
      now: () => Date;
      sleep: (ms: number) => Promise<void>;
      log: Logger;
      api?: EcsApi;
      /** How often the queued run's heartbeat is written (default 5 s). */
      heartbeatMs?: number;
    },
  ) {}

  async launch(plan: Plan, options: LaunchOptions = {}): Promise<RunResult> {
    const { config, store } = this.options;
    const runId = options.runId ?? randomUUID();
    const run = await store.createRun({
      id: runId,
      selection: plan.selection,
      plan,
      status: 'queued',
      tags: { ...options.tags, launcher: 'ecs' },
      parentRunId: options.parentRunId ?? null,
      pid: process.pid,
      hostname: HOSTNAME,
    });
    const heartbeat = this.heartbeatWhileQueued(runId);
    let api: EcsApi | undefined;
    try {
      await this.options.emit({
        runId,
        type: 'run_queued',
        message: `run handed to ECS: a task of ${config.taskDefinition} in cluster ${config.cluster}`,
        data: { steps: plan.steps.length, selection: plan.selection, launcher: 'ecs' },
      });
      api = this.options.api ?? (await awsEcsApi(config));
      let taskArn: string;
      try {
        taskArn = await this.start(api, runId, options.concurrency);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        return await this.fail(run, (error as Error).message, typeof code === 'string' ? { code } : {});
      }
      await this.options.emit({
        runId,
        type: 'log',
        message: `ECS task ${shortArn(taskArn)} started for the run`,
        data: { ecsTask: taskArn },
      });
      return await this.watch(api, run, taskArn);
    } finally {
      clearInterval(heartbeat);
      if (!this.options.api) api?.close();
    }
  }

  /**
   * Writes the queued run's heartbeat now and every `heartbeatMs` until the run is no longer
   * queued: from then on its task (or its end) speaks for it.
   */
  private heartbeatWhileQueued(runId: string): NodeJS.Timeout {
    const { store, now } = this.options;
    let beating = false;
    const beat = async () => {
      if (beating) return;
      beating = true;
      try {
        if ((await store.getRun(runId))?.status === 'queued')
          await store.heartbeat(runId, now().toISOString());
        else clearInterval(timer);
      } catch {
        // NOTE: a store briefly unavailable must not fail the launch; the next beat tries again.
      } finally {
        beating = false;
      }
    };
    const timer = setInterval(() => void beat(), this.options.heartbeatMs ?? 5_000);
    timer.unref();
    void beat();
    return timer;
  }

  private async start(api: EcsApi, runId: string, concurrency?: number): Promise<string> {
    const { config } = this.options;
    let output: Awaited<ReturnType<EcsApi['runTask']>>;
    try {
      output = await api.runTask({
        cluster: config.cluster,
        taskDefinition: config.taskDefinition,
        launchType: config.launchType,
        count: 1,
        clientToken: runId,
        startedBy: `shopflow-${runId.slice(0, 26)}`,
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: config.subnets,
            ...(config.securityGroups.length ? { securityGroups: config.securityGroups } : {}),
            assignPublicIp: config.assignPublicIp ? 'ENABLED' : 'DISABLED',
          },
        },
        overrides: {
          containerOverrides: [
            {
              name: config.container,
              command: [
                'materialize',
                '--run-id',
                runId,
                ...(concurrency !== undefined ? ['--concurrency', String(concurrency)] : []),
                '--json',
              ],
            },
          ],
        },
        tags: [{ key: RUN_ID_TAG, value: runId }],
        propagateTags: 'TASK_DEFINITION',
      });
    } catch (error) {
      throw ecsError('RunTask', error, config);
    }
    const taskArn = output.tasks?.[0]?.taskArn;
    if (!taskArn) {
      const why = (output.failures ?? []).map(
        (f) => `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`,
      );
      throw new Error(`ECS could not start a task: ${why.join('; ') || 'no task and no reason returned'}`);
    }
    return taskArn;
  }

  private async watch(api: EcsApi, run: RunRecord, taskArn: string): Promise<RunResult> {
    const { config, store } = this.options;
    for (;;) {
      await this.options.sleep(config.pollSeconds * 1000);
      const current = (await store.getRun(run.id)) ?? run;
      if (FINISHED.has(current.status)) return await this.resultOf(current);
      // NOTE: a run its task executes watches for cancel requests itself; one still queued (the task
      // PENDING, its container not started) is this launcher's to cancel.
      if (current.status === 'queued') {
        const canceled = await this.cancelQueued(api, current, taskArn);
        if (canceled) return canceled;
      }
      let described: Awaited<ReturnType<EcsApi['describeTasks']>>;
      try {
        described = await api.describeTasks({ cluster: config.cluster, tasks: [taskArn] });
      } catch (error) {
        // NOTE: a passing fault of the ECS API must not fail a run that is going on in its task.
        this.options.log.warn({ runId: run.id, err: error }, 'describing the ECS task failed; trying again');
        continue;
      }
      const task = described.tasks?.[0];
      if (!task) {
        const failure = described.failures?.[0];
        return await this.stopped(
          run.id,
          taskArn,
          `ECS no longer knows the task (${failure?.reason ?? 'no reason given'})`,
        );
      }
      if (task.lastStatus !== 'STOPPED') continue;
      const container = task.containers?.find((c) => c.name === config.container);
      const details = [
        task.stopCode,
        container?.exitCode !== undefined ? `exit code ${container.exitCode}` : undefined,
        container?.reason,
      ].filter(Boolean);
      return await this.stopped(
        run.id,
        taskArn,
        `${task.stoppedReason ?? 'no reason given'}${details.length ? ` (${details.join(', ')})` : ''}`,
        task.stopCode,
      );
    }
  }

  /**
   * When a cancel was requested for a run still queued: stops its task (`StopTask`, with a reason
   * naming the run) and ends the run `canceled`. A task that starts anyway finds its run no longer
   * queued and exits without executing it.
   */
  private async cancelQueued(api: EcsApi, run: RunRecord, taskArn: string): Promise<RunResult | null> {
    const { config, store, log } = this.options;
    const [request] = await store.listEvents({ runId: run.id, types: ['run_cancel_requested'], limit: 1 });
    if (!request) return null;
    const by = typeof request.data.by === 'string' ? request.data.by : 'someone';
    let stopped = `its ECS task ${shortArn(taskArn)} was stopped`;
    try {
      await api.stopTask({
        cluster: config.cluster,
        task: taskArn,
        reason: `shopflow run ${run.id} canceled by ${by}`.slice(0, 255),
      });
    } catch (error) {
      const failure = ecsError('StopTask', error, config);
      log.warn({ runId: run.id, ecsTask: taskArn }, failure.message);
      stopped = `stopping its ECS task ${shortArn(taskArn)} failed (${failure.message}); the task exits without executing the run`;
    }
    const latest = (await store.getRun(run.id)) ?? run;
    if (latest.status !== 'queued') return null;
    const error = `canceled by ${by} before its task started: ${stopped}`;
    // NOTE: a task that took the run meanwhile sees the request and cancels it itself.
    const ended = await finishAbandonedRun({
      store,
      run: latest,
      status: 'canceled',
      error,
      now: this.options.now(),
      data: { by, ecsTask: taskArn },
      from: ['queued'],
    });
    if (!ended) return null;
    log.info({ runId: run.id, ecsTask: taskArn }, error);
    return { runId: run.id, status: 'canceled', outcomes: new Map(), error };
  }

  /** The task stopped: the run's own result when it finished, else the run fails with the stop reason. */
  private async stopped(
    runId: string,
    taskArn: string,
    reason: string,
    stopCode?: string,
  ): Promise<RunResult> {
    const current = await this.options.store.getRun(runId);
    if (!current) throw new Error(`run ${runId} disappeared from the instance store`);
    if (FINISHED.has(current.status)) return await this.resultOf(current);
    return await this.fail(
      current,
      `the ECS task ${shortArn(taskArn)} stopped before the run finished: ${reason}`,
      {
        ecsTask: taskArn,
        ...(stopCode ? { stopCode } : {}),
      },
    );
  }

  private async fail(run: RunRecord, error: string, data: Record<string, unknown>): Promise<RunResult> {
    await finishAbandonedRun({
      store: this.options.store,
      run,
      status: 'failed',
      error,
      now: this.options.now(),
      data,
    });
    this.options.log.error({ runId: run.id, ...data }, error);
    return { runId: run.id, status: 'failed', outcomes: new Map(), error };
  }

  /** A finished run's result, read back from the events its task wrote. */
  private async resultOf(run: RunRecord): Promise<RunResult> {
    const events = await this.options.store.listEvents({
      runId: run.id,
      types: ['step_success', 'step_failure', 'step_skipped'],
    });
    const outcomes = new Map<string, StepOutcome>();
    for (const event of events) {
      const key =
        event.partitionKey === null ? String(event.assetKey) : `${event.assetKey}[${event.partitionKey}]`;
      const data = event.data as { rowCount?: number; dataVersion?: string; blocking?: boolean };
      outcomes.set(key, {
        key,
        status:
          event.type === 'step_success' ? 'success' : event.type === 'step_failure' ? 'failed' : 'skipped',
        message: event.message,
        rowCount: data.rowCount ?? null,
        dataVersion: data.dataVersion ?? null,
        checks: [],
        blocking: data.blocking ?? event.type !== 'step_success',
      });
    }
    return {
      runId: run.id,
      status: run.status as RunResult['status'],
      outcomes,
      error: run.status === 'success' ? null : (run.error ?? `run ${run.status}`),
    };
  }
}
