import type { Command } from 'commander';
import { summarizeAssetStatus } from '../../planner/asset-status.js';
import { loadChangeLogs } from '../../planner/change-log.js';
import { describeReasons } from '../../planner/staleness-reason.js';
import type { CommandRunner } from '../command-runner.js';
import { oneLine, shortTime, textTable } from '../text-table.js';

/** `shopflow assets`: every asset with its group, partitions, status and last materialization. */
export function registerAssetsCommand(program: Command, run: CommandRunner) {
  program
    .command('assets')
    .description('list assets with group, partitions, status and last materialization')
    .option('--json', 'one JSON object per asset')
    .action((options: { json?: boolean }) =>
      run(options, async (session) => {
        const runtime = await session.runtime();
        const statuses = summarizeAssetStatus(
          runtime.graph,
          await runtime.store.listAssetPartitionStates(),
          runtime.services.now(),
          await loadChangeLogs(runtime.store, runtime.graph),
        );
        const rows = runtime.graph.toposorted().map((key) => {
          const asset = runtime.graph.get(key);
          const s = statuses.get(key)!;
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
              s.status === 'fresh' ? '' : oneLine(describeReasons(s.reasons), 70),
            ]),
          ),
        );
        return 0;
      }),
    );
}
