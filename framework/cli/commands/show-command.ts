import type { Command } from 'commander';
import { dataFolders } from '../../config/data-folders.js';
import { ShopflowError } from '../../errors/error-catalog.js';
import { assertUnmaskAllowed, auditUnmaskedRead } from '../../governance/unmask-audit.js';
import { previewAsset } from '../../io/preview-asset.js';
import type { CommandRunner } from '../command-runner.js';
import { integerOption } from '../integer-option.js';
import { singlePartitionOption } from '../partition-options.js';
import { textTable } from '../text-table.js';

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * `shopflow show ASSET`: the asset's data (one partition), with columns classified as personal data
 * masked unless `--unmask` is given.
 */
export function registerShowCommand(program: Command, run: CommandRunner) {
  program
    .command('show <asset>')
    .description("print an asset's data")
    .option('--partition <key>', 'which partition (default: the latest materialized one)')
    .option('--limit <n>', 'rows to print', '20')
    .option('--format <format>', 'table, csv or json', 'table')
    .option('--unmask', 'show the values of columns classified as personal data (masked by default)')
    .option('--quarantine', 'the rows the last write quarantined, with the rules they broke')
    .action(
      (
        assetKey: string,
        options: {
          partition?: string;
          limit: string;
          format: string;
          json?: boolean;
          unmask?: boolean;
          quarantine?: boolean;
        },
      ) =>
        run(options, async (session) => {
          if (!['table', 'csv', 'json'].includes(options.format)) {
            throw new ShopflowError('SF_BAD_USAGE', `--format ${options.format} is not known`, {
              hint: 'use table, csv or json',
            });
          }
          const limit = integerOption('--limit', options.limit, 0);
          if (options.unmask) assertUnmaskAllowed(session.io.env);
          const runtime = await session.runtime();
          const { columns, rows, partitionKey } = await previewAsset(runtime, assetKey, {
            partition: singlePartitionOption(options.partition),
            limit,
            unmask: options.unmask === true,
            quarantine: options.quarantine === true,
          });
          const masked = columns.filter((c) => c.masked).map((c) => c.name);
          const clear = options.unmask ? columns.filter((c) => c.class !== 'none').map((c) => c.name) : [];
          if (clear.length > 0) {
            const read = {
              asset: assetKey,
              partition: partitionKey,
              columns: clear,
              rows: rows.length,
              via: 'shopflow show',
            };
            auditUnmaskedRead(dataFolders(runtime.config).logsDir, read, session.io.env);
            runtime.log.info(read, `personal data of ${assetKey} shown in clear (audited)`);
          }
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
            if (options.quarantine && rows.length === 0)
              session.out('(no quarantined rows: the last write quarantined nothing)');
            if (masked.length)
              session.out(`(${masked.join(', ')}: personal data, masked; --unmask shows the values)`);
          }
          return 0;
        }),
    );
}
