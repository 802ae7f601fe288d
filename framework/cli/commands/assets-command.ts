import type { Command } from 'commander';
import { type AssetStatusSummary, loadAssetStatus } from '../../planner/asset-status.js';
import { describeReasons } from '../../planner/staleness-reason.js';
import type { CommandRunner } from '../command-runner.js';
import { oneLine, shortTime, textTable } from '../text-table.js';

/** Why an asset is not fresh, naming the root cause when it lies upstream. */
function why(s: AssetStatusSummary): string {
  if (s.status === 'fresh') return '';
  return s.rootCause ? s.rootCause.message : describeReasons(s.reasons);
}

/**
 * `shopflow assets`: every asset with its group, partitions, status and last materialization, from
 * the same computation as the web page and `shopflow plan` (`loadAssetStatus`).
 */
export function registerAssetsCommand(program: Command, run: CommandRunner) {
  program
    .command('assets')
    .description('list assets with group, partitions, status and last materialization')
    .option('--json', 'one JSON object per asset')
    .option('--partitions', "with --json, add every partition's status")
    .action((options: { json?: boolean; partitions?: boolean }) =>
      run(options, async (session) => {
        const runtime = await session.runtime();
        const report = await loadAssetStatus(runtime.store, runtime.graph, runtime.services.now(), {
          observe: (states) => runtime.observeInputs({ states }),
        });
        const rows = runtime.graph.toposorted().map((key) => {
          const asset = runtime.graph.get(key);
          const s = report.statuses.get(key)!;
          return { asset, s };
        });
        if (session.json) {
          for (const { asset, s } of rows) {
            session.jsonLine({
              key: asset.key,
              group: asset.group,
              description: asset.description,
              partitionsDefinition: asset.partitions?.description ?? null,
              tags: asset.tags,
              checks: asset.checks.map((c) => c.name),
              deps: runtime.graph.upstream(asset.key).map((d) => d.assetKey),
              ...s,
              ...(options.partitions
                ? {
                    partitionStatuses: report.partitions(asset.key).map((p) => ({
                      partitionKey: p.partitionKey,
                      status: p.status,
                      materialized: p.materialized,
                    })),
                  }
                : {}),
            });
          }
          return 0;
        }
        session.out(
          textTable(
            ['ASSET', 'GROUP', 'PARTITIONS', 'STATUS', 'LAST MATERIALIZED', 'WHY'],
            rows.map(({ asset, s }) => [
              asset.key,
              asset.group,
              asset.partitions ? `${s.materialized}/${s.partitions} ${asset.partitions.description}` : '—',
              s.status,
              shortTime(s.lastMaterializedAt),
              oneLine(why(s), 70),
            ]),
          ),
        );
        return 0;
      }),
    );
}
