import type { ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received: the operation (from `X-Amz-Target`), its JSON body and headers. */
export interface EcsRequest {
  operation: string;
  body: Record<string, any>;
  headers: IncomingMessage['headers'];
}

/** What the next `RunTask` does. */
export type TaskBehaviour =
  /** The container runs `command` (through `start`) and the task stops when it exits. */
  | { kind: 'run' }
  /** Like `run`, but the container is killed (SIGKILL) as soon as `killWhen` says so. */
  | { kind: 'kill'; killWhen: () => boolean }
  /** ECS places no task: `RunTask` answers with a failure. */
  | { kind: 'no-capacity'; reason: string }
  /** The task is placed but never starts its container (e.g. the image cannot be pulled). */
  | { kind: 'fail-to-start'; stoppedReason: string }
  /** The task stays PENDING (no capacity yet) until `StopTask`. */
  | { kind: 'pending' }
  /** `RunTask` is refused with `AccessDeniedException` (the caller's role lacks `action`). */
  | { kind: 'access-denied'; action: string };

interface FakeTask {
  arn: string;
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  stopCode?: string;
  stoppedReason?: string;
  exitCode?: number;
  container: string;
}

/** Why a request does not have the shape ECS accepts, or null when it does. */
function invalid(operation: string, body: Record<string, any>): string | null {
  const text = (v: unknown) => typeof v === 'string' && v.length > 0;
  if (!text(body.cluster)) return 'cluster is required';
  if (operation === 'RunTask') {
    if (!text(body.taskDefinition)) return 'taskDefinition is required';
    if (body.count !== 1) return 'count must be 1';
    if (!text(body.clientToken) || body.clientToken.length > 64) return 'clientToken: 1-64 characters';
    const command = body.overrides?.containerOverrides?.[0]?.command;
    if (!Array.isArray(command) || !command.every(text)) return 'command must be a list of strings';
    const at = command.indexOf('--concurrency');
    if (at >= 0 && !/^[1-9]\d*$/.test(String(command[at + 1]))) return '--concurrency needs a number';
    const subnets = body.networkConfiguration?.awsvpcConfiguration?.subnets;
    if (!Array.isArray(subnets) || subnets.length === 0) return 'awsvpc needs subnets';
  } else if (operation === 'DescribeTasks') {
    if (!Array.isArray(body.tasks) || body.tasks.length === 0 || body.tasks.length > 100)
      return 'tasks: 1-100 task ids';
  } else if (operation === 'StopTask') {
    if (!text(body.task)) return 'task is required';
    if (body.reason !== undefined && (typeof body.reason !== 'string' || body.reason.length > 255))
      return 'reason: at most 255 characters';
  }
  return null;
}

/**
 * A local HTTP fake of the ECS API (AWS JSON 1.1 protocol: `POST /`, `X-Amz-Target`), for the run
 * launcher's tests, since no ECS endpoint can run here. `RunTask` starts the container's command
 * as a local process through `start`; `DescribeTasks` reports the task as ECS would (PENDING,
 * RUNNING, STOPPED with stop code, reason and exit code); `StopTask` stops it (`UserInitiated`).
 * Requests without the shape ECS requires are refused (`InvalidParameterException`); every request
 * is kept, to check its shape.
 *
 * @example
 * const ecs = await startFakeEcs((command) => spawnShopflow(['--config', config, ...command]));
 * // config: executor.runLauncher.endpoint = ecs.endpoint
 */
export async function startFakeEcs(start: (command: string[]) => ChildProcess): Promise<{
  endpoint: string;
  requests: EcsRequest[];
  /** What the next RunTask does (default: run). */
  next(behaviour: TaskBehaviour): void;
  stop(): Promise<void>;
}> {
  const requests: EcsRequest[] = [];
  const tasks = new Map<string, FakeTask>();
  const children: ChildProcess[] = [];
  const processes = new Map<string, ChildProcess>();
  let behaviour: TaskBehaviour = { kind: 'run' };
  let n = 0;

  const runTask = (body: Record<string, any>): { status: number; value: unknown } => {
    const current = behaviour;
    behaviour = { kind: 'run' };
    if (current.kind === 'access-denied') {
      return {
        status: 400,
        value: {
          __type: 'AccessDeniedException',
          message: `User: arn:aws:sts::123456789012:assumed-role/shopflow-task/x is not authorized to perform: ${current.action} on resource: ${body.taskDefinition}`,
        },
      };
    }
    if (current.kind === 'no-capacity') {
      return {
        status: 200,
        value: {
          tasks: [],
          failures: [
            { arn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/x', reason: current.reason },
          ],
        },
      };
    }
    const arn = `arn:aws:ecs:us-east-1:123456789012:task/${body.cluster}/task${++n}`;
    const override = body.overrides.containerOverrides[0];
    const task: FakeTask = { arn, lastStatus: 'PENDING', container: override.name };
    tasks.set(arn, task);
    if (current.kind === 'pending') {
      // Stays PENDING until StopTask.
    } else if (current.kind === 'fail-to-start') {
      Object.assign(task, {
        lastStatus: 'STOPPED',
        stopCode: 'TaskFailedToStart',
        stoppedReason: current.stoppedReason,
      });
    } else {
      const child = start(override.command);
      children.push(child);
      processes.set(arn, child);
      task.lastStatus = 'RUNNING';
      let timer: NodeJS.Timeout | undefined;
      if (current.kind === 'kill') {
        timer = setInterval(() => {
          if (current.killWhen()) child.kill('SIGKILL');
        }, 20);
      }
      child.on('exit', (code, signal) => {
        if (timer) clearInterval(timer);
        Object.assign(task, {
          lastStatus: 'STOPPED',
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'Essential container in task exited',
          exitCode: signal === 'SIGKILL' ? 137 : (code ?? 1),
        });
      });
    }
    return { status: 200, value: { tasks: [{ taskArn: arn, lastStatus: task.lastStatus }], failures: [] } };
  };

  const stopTask = (body: Record<string, any>) => {
    const task = tasks.get(body.task);
    if (!task)
      return { status: 400, value: { __type: 'InvalidParameterException', message: 'task not found' } };
    const child = processes.get(task.arn);
    if (task.lastStatus !== 'STOPPED') {
      Object.assign(task, {
        lastStatus: 'STOPPED',
        stopCode: 'UserInitiated',
        stoppedReason: body.reason ?? 'Task stopped by user',
      });
      if (child && child.exitCode === null) child.kill('SIGTERM');
    }
    return { status: 200, value: { task: { taskArn: task.arn, lastStatus: task.lastStatus } } };
  };

  const describeTasks = (body: Record<string, any>) => {
    const found = (body.tasks as string[]).map((arn) => tasks.get(arn));
    return {
      tasks: found
        .filter((t): t is FakeTask => t !== undefined)
        .map((t) => ({
          taskArn: t.arn,
          lastStatus: t.lastStatus,
          ...(t.stopCode ? { stopCode: t.stopCode, stoppedReason: t.stoppedReason } : {}),
          containers: [
            {
              name: t.container,
              lastStatus: t.lastStatus,
              ...(t.exitCode !== undefined ? { exitCode: t.exitCode } : {}),
            },
          ],
        })),
      failures: (body.tasks as string[])
        .filter((arn) => !tasks.has(arn))
        .map((arn) => ({ arn, reason: 'MISSING' })),
    };
  };

  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      const operation =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      const body = text ? JSON.parse(text) : {};
      requests.push({ operation, body, headers: req.headers });
      const answer = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(value));
      };
      if (
        req.method !== 'POST' ||
        !String(req.headers['content-type']).startsWith('application/x-amz-json-1.1')
      ) {
        answer(400, { __type: 'ClientException', message: 'expected an AWS JSON 1.1 POST' });
      } else if (
        ['RunTask', 'DescribeTasks', 'StopTask'].includes(operation) &&
        invalid(operation, body) !== null
      ) {
        answer(400, { __type: 'InvalidParameterException', message: invalid(operation, body) });
      } else if (operation === 'RunTask') {
        const result = runTask(body);
        answer(result.status, result.value);
      } else if (operation === 'DescribeTasks') answer(200, describeTasks(body));
      else if (operation === 'StopTask') {
        const result = stopTask(body);
        answer(result.status, result.value);
      } else
        answer(400, { __type: 'InvalidParameterException', message: `unsupported operation ${operation}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    next(value) {
      behaviour = value;
    },
    async stop() {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
