import type { Command } from 'commander';
import { ShopflowError } from '../../errors/error-catalog.js';
import { duckdbPlan, statementOf } from '../../executor/run-step.js';
import type { CommandRunner } from '../command-runner.js';

/**
 * `shopflow explain ASSET [--partition P] [--analyze]`: DuckDB's plan of the statement the asset
 * computes a partition with — from the partition's materialized upstream data, exactly as a run
 * would, without writing anything; with `--analyze`, the statement executed (read only) and the
 * plan with each operator's time and rows.
 */
export function registerExplainCommand(program: Command, run: CommandRunner) {
  program
    .command('explain <asset>')
    .description("print DuckDB's plan of the statement an asset computes a partition with")
    .option('--partition <key>', 'the partition (default: the latest materialized one)')
    .option('--analyze', 'execute the statement (read only) and show the time and rows of each operator')
    .option('--json', 'one JSON object: asset, partition, statement, plan')
    .action((assetKey: string, options: { partition?: string; analyze?: boolean; json?: boolean }) =>
      run(options, async (session) => {
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
                'SF_BAD_USAGE',
                `asset \`${assetKey}\` is partitioned and was never materialized`,
                {
                  hint: `name one: shopflow explain ${assetKey} --partition KEY`,
                },
              );
            }
            partitionKey = latest.partitionKey;
          }
        } else if (options.partition) {
          throw new ShopflowError('SF_BAD_PARTITION', `asset \`${assetKey}\` is not partitioned`, {
            hint: 'drop --partition',
          });
        }
        const duckdb = await runtime.engine.session();
        try {
          const statement = await statementOf(runtime.services, asset, partitionKey, duckdb);
          if (statement === null) {
            throw new ShopflowError(
              'SF_BAD_USAGE',
              `asset \`${assetKey}\` does not compute its data with one DuckDB statement (it returns rows or writes its target itself): there is no plan to explain`,
              { hint: 'explain an asset whose materialize returns duckdb.sql`…`' },
            );
          }
          const plan = await duckdbPlan(duckdb, statement, options.analyze === true);
          if (session.json) {
            session.jsonLine({
              asset: assetKey,
              partition: partitionKey,
              engine: 'duckdb',
              analyze: options.analyze === true,
              statement,
              plan,
            });
          } else {
            session.out(
              `${assetKey}${partitionKey === null ? '' : `[${partitionKey}]`}: DuckDB ${options.analyze ? 'executed plan (read only)' : 'plan'}`,
            );
            session.out(plan);
          }
          return 0;
        } finally {
          duckdb.close();
        }
      }),
    );
}
