import type { Command } from 'commander';
import { ShopflowError } from '../../errors/error-catalog.js';
import type { RunRecord } from '../../instance/instance-store.js';
import type { ShopflowRuntime } from '../../runtime/shopflow-runtime.js';
import type { CommandRunner } from '../command-runner.js';
import { formatDuration, shortTime, textTable } from '../text-table.js';
import { parseConcurrency, runWithProgress } from './materialize-command.js';

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

/** `shopflow runs`, `runs show RUN_ID`, `runs retry RUN_ID`. */
export function registerRunsCommand(program: Command, run: CommandRunner) {
  const runs = program
    .command('runs')
    .description('list runs; `runs show ID` for one run, `runs retry ID` to re-execute from its failures')
    .option('--limit <n>', 'how many runs', '20')
    .option('--json', 'one JSON object per run')
    .action((options: { limit: string; json?: boolean }) =>
      run(options, async (session) => {
        const runtime = await session.runtime();
        const list = await runtime.store.listRuns({ limit: Number(options.limit) || 20 });
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
    .action((runId: string, options: { json?: boolean }) =>
      run(options, async (session) => {
        const runtime = await session.runtime();
        const record = await findRun(runtime, runId);
        const events = await runtime.store.listEvents({ runId: record.id });
        if (session.json) {
          session.jsonLine({ run: record, events });
          return 0;
        }
        session.out(
          `Run ${record.id}\nstatus    ${record.status}${record.error ? ` — ${record.error}` : ''}\nselection ${record.selection}\nstarted   ${shortTime(record.startedAt)}\nfinished  ${shortTime(record.finishedAt)}\nduration  ${formatDuration(duration(record))}${record.parentRunId ? `\nretry of  ${record.parentRunId}` : ''}\n`,
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
    .option('--json', 'one JSON event per line')
    .action((runId: string, options: { concurrency?: string; json?: boolean }) =>
      run(options, async (session) => {
        const concurrency = parseConcurrency(options.concurrency);
        const runtime = await session.runtime();
        const record = await findRun(runtime, runId);
        const total = ((record.plan as { steps?: unknown[] })?.steps ?? []).length;
        return await runWithProgress(session, runtime, total, () =>
          runtime.retry(record.id, { concurrency }),
        );
      }),
    );
}
