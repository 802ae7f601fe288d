import type { Command } from 'commander';
import { formatAssetPartition } from '../../keys/asset-key.js';
import type { CommandRunner } from '../command-runner.js';
import { shortTime, textTable } from '../text-table.js';

/** `shopflow checks [ASSET]`: the latest result of every check. */
export function registerChecksCommand(program: Command, run: CommandRunner) {
  program
    .command('checks [asset]')
    .description('latest check results')
    .option('--json', 'one JSON object per evaluation')
    .action((assetKey: string | undefined, options: { json?: boolean }) =>
      run(options, async (session) => {
        const runtime = await session.runtime();
        if (assetKey) runtime.graph.get(assetKey);
        const evaluations = (await runtime.store.latestCheckEvaluations({ assetKey })).sort(
          (a, b) =>
            a.assetKey.localeCompare(b.assetKey) ||
            a.checkName.localeCompare(b.checkName) ||
            (a.partitionKey ?? '').localeCompare(b.partitionKey ?? ''),
        );
        if (session.json) {
          for (const e of evaluations) session.jsonLine(e);
          return 0;
        }
        if (evaluations.length === 0) {
          session.out('No check has been evaluated yet.');
          return 0;
        }
        session.out(
          textTable(
            ['ASSET', 'CHECK', 'SEVERITY', 'RESULT', 'WHEN', 'DETAIL'],
            evaluations.map((e) => [
              formatAssetPartition(e.assetKey, e.partitionKey),
              e.checkName,
              e.severity,
              e.passed ? 'passed' : e.severity === 'error' ? 'FAILED' : 'warning',
              shortTime(e.createdAt),
              String(e.metadata.message ?? ''),
            ]),
          ),
        );
        const failed = evaluations.filter((e) => !e.passed);
        session.out(`\n${evaluations.length - failed.length} passed, ${failed.length} not passed.`);
        return 0;
      }),
    );
}
