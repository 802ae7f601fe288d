import type { Command } from 'commander';
import { explainAsset } from '../../executor/explain-asset.js';
import type { CommandRunner } from '../command-runner.js';
import { singlePartitionOption } from '../partition-options.js';

/**
 * `shopflow explain ASSET [--partition P] [--analyze] [--on ENGINE]`: the plan of the statement the
 * asset computes a partition with — DuckDB's by default, from the partition's materialized upstream
 * data exactly as a run would read it, writing nothing; `--on postgres` the same query on the
 * warehouse where the asset declares it; with `--analyze`, executed (read only) with each operator's
 * time and rows (see `explainAsset`).
 */
export function registerExplainCommand(program: Command, run: CommandRunner) {
  program
    .command('explain <asset>')
    .description(
      'print the plan of the statement an asset computes a partition with (DuckDB, or --on ENGINE)',
    )
    .option('--partition <key>', 'the partition (default: the latest materialized one)')
    .option('--analyze', 'execute the statement (read only) and show the time and rows of each operator')
    .option('--on <engine>', 'another engine the asset declares a plan on (e.g. postgres)')
    .option('--json', 'one JSON object: asset, partition, engine, statement, plan')
    .action(
      (assetKey: string, options: { partition?: string; analyze?: boolean; on?: string; json?: boolean }) =>
        run(options, async (session) => {
          const runtime = await session.runtime();
          const explained = await explainAsset(runtime, assetKey, {
            partition: singlePartitionOption(options.partition),
            analyze: options.analyze,
            engine: options.on,
          });
          if (session.json) {
            session.jsonLine(explained);
          } else {
            const engine =
              explained.engine === 'duckdb'
                ? 'DuckDB'
                : explained.engine === 'postgres'
                  ? 'PostgreSQL'
                  : explained.engine;
            session.out(
              `${assetKey}${explained.partition === null ? '' : `[${explained.partition}]`}: ${engine} ${explained.analyze ? 'executed plan (read only)' : 'plan'}`,
            );
            session.out(explained.plan);
          }
          return 0;
        }),
    );
}
