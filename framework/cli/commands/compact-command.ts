import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { acquirePartitionLock } from '../../executor/partition-lock.js';
import { selectAssets } from '../../graph/asset-selection.js';
import { type CompactionResult, compactLakePartition } from '../../io/lake-table.js';
import { formatAssetPartition } from '../../keys/asset-key.js';
import { partitionsForFilter, validatePartitionFilter } from '../../planner/plan-materialization.js';
import type { CommandRunner } from '../command-runner.js';
import { partitionFilterFrom } from '../partition-options.js';
import { textTable } from '../text-table.js';

/** `shopflow compact [SELECTION]`: merges the small Parquet files of lake partitions, data unchanged. */
export function registerCompactCommand(program: Command, run: CommandRunner) {
  program
    .command('compact [selection]')
    .description('merge the Parquet files of each lake partition into one, without changing the data')
    .option('--partition <keys>', 'only these partitions (comma-separated)')
    .option('--from <key>', 'first partition of a range')
    .option('--to <key>', 'last partition of a range')
    .option('--json', 'one JSON object per partition')
    .action(
      (
        selection: string | undefined,
        options: { partition?: string; from?: string; to?: string; json?: boolean },
      ) =>
        run(options, async (session) => {
          const runtime = await session.runtime();
          const filter = partitionFilterFrom(options);
          const now = runtime.services.now();
          const results: Array<CompactionResult & { key: string }> = [];
          const owner = `compact-${randomUUID()}`;
          const tables = selectAssets(runtime.graph, selection)
            .map((key) => runtime.graph.get(key))
            .filter((asset) => asset.io.kind === 'lake-table');
          // NOTE: a partition flag is checked as plan checks it: a key no selected table has, or a
          // flag for unpartitioned tables only, is an error rather than nothing compacted.
          validatePartitionFilter(tables, filter, now);
          for (const asset of tables) {
            const key = asset.key;
            // NOTE: with a partition flag, only partitions it selects: an unpartitioned table has none.
            if (filter && !asset.partitions) continue;
            const partitions: Array<string | null> = asset.partitions
              ? partitionsForFilter(asset.partitions, filter, now)
              : [null];
            const materialized = new Set(
              (await runtime.store.listAssetPartitionStates([key]))
                .filter((s) => s.materializationId)
                .map((s) => s.partitionKey),
            );
            for (const partitionKey of partitions.filter((p) => materialized.has(p))) {
              const label = formatAssetPartition(key, partitionKey);
              await acquirePartitionLock(runtime.services, label, owner);
              const duckdb = await runtime.engine.session();
              try {
                const result = await compactLakePartition(
                  duckdb,
                  runtime.lake,
                  { assetKey: key, partitionKey },
                  { runId: owner },
                );
                results.push({ key: label, ...result });
                if (session.json) session.jsonLine({ key: label, ...result });
              } finally {
                duckdb.close();
                await runtime.store.releaseLock(label, owner);
              }
            }
          }
          if (!session.json) {
            const changed = results.filter((r) => r.filesBefore > r.filesAfter);
            if (changed.length) {
              session.out(
                textTable(
                  ['PARTITION', 'FILES', 'ROWS', 'DATA VERSION (unchanged)'],
                  changed.map((r) => [
                    r.key,
                    `${r.filesBefore} → ${r.filesAfter}`,
                    r.rows,
                    r.dataVersion.slice(0, 12),
                  ]),
                ),
              );
            }
            session.out(
              `${changed.length} of ${results.length} partitions compacted; the others already had one file.`,
            );
          }
          return 0;
        }),
    );
}
