import { resolve } from 'node:path';
import type { Command } from 'commander';
import { dataFolders } from '../../config/data-folders.js';
import { displayPath } from '../../config/display-path.js';
import { ShopflowError } from '../../errors/error-catalog.js';
import { assertUnmaskAllowed, auditUnmaskedRead } from '../../governance/unmask-audit.js';
import { formatAssetPartition } from '../../keys/asset-key.js';
import { buildQualityReport } from '../../reporting/quality-report.js';
import { qualityReportHtml } from '../../reporting/quality-report-html.js';
import { writeTextFileAtomically } from '../../reporting/write-text-file-atomically.js';
import type { CliSession } from '../cli-session.js';
import type { CommandRunner } from '../command-runner.js';
import { shortTime, textTable } from '../text-table.js';

interface ChecksOptions {
  json?: boolean;
  report?: string;
  runs?: string;
  includePii?: boolean;
}

/**
 * `shopflow checks [ASSET]`: the latest result of every check; with `--report FILE` a data-quality
 * report (HTML, or JSON when FILE ends in `.json`) with trends over the last `--runs` runs.
 */
export function registerChecksCommand(program: Command, run: CommandRunner) {
  program
    .command('checks [asset]')
    .description('latest check results; --report writes a data-quality report with trends')
    .option('--json', 'one JSON object per evaluation (with --report: the report data as one JSON object)')
    .option('--report <file>', 'write a self-contained HTML report (JSON when the file ends in .json)')
    .option('--runs <n>', 'runs shown in the report trends', '20')
    .option('--include-pii', 'show values of PII columns in report samples (masked by default)')
    .action((assetKey: string | undefined, options: ChecksOptions) =>
      run(options, async (session) => {
        const runtime = await session.runtime();
        if (assetKey) runtime.graph.get(assetKey);
        if (options.report !== undefined) return await writeReport(session, assetKey, options);
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

function parseRuns(text: string | undefined): number {
  const runs = Number(text ?? '20');
  if (!Number.isInteger(runs) || runs < 1 || runs > 1000) {
    throw new ShopflowError('SF_BAD_USAGE', `--runs \`${text}\` is not a whole number from 1 to 1000`, {
      hint: 'e.g. `--runs 20`',
    });
  }
  return runs;
}

async function writeReport(
  session: CliSession,
  assetKey: string | undefined,
  options: ChecksOptions,
): Promise<number> {
  const runs = parseRuns(options.runs);
  const file = resolve(session.io.cwd, options.report!);
  if (options.includePii) assertUnmaskAllowed(session.io.env);
  const runtime = await session.runtime();
  const report = await buildQualityReport({
    store: runtime.store,
    graph: runtime.graph,
    runs,
    assetKey,
    secrets: session.config().secrets,
    includePii: options.includePii === true,
    classification: await runtime.classification(),
  });
  if (options.includePii) {
    const read = {
      asset: assetKey ?? '*',
      partition: null,
      columns: ['(check samples)'],
      rows: report.assets.length,
      via: 'shopflow checks --report --include-pii',
    };
    auditUnmaskedRead(dataFolders(runtime.config).logsDir, read, session.io.env);
  }
  const asJson = file.toLowerCase().endsWith('.json');
  await writeTextFileAtomically(
    file,
    asJson ? `${JSON.stringify(report, null, 2)}\n` : qualityReportHtml(report),
  );
  const shown = displayPath(file, session.io.cwd);
  if (session.json) {
    session.jsonLine({ file: shown, ...report });
    return 0;
  }
  const { pass, warn, fail } = report.counts;
  session.out(
    `Wrote the quality report to ${shown}: ${counted(report.assets.length, 'asset')}, ${pass} passed, ${counted(warn, 'warning')}, ${counted(fail, 'blocking failure')}; trends over ${counted(report.runs.length, 'run')}.`,
  );
  return 0;
}

function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
