import type { Command } from 'commander';
import { ShopflowError } from '../../errors/error-catalog.js';
import type { RunRecord } from '../../instance/instance-store.js';
import { cancelRun } from '../../runtime/cancel-run.js';
import type { ShopflowRuntime } from '../../runtime/shopflow-runtime.js';
import type { CliSession } from '../cli-session.js';
import type { CommandRunner } from '../command-runner.js';
import { integerOption } from '../integer-option.js';
import { formatDuration, shortTime, textTable } from '../text-table.js';
import { parseConcurrency, parseExecutor, runWithProgress } from './materialize-command.js';

/** Finds a run by full id or unique prefix. */
export async function findRun(runtime: ShopflowRuntime, id: string): Promise<RunRecord> {
  const exact = await runtime.store.getRun(id);
  if (exact) return exact;
  const matches = await runtime.store.findRunsByPrefix(id);
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new ShopflowError('SF_BAD_USAGE', `run id prefix \`${id}\` matches ${matches.length} runs`, {
      hint: 'type more characters of the id',
    });
  }
  throw new ShopflowError('SF_UNKNOWN_RUN', `no run has the id \`${id}\``, {
    hint: 'list runs with `shopflow runs`',
  });
}

function duration(run: RunRecord): number | null {
  if (!run.startedAt) return null;
  const end = run.finishedAt ? Date.parse(run.finishedAt) : Date.now();
  return end - Date.parse(run.startedAt);
}

const CANCEL_POLL_MS = 250;

/**
 * A subcommand's options with those commander handed to `runs` itself: `runs show ID --json`
 * gives `--json` to `runs`, which declares it too.
 */
function withParentOptions(command: Command): Record<string, unknown> & { json?: boolean } {
  return { ...command.optsWithGlobals(), ...command.opts() };
}

function parseTimeout(value: string | undefined): number {
  const seconds = Number(value ?? '300');
  if (!(Number.isFinite(seconds) && seconds > 0)) {
    throw new ShopflowError('SF_BAD_USAGE', `--timeout ${value} is not a positive number of seconds`, {
      hint: 'e.g. --timeout 60',
    });
  }
  return seconds * 1000;
}

/**
 * `runs cancel RUN_ID`: records the request, then (unless `--no-wait`) waits until the run ends.
 * Exit code 0 when it ended canceled (or `--no-wait`), 1 when it finished otherwise first or the
 * wait timed out.
 */
async function cancelCommand(
  session: CliSession,
  runId: string,
  options: Record<string, unknown>,
): Promise<number> {
  const timeoutMs = parseTimeout(options.timeout as string | undefined);
  const runtime = await session.runtime();
  const record = await findRun(runtime, runId);
  const short = record.id.slice(0, 8);
  let result = await cancelRun(runtime, record, 'the CLI');
  const report = (status: string, message: string) => {
    if (session.json) session.jsonLine({ runId: record.id, outcome: result.outcome, status, message });
    else session.out(message);
  };
  if (result.outcome === 'canceled') {
    report('canceled', `Run ${short} ${result.run.error}.`);
    return 0;
  }
  if (options.wait === false) {
    report(
      'running',
      `Cancel of run ${short} ${result.alreadyRequested ? 'was already requested' : 'requested'}: no new step starts, steps in flight finish. Follow it with \`shopflow runs show ${short}\`.`,
    );
    return 0;
  }
  if (!session.json)
    session.out(`Cancel of run ${short} requested; waiting for the steps in flight to finish…`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await runtime.store.getRun(record.id))!;
    if (run.status !== 'running' && run.status !== 'queued') {
      if (run.status === 'canceled') {
        report('canceled', `Run ${short} ${run.error}.`);
        return 0;
      }
      report(run.status, `Run ${short} finished \`${run.status}\` before the cancel took effect.`);
      return 1;
    }
    if (Date.now() > deadline) {
      report(
        'running',
        `Run ${short} is still finishing its steps in flight after ${timeoutMs / 1000} s; it will end canceled.`,
      );
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, CANCEL_POLL_MS));
    // NOTE: asking again ends the run at once should its process die while we wait.
    result = await cancelRun(runtime, run, 'the CLI').catch(() => result);
  }
}

/** `shopflow runs`, `runs show RUN_ID`, `runs retry RUN_ID`, `runs cancel RUN_ID`. */
export function registerRunsCommand(program: Command, run: CommandRunner) {
  const runs = program
    .command('runs')
    .description(
      'list runs; `runs show ID` for one run, `runs retry ID` to re-execute from its failures, `runs cancel ID` to stop one',
    )
    .option('--limit <n>', 'how many runs', '20')
    .option('--json', 'one JSON object per run')
    .action((options: { limit: string; json?: boolean }) =>
      run(options, async (session) => {
        const limit = integerOption('--limit', options.limit, 1);
        const runtime = await session.runtime();
        const list = await runtime.store.listRuns({ limit });
        if (session.json) {
          for (const r of list)
            session.jsonLine({
              ...r,
              plan: undefined,
              steps: (r.plan as { steps?: unknown[] })?.steps?.length ?? 0,
            });
          return 0;
        }
        if (list.length === 0) {
          session.out('No runs yet. Start one with `shopflow materialize`.');
          return 0;
        }
        session.out(
          textTable(
            ['RUN', 'STATUS', 'STARTED', 'DURATION', 'STEPS', 'SELECTION', 'ERROR'],
            list.map((r) => [
              r.id.slice(0, 8),
              r.status,
              shortTime(r.startedAt ?? r.createdAt),
              formatDuration(duration(r)),
              (r.plan as { steps?: unknown[] })?.steps?.length ?? 0,
              r.selection,
              r.error ?? '',
            ]),
          ),
        );
        return 0;
      }),
    );

  runs
    .command('show <runId>')
    .description('one run: its steps and events')
    .option('--json', 'the run and its events as JSON')
    .action((runId: string, _options: { json?: boolean }, command: Command) =>
      run(withParentOptions(command), async (session) => {
        const runtime = await session.runtime();
        const record = await findRun(runtime, runId);
        const events = await runtime.store.listEvents({ runId: record.id });
        if (session.json) {
          session.jsonLine({ run: record, events });
          return 0;
        }
        // NOTE: steps of a queued run name the worker that took them (see `shopflow worker`).
        const stepsByWorker = new Map<string, number>();
        for (const e of events)
          if (e.type === 'log' && typeof e.data.worker === 'string')
            stepsByWorker.set(e.data.worker, (stepsByWorker.get(e.data.worker) ?? 0) + 1);
        const workers = [...stepsByWorker]
          .map(([w, n]) => `${w} (${n} step${n === 1 ? '' : 's'})`)
          .join(', ');
        session.out(
          `Run ${record.id}\nstatus    ${record.status}${record.error ? ` — ${record.error}` : ''}\nselection ${record.selection}\nstarted   ${shortTime(record.startedAt)}\nfinished  ${shortTime(record.finishedAt)}\nduration  ${formatDuration(duration(record))}${record.parentRunId ? `\nretry of  ${record.parentRunId}` : ''}${workers ? `\nworkers   ${workers}` : ''}\n`,
        );
        session.out(
          textTable(
            ['TIME', 'EVENT', 'MESSAGE'],
            events.map((e) => [shortTime(e.ts), e.type, e.message ?? '']),
          ),
        );
        return 0;
      }),
    );

  runs
    .command('retry <runId>')
    .description('re-execute a failed run from its failed steps')
    .option('--concurrency <n>', 'steps run at once')
    .option(
      '--executor <type>',
      'in-process (default: the steps run here, whatever ran them before) or queue (`shopflow worker`s take them)',
    )
    .option('--json', 'one JSON event per line')
    .action((runId: string, _options: { concurrency?: string; json?: boolean }, command: Command) =>
      run(withParentOptions(command), async (session) => {
        const concurrency = parseConcurrency(withParentOptions(command).concurrency as string | undefined);
        const executor = parseExecutor(withParentOptions(command).executor as string | undefined);
        const runtime = await session.runtime();
        const record = await findRun(runtime, runId);
        const total = ((record.plan as { steps?: unknown[] })?.steps ?? []).length;
        return await runWithProgress(session, runtime, total, () =>
          runtime.retry(record.id, { concurrency, executor }),
        );
      }),
    );

  runs
    .command('cancel <runId>')
    .description('cancel a running run (started by any process): no new step starts, steps in flight finish')
    .option('--no-wait', 'return once the request is recorded')
    .option('--timeout <seconds>', 'how long to wait for the run to end', '300')
    .option('--json', 'the outcome as one JSON object')
    .action(
      (runId: string, _options: { wait?: boolean; timeout?: string; json?: boolean }, command: Command) => {
        const options = withParentOptions(command);
        return run(options, (session) => cancelCommand(session, runId, options));
      },
    );
}
