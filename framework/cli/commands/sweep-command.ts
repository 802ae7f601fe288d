import type { Command } from 'commander';
import { ShopflowError } from '../../errors/error-catalog.js';
import { selectAssets } from '../../graph/asset-selection.js';
import type { CommandRunner } from '../command-runner.js';
import { textTable } from '../text-table.js';

/** Files a text dry run names per asset. */
const DRY_RUN_LISTED = 20;

/**
 * `shopflow sweep [SELECTION]`: removes lake files that no committed version references — what
 * failed or killed writes left behind, and files superseded by later commits — once they are older
 * than the grace period (`lake.orphanGraceMinutes`).
 */
export function registerSweepCommand(program: Command, run: CommandRunner) {
  program
    .command('sweep [selection]')
    .description('remove lake files no committed version references (leftovers of failed writes)')
    .option(
      '--older-than <minutes>',
      'only files at least this old (default: lake.orphanGraceMinutes); below it, only when nothing is running',
    )
    .option('--dry-run', 'list what would be removed, remove nothing')
    .option('--json', 'one JSON object per asset')
    .action(
      (selection: string | undefined, options: { olderThan?: string; dryRun?: boolean; json?: boolean }) =>
        run(options, async (session) => {
          let olderThanMs: number | undefined;
          if (options.olderThan !== undefined) {
            const minutes = Number(options.olderThan);
            if (!Number.isFinite(minutes) || minutes < 0) {
              throw new ShopflowError(
                'SF_BAD_USAGE',
                `--older-than ${options.olderThan} is not a number of minutes`,
                {
                  hint: 'e.g. --older-than 120',
                },
              );
            }
            olderThanMs = minutes * 60_000;
          }
          const runtime = await session.runtime();
          const graceMinutes = runtime.config.lake.orphanGraceMinutes ?? 60;
          if (olderThanMs !== undefined && olderThanMs < graceMinutes * 60_000 && options.dryRun !== true) {
            // NOTE: a write stages its files in the lake before it commits them; below the grace
            // period a sweep cannot tell them from leftovers, so it waits for a quiet lake.
            const running = await runtime.store.listRuns({ status: ['queued', 'running'], limit: 5 });
            if (running.length > 0) {
              throw new ShopflowError(
                'SF_BAD_USAGE',
                `--older-than ${options.olderThan} is below the grace period (${graceMinutes} min) while ${running.length === 5 ? '5 or more runs are' : running.length === 1 ? 'a run is' : `${running.length} runs are`} in progress (${running.map((r) => r.id.slice(0, 8)).join(', ')}): it would remove files they are writing`,
                {
                  hint: 'wait until no run is in progress (shopflow runs), or sweep without --older-than',
                },
              );
            }
          }
          const rows: Array<{ asset: string; files: number; bytes: number; removed: string[] }> = [];
          for (const key of selectAssets(runtime.graph, selection)) {
            if (runtime.graph.get(key).io.kind !== 'lake-table') continue;
            const result = await runtime.lake.sweep(key, { olderThanMs, dryRun: options.dryRun === true });
            const row = {
              asset: key,
              files: result.removed.length,
              bytes: result.bytes,
              removed: result.removed,
            };
            rows.push(row);
            if (session.json) session.jsonLine({ ...row, dryRun: options.dryRun === true });
          }
          if (!session.json) {
            const touched = rows.filter((r) => r.files > 0);
            if (touched.length) {
              session.out(
                textTable(
                  ['ASSET', options.dryRun ? 'WOULD REMOVE' : 'REMOVED', 'BYTES'],
                  touched.map((r) => [r.asset, r.files, r.bytes]),
                ),
              );
            }
            if (options.dryRun) {
              // NOTE: a dry run is for looking before removing: it names the files (the first
              // ones of each asset; --json lists them all).
              for (const row of touched) {
                for (const location of row.removed.slice(0, DRY_RUN_LISTED)) session.out(`  ${location}`);
                if (row.removed.length > DRY_RUN_LISTED) {
                  session.out(
                    `  … and ${row.removed.length - DRY_RUN_LISTED} more of ${row.asset} (--json lists them all)`,
                  );
                }
              }
            }
            const files = rows.reduce((sum, r) => sum + r.files, 0);
            session.out(
              `${options.dryRun ? 'would remove' : 'removed'} ${files} unreferenced lake file${files === 1 ? '' : 's'} in ${runtime.lake.description}`,
            );
          }
          return 0;
        }),
    );
}
