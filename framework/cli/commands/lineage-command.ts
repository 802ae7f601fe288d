import type { Command } from 'commander';
import { ShopflowError } from '../../errors/error-catalog.js';
import { formatAssetPartition } from '../../keys/asset-key.js';
import type { CommandRunner } from '../command-runner.js';
import { singlePartitionOption } from '../partition-options.js';

/** `shopflow lineage ASSET`: the static graph around an asset and the versions its latest materialization read. */
export function registerLineageCommand(program: Command, run: CommandRunner) {
  program
    .command('lineage <asset>')
    .description('upstream/downstream assets and the data versions the latest materialization read')
    .option('--upstream', 'only upstream')
    .option('--downstream', 'only downstream')
    .option('--partition <key>', 'which partition (default: the latest materialized one)')
    .option('--json', 'machine-readable output')
    .action(
      (
        assetKey: string,
        options: { upstream?: boolean; downstream?: boolean; partition?: string; json?: boolean },
      ) =>
        run(options, async (session) => {
          if (options.upstream && options.downstream) {
            throw new ShopflowError('SF_BAD_USAGE', '--upstream and --downstream exclude each other', {
              hint: 'give one, or neither for both',
            });
          }
          const runtime = await session.runtime();
          const graph = runtime.graph;
          const asset = graph.get(assetKey);
          options.partition = singlePartitionOption(options.partition);
          // NOTE: the partition is checked as `show` and `explain` check it: a key that cannot exist
          // is an error, not "not materialized yet".
          if (options.partition !== undefined) {
            if (!asset.partitions) {
              throw new ShopflowError(
                'SF_BAD_USAGE',
                `asset \`${assetKey}\` is not partitioned, but partition \`${options.partition}\` was asked for`,
                { hint: 'drop --partition' },
              );
            }
            asset.partitions.validate(options.partition, runtime.services.now());
          }
          const showUp = !options.downstream;
          const showDown = !options.upstream;
          const [latest] = await runtime.store.listMaterializations({
            assetKey,
            partitionKey: options.partition === undefined ? undefined : options.partition,
            limit: 1,
          });
          const downstreamRead =
            latest && showDown ? await runtime.store.listDownstreamMaterializations(latest.id) : [];
          const result = {
            asset: assetKey,
            upstream: showUp ? tree(assetKey, (k) => graph.upstream(k).map((d) => d.assetKey)) : undefined,
            downstream: showDown ? tree(assetKey, (k) => graph.downstream(k)) : undefined,
            materialization: latest
              ? {
                  id: latest.id,
                  partition: latest.partitionKey,
                  dataVersion: latest.dataVersion,
                  createdAt: latest.createdAt,
                  runId: latest.runId,
                }
              : null,
            read: latest && showUp ? latest.inputs : undefined,
            readBy: showDown
              ? downstreamRead.map((m) => ({
                  asset: m.assetKey,
                  partition: m.partitionKey,
                  id: m.id,
                  dataVersion: m.dataVersion,
                }))
              : undefined,
          };
          if (session.json) {
            session.jsonLine(result);
            return 0;
          }
          if (result.upstream)
            session.out(`Upstream of ${assetKey}:\n${render(result.upstream, 1) || '  (none)'}`);
          if (result.downstream)
            session.out(`Downstream of ${assetKey}:\n${render(result.downstream, 1) || '  (none)'}`);
          if (latest) {
            session.out(
              `\nLatest materialization ${latest.id.slice(0, 8)} of ${formatAssetPartition(assetKey, latest.partitionKey)} (version ${latest.dataVersion.slice(0, 8)}, ${latest.createdAt})`,
            );
            if (result.read) {
              session.out(result.read.length ? 'read:' : 'read no upstream data');
              for (const i of result.read)
                session.out(
                  `  ${formatAssetPartition(i.assetKey, i.partitionKey)}  version ${i.dataVersion.slice(0, 8)}  (materialization ${i.materializationId.slice(0, 8)})`,
                );
            }
            if (result.readBy?.length) {
              session.out('read by:');
              for (const m of result.readBy)
                session.out(
                  `  ${formatAssetPartition(m.asset, m.partition)}  version ${m.dataVersion.slice(0, 8)}`,
                );
            }
          } else
            session.out(
              `\n${options.partition === undefined ? assetKey : formatAssetPartition(assetKey, options.partition)} has not been materialized yet.`,
            );
          return 0;
        }),
    );
}

interface TreeNode {
  key: string;
  children: TreeNode[];
  /** The asset appears earlier in the tree, with its children there. */
  repeated?: true;
}

function tree(root: string, next: (key: string) => string[], seen = new Set<string>()): TreeNode[] {
  return next(root).map((key) => {
    if (seen.has(key)) return { key, children: [], repeated: true };
    seen.add(key);
    return { key, children: tree(key, next, seen) };
  });
}

function render(nodes: TreeNode[], depth: number): string {
  return nodes
    .map(
      (n) =>
        `${'  '.repeat(depth)}${n.key}${n.repeated ? ' (see above)' : ''}${n.children.length ? `\n${render(n.children, depth + 1)}` : ''}`,
    )
    .join('\n');
}
