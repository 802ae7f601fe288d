import type { CommandDefinition } from '../../framework/index.js';
import { runBackfill } from '../backfill.js';
import { cancelBackfill } from '../backfill-cancel.js';
import { BackfillProgress } from '../backfill-progress.js';
import { onInterrupt } from './interrupt-signals.js';
import { positiveNumberOption } from './positive-number-option.js';

/**
 * `shopflow backfill SELECTION --from A --to B [--parallel N]`: materializes a partition range,
 * `--parallel` partitions at once, with a progress bar (JSON lines off a terminal or with
 * `--json`) and per-partition status in the instance store. Interrupted (Ctrl-C finishes the batch
 * in flight; a second Ctrl-C or a kill stops at once), it resumes by running the same command again
 * or with `--resume ID`, without redoing finished partitions. `--list` shows recent backfills;
 * `--cancel ID` cancels one from any process (the process running it stops after its batch's run is
 * canceled).
 * Exit code 1 when partitions failed or the backfill was interrupted.
 *
 * @example
 * defineDefinitions({ assets, commands: [backfillCommand] });
 */
export const backfillCommand: CommandDefinition = {
  name: 'backfill',
  description: 'materialize a partition range, resumable, with per-partition status',
  arguments: [{ name: 'selection', description: 'assets to backfill (selection syntax)' }],
  options: [
    { flags: '--from <partition>', description: 'first partition of the range' },
    { flags: '--to <partition>', description: 'last partition of the range (included)' },
    { flags: '--parallel <n>', description: 'partitions materialized at once (default from config)' },
    { flags: '--resume <id>', description: 'resume this backfill (id or prefix)' },
    { flags: '--list', description: 'list recent backfills' },
    { flags: '--cancel <id>', description: 'cancel this backfill (id or prefix), from any process' },
  ],
  async run(context, args, flags) {
    const runtime = await context.runtime();
    const write = (text: string) => context.stdout.write(`${text}\n`);
    if (flags.list === true) {
      const backfills = await runtime.store.listBackfills({ limit: 20 });
      for (const backfill of backfills) {
        const partitions = await runtime.store.listBackfillPartitions(backfill.id);
        const done = partitions.filter((p) => p.status === 'success').length;
        const failed = partitions.filter((p) => p.status === 'failed').length;
        if (context.json) {
          write(JSON.stringify({ ...backfill, total: partitions.length, done, failed }));
        } else {
          write(
            `${backfill.id.slice(0, 8)}  ${backfill.status.padEnd(11)} ${backfill.selection}  ${backfill.from} … ${backfill.to}  ${done}/${partitions.length} done${failed ? `, ${failed} failed` : ''}  (${backfill.updatedAt})`,
          );
        }
      }
      if (!context.json && backfills.length === 0) write('No backfills yet.');
      return 0;
    }
    if (typeof flags.cancel === 'string') {
      const { backfill, runsCanceled } = await cancelBackfill(runtime, flags.cancel, 'the CLI');
      if (context.json) write(JSON.stringify({ ...backfill, runsCanceled }));
      else
        write(
          `Canceled backfill ${backfill.id.slice(0, 8)}${runsCanceled.length ? `; its run ${runsCanceled.map((r) => r.slice(0, 8)).join(', ')} starts no new step` : ''}. Resume it with \`shopflow backfill --resume ${backfill.id.slice(0, 8)}\`.`,
        );
      return 0;
    }
    const parallel = positiveNumberOption('--parallel', flags.parallel);
    const progress = new BackfillProgress({
      out: context.stdout,
      interactive: !context.json && context.stdout.isTTY === true,
    });
    const abort = new AbortController();
    const dispose = onInterrupt(() => abort.abort());
    try {
      const result = await runBackfill({
        runtime,
        selection: args[0],
        from: flags.from as string | undefined,
        to: flags.to as string | undefined,
        resume: flags.resume as string | undefined,
        parallel,
        signal: abort.signal,
        onEvent: progress.onEvent,
      });
      return result.backfill.status === 'success' ? 0 : 1;
    } finally {
      dispose();
    }
  },
};
