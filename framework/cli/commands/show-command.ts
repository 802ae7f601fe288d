import type { Command } from 'commander';
import { ShopflowError } from '../../errors/error-catalog.js';
import type { CommandRunner } from '../command-runner.js';
import { textTable } from '../text-table.js';

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** `shopflow show ASSET`: the asset's data (one partition). */
export function registerShowCommand(program: Command, run: CommandRunner) {
  program
    .command('show <asset>')
    .description("print an asset's data")
    .option('--partition <key>', 'which partition (default: the latest materialized one)')
    .option('--limit <n>', 'rows to print', '20')
    .option('--format <format>', 'table, csv or json', 'table')
    .option('--quarantine', 'the rows the last write quarantined, with the rules they broke')
    .action(
      (
        assetKey: string,
        options: { partition?: string; limit: string; format: string; quarantine?: boolean; json?: boolean },
      ) =>
        run(options, async (session) => {
          if (!['table', 'csv', 'json'].includes(options.format)) {
            throw new ShopflowError('SF_BAD_USAGE', `--format ${options.format} is not known`, {
              hint: 'use table, csv or json',
            });
          }
          const limit = Number(options.limit);
          if (!Number.isInteger(limit) || limit < 0) {
            throw new ShopflowError(
              'SF_BAD_USAGE',
              `--limit ${options.limit} is not a non-negative integer`,
              { hint: 'e.g. --limit 50' },
            );
          }
          const runtime = await session.runtime();
          const asset = runtime.graph.get(assetKey);
          let partitionKey: string | null = null;
          if (asset.partitions) {
            if (options.partition) {
              asset.partitions.validate(options.partition, runtime.services.now());
              partitionKey = options.partition;
            } else {
              const [latest] = await runtime.store.listMaterializations({ assetKey, limit: 1 });
              if (!latest) {
                throw new ShopflowError(
                  'SF_NOT_MATERIALIZED',
                  `asset \`${assetKey}\` has never been materialized`,
                  {
                    hint: `run: shopflow materialize ${assetKey}`,
                  },
                );
              }
              partitionKey = latest.partitionKey;
            }
          } else if (options.partition) {
            throw new ShopflowError(
              'SF_BAD_PARTITION',
              `asset \`${assetKey}\` is not partitioned; drop --partition ${options.partition}`,
            );
          }
          const { columns, rows } = await runtime.preview(assetKey, partitionKey, limit, {
            quarantine: options.quarantine === true,
          });
          const format = session.json ? 'json' : options.format;
          if (format === 'json') for (const row of rows) session.jsonLine(row);
          else if (format === 'csv') {
            session.out(columns.map((c) => csvCell(c.name)).join(','));
            for (const row of rows) session.out(columns.map((c) => csvCell(row[c.name])).join(','));
          } else {
            session.out(
              textTable(
                columns.map((c) => c.name),
                rows.map((row) =>
                  columns.map((c) => {
                    const v = row[c.name];
                    return v !== null && typeof v === 'object' ? JSON.stringify(v) : (v as string);
                  }),
                ),
              ),
            );
            if (partitionKey) session.out(`(partition ${partitionKey})`);
          }
          return 0;
        }),
    );
}
