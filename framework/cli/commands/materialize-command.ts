import type { Command } from 'commander';
import { ShopflowError } from '../../errors/error-catalog.js';
import type { RunResult } from '../../executor/execute-plan.js';
import type { Plan } from '../../planner/plan-materialization.js';
import type { ShopflowRuntime } from '../../runtime/shopflow-runtime.js';
import type { CliSession } from '../cli-session.js';
import type { CommandRunner } from '../command-runner.js';
import { partitionFilterFrom } from '../partition-options.js';
import { RunProgress } from '../run-progress.js';
import { type PlanOptions, withPlanOptions } from './plan-command.js';

/** Executes a plan (or a retry) with live progress; returns the exit code. */
export async function runWithProgress(
  session: CliSession,
  runtime: ShopflowRuntime,
  total: number,
  execute: () => Promise<RunResult>,
): Promise<number> {
  const progress = new RunProgress(session, total);
  const unsubscribe = runtime.onEvent(progress.onEvent);
  let result: RunResult;
  try {
    result = await execute();
  } finally {
    unsubscribe();
    progress.finish();
  }
  if (session.interactive) {
    session.out(
      result.status === 'success'
        ? `Run ${result.runId} succeeded (${result.outcomes.size} steps).`
        : result.status === 'canceled'
          ? `Run ${result.runId} was ${result.error}\nRe-execute what did not run with \`shopflow runs retry ${result.runId.slice(0, 8)}\`.`
          : `Run ${result.runId} failed: ${result.error}\nSee \`shopflow runs show ${result.runId.slice(0, 8)}\`; retry with \`shopflow runs retry ${result.runId.slice(0, 8)}\`.`,
    );
  }
  return result.status === 'success' ? 0 : 1;
}

/** Runs a plan, or says there is nothing to do. */
export async function materializePlan(
  session: CliSession,
  runtime: ShopflowRuntime,
  plan: Plan,
  concurrency?: number,
  executor?: 'in-process' | 'queue',
): Promise<number> {
  if (plan.steps.length === 0) {
    // NOTE: assets written outside of plans are never in one; say who writes them.
    const external = plan.assets
      .map((key) => runtime.graph.get(key))
      .filter((asset) => asset.writtenBy !== undefined)
      .map((asset) => ({ asset: asset.key, writtenBy: asset.writtenBy! }));
    if (session.interactive) {
      session.out(`Nothing to do: ${plan.upToDate} asset partitions are up to date.`);
      for (const e of external) session.out(`${e.asset} is written by \`${e.writtenBy}\`, not by runs.`);
    } else
      session.jsonLine({
        type: 'nothing_to_do',
        upToDate: plan.upToDate,
        ...(external.length ? { external } : {}),
      });
    return 0;
  }
  return await runWithProgress(session, runtime, plan.steps.length, () =>
    runtime.execute(plan, { concurrency, executor }),
  );
}

/** `--executor in-process|queue`. */
export function parseExecutor(value: string | undefined): 'in-process' | 'queue' | undefined {
  if (value === undefined || value === 'in-process' || value === 'queue') return value;
  throw new ShopflowError('SF_BAD_USAGE', `--executor ${value} is not an executor`, {
    hint: 'use --executor in-process (steps run here) or --executor queue (steps go to `shopflow worker`s)',
  });
}

export function parseConcurrency(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new ShopflowError('SF_BAD_USAGE', `--concurrency ${value} is not a positive integer`, {
      hint: 'e.g. --concurrency 4',
    });
  }
  return n;
}

/** `shopflow materialize [SELECTION]`: plan, then run the stale steps. */
export function registerMaterializeCommand(program: Command, run: CommandRunner) {
  withPlanOptions(
    program
      .command('materialize [selection]')
      .description('materialize the stale partitions of the selected assets'),
  )
    .option('--concurrency <n>', 'steps run at once (default from config)')
    .option(
      '--executor <type>',
      'in-process, or queue to hand steps to `shopflow worker`s (default from config)',
    )
    .option(
      '--run-id <id>',
      'execute the run a run launcher recorded as queued, with its recorded plan (what an ECS task runs)',
    )
    .action(
      (
        selection: string | undefined,
        options: PlanOptions & { concurrency?: string; executor?: string; runId?: string },
      ) =>
        run(options, async (session) => {
          const concurrency = parseConcurrency(options.concurrency);
          const executor = parseExecutor(options.executor);
          const runtime = await session.runtime();
          if (options.runId !== undefined) {
            if (
              selection !== undefined ||
              options.partition !== undefined ||
              options.from !== undefined ||
              options.to !== undefined ||
              options.force
            ) {
              throw new ShopflowError('SF_BAD_USAGE', '--run-id executes the recorded plan of that run', {
                hint: 'drop the selection, partitions and --force',
              });
            }
            const queued = await runtime.store.getRun(options.runId);
            const steps = (queued?.plan as Plan | undefined)?.steps.length ?? 0;
            return await runWithProgress(session, runtime, steps, () =>
              runtime.executeQueued(options.runId!, { concurrency }),
            );
          }
          const plan = await runtime.plan({
            selection,
            partitions: partitionFilterFrom(options),
            force: options.force,
          });
          return await materializePlan(session, runtime, plan, concurrency, executor);
        }),
    );
}
