import type { Command } from 'commander';
import type { Plan } from '../../planner/plan-materialization.js';
import { describeReasons } from '../../planner/staleness-reason.js';
import type { CommandRunner } from '../command-runner.js';
import { partitionFilterFrom } from '../partition-options.js';
import { oneLine, textTable } from '../text-table.js';

export interface PlanOptions {
  partition?: string;
  from?: string;
  to?: string;
  force?: boolean;
  json?: boolean;
}

/** Adds the options shared by `plan`, `materialize` and `backfill`. */
export function withPlanOptions(command: Command): Command {
  return command
    .option('--partition <keys>', 'one partition key, or several separated by commas')
    .option('--from <key>', 'first partition of a range (inclusive)')
    .option('--to <key>', 'last partition of a range (inclusive)')
    .option('--force', 'plan every targeted partition, stale or not')
    .option('--json', 'machine-readable output');
}

/** The plan as a table: what would run and why. */
export function renderPlan(plan: Plan): string {
  if (plan.steps.length === 0) {
    return `Nothing to do: ${plan.upToDate} asset partitions of ${plan.assets.length} assets are up to date.`;
  }
  const table = textTable(
    ['STEP', 'WHY', 'AFTER'],
    plan.steps.map((s) => [
      s.key,
      oneLine(describeReasons(s.reasons)) +
        (s.blockedBy.length
          ? ` — BLOCKED: needs ${s.blockedBy.slice(0, 2).join(', ')}${s.blockedBy.length > 2 ? ' …' : ''}`
          : ''),
      s.dependsOn.length > 2
        ? `${s.dependsOn.slice(0, 2).join(', ')} +${s.dependsOn.length - 2}`
        : s.dependsOn.join(', '),
    ]),
  );
  return `${table}\n\n${plan.steps.length} steps to run; ${plan.upToDate} asset partitions up to date.`;
}

/** `shopflow plan [SELECTION]`: what would run and why, without running it. */
export function registerPlanCommand(program: Command, run: CommandRunner) {
  withPlanOptions(
    program.command('plan [selection]').description('show what would be materialized and why'),
  ).action((selection: string | undefined, options: PlanOptions) =>
    run(options, async (session) => {
      const runtime = await session.runtime();
      const plan = await runtime.plan({
        selection,
        partitions: partitionFilterFrom(options),
        force: options.force,
      });
      if (session.json) session.jsonLine(plan);
      else session.out(renderPlan(plan));
      return 0;
    }),
  );
}
