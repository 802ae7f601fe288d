import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cancelRun, type ShopflowRuntime } from '../../../framework/index.js';
import { createServer } from '../../../server/create-server.js';
import { exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, silentLog, tempHome } from '../../support/example-runtime.js';
import { startFakeEcs } from '../../support/fake-ecs.js';
import { spawnShopflow, writeTestConfig } from '../../support/run-shopflow.js';

// The ECS API cannot be reached from here: a local fake of it checks what the launcher sends and
// runs each task's container command (`shopflow materialize --run-id …`) as a local process.
const start = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
const { home, cleanup } = tempHome('shopflow-ecs-');
const config = writeTestConfig(home);
const optionsFile = join(home, 'example-options.json');
writeFileSync(optionsFile, JSON.stringify({ start }));
/** While it exists, `station_summary` waits inside its step. */
const holdFile = join(home, 'hold');
const TOKEN = 'ecs-launch-token-0123456789abcdef';
let ecs: Awaited<ReturnType<typeof startFakeEcs>>;
let runtime: ShopflowRuntime;
const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDFAKEECS';
  process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret-for-the-ecs-fake';
  ecs = await startFakeEcs((command) =>
    spawnShopflow(['--config', config, ...command], {
      EXAMPLE_OPTIONS_FILE: optionsFile,
      EXAMPLE_HOLD_FILE: holdFile,
    }),
  );
  runtime = await openTestRuntime(exampleDefinitions({ start }), home, {
    config: {
      executor: {
        concurrency: 2,
        lockWaitSeconds: 2,
        heartbeatSeconds: 1,
        deadAfterSeconds: 30,
        runLauncher: {
          type: 'ecs',
          cluster: 'shopflow-test',
          taskDefinition: 'shopflow-run:7',
          subnets: 'subnet-aaa, subnet-bbb',
          securityGroups: ['sg-123'],
          region: 'us-east-1',
          endpoint: ecs.endpoint,
          pollSeconds: 0.05,
        },
      },
    },
  });
});
afterAll(async () => {
  await runtime?.close();
  await ecs?.stop();
  cleanup();
  process.env.AWS_ACCESS_KEY_ID = saved.id;
  process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
  if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
});

/** Launches `stations` on ECS with a task that stays PENDING; resolves once RunTask was asked for it. */
async function launchPending() {
  ecs.next({ kind: 'pending' });
  const before = ecs.requests.length;
  const launched = runtime.launch(await runtime.plan({ force: true, selection: 'stations' }));
  const deadline = Date.now() + 30_000;
  let runId: string | undefined;
  while (!runId && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    runId = ecs.requests.slice(before).find((r) => r.operation === 'RunTask')?.body.clientToken;
  }
  return { before, launched, runId };
}

describe('the ECS run launcher', () => {
  test('runs the plan in one task started with RunTask and watched with DescribeTasks; the task executes the recorded run', async () => {
    const plan = await runtime.plan();
    expect(plan.steps.length).toBeGreaterThan(5);
    const result = await runtime.launch(plan, { tags: { trigger: 'schedule' } });
    expect(result.status, String(result.error)).toBe('success');
    expect(result.outcomes.size).toBe(plan.steps.length);
    expect((await runtime.plan()).steps).toEqual([]);

    const run = await runtime.store.getRun(result.runId);
    expect(run).toMatchObject({ status: 'success', tags: { trigger: 'schedule', launcher: 'ecs' } });
    // The task, not this process, executed it.
    expect(run!.pid).not.toBe(process.pid);
    const types = (await runtime.store.listEvents({ runId: result.runId })).map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['run_queued', 'log', 'run_start']);
    expect(types.at(-1)).toBe('run_success');

    const [runTask, ...described] = ecs.requests;
    expect(runTask.operation).toBe('RunTask');
    expect(runTask.headers['x-amz-target']).toBe('AmazonEC2ContainerServiceV20141113.RunTask');
    expect(String(runTask.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDFAKEECS\/\d{8}\/us-east-1\/ecs\/aws4_request/,
    );
    expect(runTask.body).toEqual({
      cluster: 'shopflow-test',
      taskDefinition: 'shopflow-run:7',
      launchType: 'FARGATE',
      count: 1,
      clientToken: result.runId,
      startedBy: `shopflow-${result.runId.slice(0, 26)}`,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-aaa', 'subnet-bbb'],
          securityGroups: ['sg-123'],
          assignPublicIp: 'DISABLED',
        },
      },
      overrides: {
        containerOverrides: [
          { name: 'shopflow', command: ['materialize', '--run-id', result.runId, '--json'] },
        ],
      },
      tags: [{ key: 'shopflow:run-id', value: result.runId }],
      propagateTags: 'TASK_DEFINITION',
    });
    for (const request of described) {
      expect(request.operation).toBe('DescribeTasks');
      expect(request.body).toEqual({
        cluster: 'shopflow-test',
        tasks: ['arn:aws:ecs:us-east-1:123456789012:task/shopflow-test/task1'],
      });
    }
  }, 120_000);

  test('no capacity: RunTask answers with a failure, and the run fails with its reason', async () => {
    ecs.next({ kind: 'no-capacity', reason: 'RESOURCE:MEMORY' });
    const result = await runtime.launch(await runtime.plan({ force: true, selection: 'stations' }));
    expect(result).toMatchObject({ status: 'failed', error: 'ECS could not start a task: RESOURCE:MEMORY' });
    expect(await runtime.store.getRun(result.runId)).toMatchObject({
      status: 'failed',
      error: 'ECS could not start a task: RESOURCE:MEMORY',
    });
  });

  test('a task that never starts its container fails the run with the stop reason', async () => {
    ecs.next({ kind: 'fail-to-start', stoppedReason: 'CannotPullContainerError: pull access denied' });
    const result = await runtime.launch(await runtime.plan({ force: true, selection: 'stations' }));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(
      /^the ECS task task\d+ stopped before the run finished: CannotPullContainerError: pull access denied \(TaskFailedToStart\)$/,
    );
    const events = await runtime.store.listEvents({ runId: result.runId, types: ['run_failure'] });
    expect(events[0].data).toMatchObject({ stopCode: 'TaskFailedToStart' });
  });

  test('a task killed in the middle of its run fails the run with the exit code; its partitions are not left running', async () => {
    // Killed while station_summary is held inside its step.
    writeFileSync(holdFile, '');
    const [previous] = await runtime.store.listRuns({ limit: 1 });
    let stepStarted = false;
    const poll = setInterval(async () => {
      const [latest] = await runtime.store.listRuns({ limit: 1 });
      if (!latest || latest.id === previous.id) return;
      const steps = await runtime.store.listEvents({
        runId: latest.id,
        assetKey: 'station_summary',
        types: ['step_start'],
      });
      if (steps.length > 0) stepStarted = true;
    }, 20);
    ecs.next({ kind: 'kill', killWhen: () => stepStarted });
    try {
      const result = await runtime.launch(await runtime.plan({ force: true }));
      const events = (await runtime.store.listEvents({ runId: result.runId })).map((e) => e.type);
      expect(result.status).toBe('failed');
      expect(result.error).toMatch(
        /stopped before the run finished: Essential container in task exited \(EssentialContainerExited, exit code 137\)$/,
      );
      expect(events).toContain('step_start');
      expect(events.at(-1)).toBe('run_failure');
      const states = await runtime.store.listAssetPartitionStates();
      expect(states.filter((s) => s.lastRunId === result.runId && s.lastAttemptStatus === 'running')).toEqual(
        [],
      );
      expect(await runtime.store.listLocks()).toEqual([]);
    } finally {
      clearInterval(poll);
      rmSync(holdFile, { force: true });
    }
  }, 120_000);

  test('a run launched from the web page goes to ECS too: the API answers once the run is queued', async () => {
    const app = createServer({ runtime, token: TOKEN, host: '127.0.0.1', port: 0, log: silentLog });
    try {
      const before = ecs.requests.filter((r) => r.operation === 'RunTask').length;
      const launched = await app.inject({
        method: 'POST',
        url: '/api/runs',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ selection: 'stations', force: true, concurrency: 3 }),
      });
      expect(launched.statusCode, launched.body).toBe(202);
      const { runId } = launched.json() as { runId: string };
      const deadline = Date.now() + 60_000;
      while ((await runtime.store.getRun(runId))?.status !== 'success' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await runtime.store.getRun(runId)).toMatchObject({
        status: 'success',
        tags: { trigger: 'web', launcher: 'ecs' },
      });
      const runTasks = ecs.requests.filter((r) => r.operation === 'RunTask');
      expect(runTasks).toHaveLength(before + 1);
      expect(runTasks.at(-1)!.body.clientToken).toBe(runId);
      // The concurrency asked for goes to the task's command.
      expect(runTasks.at(-1)!.body.overrides.containerOverrides[0].command).toEqual([
        'materialize',
        '--run-id',
        runId,
        '--concurrency',
        '3',
        '--json',
      ]);
    } finally {
      await app.close();
    }
  }, 120_000);

  test('canceling a run whose task is still PENDING stops the task (StopTask naming the run) and ends the run canceled', async () => {
    const { before, launched, runId } = await launchPending();
    const queued = await runtime.store.getRun(runId!);
    expect(queued?.status).toBe('queued');
    const requested = await cancelRun(runtime, queued!, 'the CLI');
    expect(requested.outcome).toBe('requested');
    const result = await launched;
    expect(result.status).toBe('canceled');
    expect(result.error).toMatch(
      /^canceled by the CLI before its task started: its ECS task task\d+ was stopped$/,
    );
    const stops = ecs.requests.slice(before).filter((r) => r.operation === 'StopTask');
    expect(stops).toHaveLength(1);
    expect(stops[0].body).toEqual({
      cluster: 'shopflow-test',
      task: expect.stringMatching(/^arn:aws:ecs:us-east-1:123456789012:task\/shopflow-test\/task\d+$/),
      reason: `shopflow run ${runId} canceled by the CLI`,
    });
    expect(await runtime.store.getRun(runId!)).toMatchObject({ status: 'canceled' });
    const types = (await runtime.store.listEvents({ runId: runId! })).map((e) => e.type);
    expect(types.at(-1)).toBe('run_canceled');
    expect(types).not.toContain('run_start');
  }, 60_000);

  test('a queued run carries its launching process and heartbeat; a cancel after that process died ends it at once', async () => {
    const { launched, runId } = await launchPending();
    const queued = await runtime.store.getRun(runId!);
    expect(queued).toMatchObject({ status: 'queued', pid: process.pid });
    expect(queued?.heartbeatAt).not.toBeNull();
    // The launching process dies: its record now names a process that has exited.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    await runtime.store.updateRun(runId!, { pid: gone });
    const canceled = await cancelRun(runtime, (await runtime.store.getRun(runId!))!, 'the CLI');
    expect(canceled.outcome).toBe('canceled');
    expect(canceled.run).toMatchObject({ status: 'canceled' });
    expect(canceled.run.error).toMatch(
      new RegExp(
        `^canceled by the CLI before its task started; the process that launched it is gone \\(its process \\(pid ${gone} on .+\\) is no longer running\\); a task that starts later finds the run canceled and exits without executing it$`,
      ),
    );
    expect((await launched).status).toBe('canceled');
  }, 60_000);

  test('an empty plan starts no task: the run ends at once with nothing to do', async () => {
    const before = ecs.requests.length;
    const plan = { ...(await runtime.plan({ selection: 'stations' })), steps: [] };
    const result = await runtime.launch(plan, { tags: { trigger: 'schedule' } });
    expect(result).toMatchObject({ status: 'success', error: null });
    expect(result.outcomes.size).toBe(0);
    expect(ecs.requests.length).toBe(before);
    expect(await runtime.store.getRun(result.runId)).toMatchObject({
      status: 'success',
      tags: { trigger: 'schedule' },
    });
    const types = (await runtime.store.listEvents({ runId: result.runId })).map((e) => e.type);
    expect(types).toEqual(['run_start', 'run_success']);
  });

  test('RunTask refused for lack of a permission fails the run with a permissions error naming it', async () => {
    ecs.next({ kind: 'access-denied', action: 'iam:PassRole' });
    const result = await runtime.launch(await runtime.plan({ force: true, selection: 'stations' }));
    expect(result.status).toBe('failed');
    expect(result.error).toContain('ECS RunTask failed: AccessDeniedException');
    expect(result.error).toContain('lacks the permission `iam:PassRole`');
    const [failure] = await runtime.store.listEvents({ runId: result.runId, types: ['run_failure'] });
    expect(failure.data).toMatchObject({ code: 'SF_PERMISSION_DENIED' });

    ecs.next({ kind: 'access-denied', action: 'ecs:RunTask' });
    const again = await runtime.launch(await runtime.plan({ force: true, selection: 'stations' }));
    expect(again.error).toContain('lacks the permission `ecs:RunTask`');
    expect(again.error).not.toContain('SF_UNREACHABLE');
  });

  test('a concurrency given to the launch goes to the task as --concurrency', async () => {
    const result = await runtime.launch(await runtime.plan({ force: true, selection: 'stations' }), {
      concurrency: 1,
    });
    expect(result.status, String(result.error)).toBe('success');
    const runTask = ecs.requests.filter((r) => r.operation === 'RunTask').at(-1)!;
    expect(runTask.body.overrides.containerOverrides[0].command).toEqual([
      'materialize',
      '--run-id',
      result.runId,
      '--concurrency',
      '1',
      '--json',
    ]);
  }, 120_000);
});
