import type { Command } from 'commander';
import { glueTableInput } from '../../catalog/glue-table-input.js';
import { describeCatalog, writeSymlinkManifests } from '../../catalog/lake-catalog.js';
import { ShopflowError } from '../../errors/error-catalog.js';
import type { StoredColumn } from '../../io/stored-column-types.js';
import type { CommandRunner } from '../command-runner.js';
import { textTable } from '../text-table.js';

/**
 * `shopflow catalog`: every table with owner, description, personal-data columns, partitioning,
 * freshness, rows and where it lives. `--glue` prints an AWS Glue table for every lake table (one
 * `aws glue create-table --cli-input-json` body per line), `--symlinks` writes the manifests those
 * tables read the lake through.
 */
export function registerCatalogCommand(program: Command, run: CommandRunner) {
  program
    .command('catalog')
    .description(
      'list every table (owner, classification, partitioning, freshness, rows, location); export Glue tables',
    )
    .option('--json', 'one JSON object per table')
    .option('--glue', 'one `aws glue create-table --cli-input-json` body per lake table (S3 lake only)')
    .option('--database <name>', 'the Glue database of --glue (default: shopflow_<env>)')
    .option('--symlinks', "write each lake partition's symlink manifest (what the Glue tables read)")
    .action((options: { json?: boolean; glue?: boolean; database?: string; symlinks?: boolean }) =>
      run(options, async (session) => {
        const runtime = await session.runtime();
        const lakeTables = runtime.graph.assets.filter((a) => a.io.kind === 'lake-table').map((a) => a.key);
        if (options.glue || options.symlinks) {
          if (runtime.lake.kind !== 's3') {
            throw new ShopflowError(
              'SF_BAD_USAGE',
              `the lake is the local folder ${runtime.lake.description}; Glue tables read S3`,
              {
                hint: 'use a configuration whose lake is on S3 (SHOPFLOW_ENV=prod)',
              },
            );
          }
          if (options.symlinks) {
            const written = await writeSymlinkManifests(runtime, lakeTables);
            if (!options.glue)
              session.out(`wrote ${written} symlink manifests under ${runtime.lake.description}_symlinks/`);
          }
          if (options.glue) {
            const lakeConfig = runtime.config.lake as { symlinks?: boolean };
            if (!options.symlinks && lakeConfig.symlinks !== true) {
              // NOTE: stderr: stdout is the Glue bodies, one per line, for a pipe.
              session.io.stderr.write(
                'note: lake.symlinks is off, so commits do not keep the `_symlinks/` manifests these tables read up to date: set `lake.symlinks: true`, or run `shopflow catalog --symlinks` after each run\n',
              );
            }
            const database = options.database ?? `shopflow_${runtime.config.env}`;
            for (const key of lakeTables) {
              // NOTE: the column types the files hold, as the latest write recorded them (a table
              // never written yet gets its declared types).
              const [latest] = await runtime.store.listMaterializations({ assetKey: key, limit: 1 });
              const stored = latest?.metadata.schema;
              session.jsonLine({
                DatabaseName: database,
                TableInput: glueTableInput(runtime.graph.get(key), {
                  lake: runtime.lake.description,
                  now: runtime.services.now(),
                  ...(Array.isArray(stored) ? { stored: stored as StoredColumn[] } : {}),
                }),
              });
            }
          }
          return 0;
        }
        const entries = await describeCatalog(runtime);
        if (session.json) {
          for (const entry of entries) session.jsonLine(entry);
          return 0;
        }
        session.out(
          textTable(
            ['TABLE', 'GROUP', 'OWNERS', 'PARTITIONS', 'ROWS', 'PERSONAL DATA', 'STATUS', 'LOCATION'],
            entries.map((e) => [
              e.key,
              e.group,
              e.owners.join(', ') || '—',
              e.partitioning ? `${e.partitionsMaterialized} ${e.partitioning}` : '—',
              e.rows === null ? '—' : e.rows.toLocaleString('en-US'),
              e.columns
                .filter((c) => c.piiKind)
                .map((c) => c.name)
                .join(', ') || '—',
              e.status,
              e.location,
            ]),
          ),
        );
        return 0;
      }),
    );
}
