import { escapeHtml } from './html-escape.js';
import { outcomeStripSvg } from './outcome-strip-svg.js';
import type {
  AssetQuality,
  CheckQuality,
  CheckTrendPoint,
  QualityCounts,
  QualityReport,
  RowSample,
  TrendOutcome,
} from './quality-report.js';
import { QUALITY_REPORT_CSS } from './quality-report-css.js';
import { runBarsSvg } from './run-bars-svg.js';
import { sparklineSvg } from './sparkline-svg.js';

const MAX_CELL_CHARS = 200;

/**
 * Renders a quality report as one self-contained HTML page: inline CSS and inline SVG charts, no
 * scripts and no external assets, so it can be mailed, attached to a CI run or opened offline.
 * Every value from the store is escaped.
 *
 * @example
 * await writeTextFileAtomically('quality.html', qualityReportHtml(await buildQualityReport({ store, graph })));
 */
export function qualityReportHtml(report: QualityReport): string {
  const runLabels = report.runs.map((r) => `run ${r.id.slice(0, 8)} · ${when(r.createdAt)} · ${r.status}`);
  const evaluated = report.assets.some((a) => a.counts.pass + a.counts.warn + a.counts.fail > 0);
  const body =
    !evaluated && report.runs.length === 0
      ? `<section class="card empty">No check has been evaluated yet. Materialize assets with checks (<code>shopflow materialize</code>), then build the report again.</section>`
      : [
          tiles(report),
          runsCard(report),
          overviewCard(report, runLabels),
          ...report.assets.map((a) => assetCard(a, report, runLabels)),
        ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ShopFlow data quality · ${escapeHtml(when(report.generatedAt))}</title>
<style>${QUALITY_REPORT_CSS}</style>
</head>
<body>
<main>
<header>
<h1>Data quality</h1>
<div class="muted">Generated ${escapeHtml(when(report.generatedAt))} · latest evaluation of every check and partition · trends over the last ${report.runs.length} run${report.runs.length === 1 ? '' : 's'} that evaluated a check (of at most ${report.runLimit})${report.piiMasked ? ' · values of PII columns are shown as <code>[PII]</code>' : ''}</div>
</header>
${body}
<footer>ShopFlow · <code>shopflow checks --report</code></footer>
</main>
</body>
</html>
`;
}

function when(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

function statusOf(counts: QualityCounts): TrendOutcome {
  if (counts.fail > 0) return 'fail';
  if (counts.warn > 0) return 'warn';
  return counts.pass > 0 ? 'pass' : 'none';
}

const STATUS_TEXT: Record<TrendOutcome, string> = {
  pass: 'passing',
  warn: 'warnings',
  fail: 'failing',
  none: 'not evaluated',
};

function statusPill(counts: QualityCounts): string {
  const status = statusOf(counts);
  return `<span class="pill ${status}">${STATUS_TEXT[status]}</span>`;
}

function countPills(counts: QualityCounts): string {
  const pills = [
    counts.pass ? `<span class="pill pass" title="passed">✓ ${counts.pass}</span>` : '',
    counts.warn ? `<span class="pill warn" title="warnings">! ${counts.warn}</span>` : '',
    counts.fail ? `<span class="pill fail" title="failed (blocking)">✗ ${counts.fail}</span>` : '',
  ].join('');
  return `<span class="counts">${pills || '<span class="pill none">—</span>'}</span>`;
}

function number(n: number): string {
  return n.toLocaleString('en-US');
}

function tiles(report: QualityReport): string {
  const tile = (kind: string, value: number, label: string) =>
    `<div class="tile ${kind}"><div class="value">${number(value)}</div><div class="label">${label}</div></div>`;
  return `<section class="tiles">
${tile('', report.assets.length, 'assets with checks')}
${tile('pass', report.counts.pass, 'passing evaluations')}
${tile('warn', report.counts.warn, 'warnings')}
${tile('fail', report.counts.fail, 'blocking failures')}
${tile('fail', report.failingRows, 'failing rows')}
${tile('quarantine', report.quarantinedRows, 'quarantined rows')}
</section>`;
}

function runsCard(report: QualityReport): string {
  if (report.runs.length === 0) return '';
  const chart = runBarsSvg(
    report.runs.map((r) => ({
      label: r.createdAt.slice(5, 16).replace('T', ' '),
      title: `run ${r.id.slice(0, 8)} (${r.status}) · ${when(r.createdAt)} · ${r.selection}\n${r.counts.pass} passed, ${r.counts.warn} warnings, ${r.counts.fail} failed`,
      counts: r.counts,
    })),
  );
  return `<section class="card">
<h2>Evaluations per run</h2>
<div class="scroll" style="padding:0">${chart}</div>
<div class="legend"><span><i class="pass"></i>passed</span><span><i class="warn"></i>warning</span><span><i class="fail"></i>failed (blocking)</span></div>
</section>`;
}

function rowSeries(points: Array<{ failingRows: number; quarantinedRows: number; evaluated: boolean }>) {
  const series = [
    { className: 's-failing', values: points.map((p) => (p.evaluated ? p.failingRows : null)) },
  ];
  if (points.some((p) => p.quarantinedRows > 0))
    series.push({
      className: 's-quarantined',
      values: points.map((p) => (p.evaluated ? p.quarantinedRows : null)),
    });
  return series;
}

function rowLabels(
  points: Array<{ failingRows: number; quarantinedRows: number; evaluated: boolean }>,
  runLabels: string[],
): string[] {
  return points.map((p, i) =>
    p.evaluated
      ? `${runLabels[i]}: ${number(p.failingRows)} failing rows, ${number(p.quarantinedRows)} quarantined`
      : `${runLabels[i]}: not evaluated`,
  );
}

function overviewCard(report: QualityReport, runLabels: string[]): string {
  const rows = report.assets
    .map(
      (a) => `<tr>
<td><a href="#${escapeHtml(anchor(a.assetKey))}"><code>${escapeHtml(a.assetKey)}</code></a></td>
<td>${a.group ? `<span class="chip">${escapeHtml(a.group)}</span>` : ''}</td>
<td>${statusPill(a.counts)}</td>
<td>${countPills(a.counts)}</td>
<td class="num">${number(a.failingRows)}</td>
<td class="num">${number(a.quarantinedRows)}</td>
<td>${report.runs.length ? sparklineSvg(rowSeries(a.rowTrend), rowLabels(a.rowTrend, runLabels)) : ''}</td>
</tr>`,
    )
    .join('\n');
  return `<section class="card">
<h2>Assets</h2>
<div class="scroll" style="padding:0"><table>
<thead><tr><th>Asset</th><th>Group</th><th>Status</th><th>Latest</th><th class="num">Failing rows</th><th class="num">Quarantined</th><th>Rows over recent runs</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>
<div class="legend"><span><i class="fail"></i>failing rows</span><span><i class="quarantine"></i>quarantined rows</span></div>
</section>`;
}

function anchor(assetKey: string): string {
  return `asset-${assetKey}`;
}

function trendLabel(point: CheckTrendPoint, runLabel: string): string {
  if (point.outcome === 'none') return `${runLabel}: not evaluated`;
  const { pass, warn, fail } = point.counts;
  const parts = [
    pass ? `${pass} passed` : '',
    warn ? `${warn} warnings` : '',
    fail ? `${fail} failed` : '',
    point.failingRows ? `${number(point.failingRows)} failing rows` : '',
    point.quarantinedRows ? `${number(point.quarantinedRows)} quarantined` : '',
  ].filter(Boolean);
  return `${runLabel}: ${parts.join(', ')}`;
}

function checkRow(check: CheckQuality, report: QualityReport, runLabels: string[]): string {
  const status = statusOf(check.counts);
  const points = check.trend.map((p) => ({ ...p, evaluated: p.outcome !== 'none' }));
  return `<tr>
<td><code>${escapeHtml(check.name)}</code>${check.description ? `<div class="message">${escapeHtml(check.description)}</div>` : ''}${check.message && (status === 'fail' || status === 'warn') ? `<div class="message">${escapeHtml(check.message)}</div>` : ''}</td>
<td><span class="chip">${check.severity === 'error' ? 'blocking' : 'warn'}</span></td>
<td>${countPills(check.counts)}</td>
<td class="num">${number(check.failingRows)}</td>
<td class="num">${number(check.quarantinedRows)}</td>
<td>${report.runs.length ? outcomeStripSvg(check.trend.map((p, i) => ({ outcome: p.outcome, label: trendLabel(p, runLabels[i]) }))) : ''}</td>
<td>${report.runs.length ? sparklineSvg(rowSeries(points), rowLabels(points, runLabels)) : ''}</td>
</tr>`;
}

function assetCard(asset: AssetQuality, report: QualityReport, runLabels: string[]): string {
  const samples = asset.checks.flatMap((c) => c.samples.map((s) => sampleBlock(asset.assetKey, c, s)));
  const omitted = asset.checks.reduce((n, c) => n + c.omittedSamples, 0);
  return `<section class="card asset" id="${escapeHtml(anchor(asset.assetKey))}">
<div class="asset-head"><h2><code>${escapeHtml(asset.assetKey)}</code></h2>${asset.group ? `<span class="chip">${escapeHtml(asset.group)}</span>` : ''}${asset.defined ? '' : '<span class="chip">not in the definitions</span>'}<span class="spacer"></span>${statusPill(asset.counts)}</div>
${asset.description ? `<p class="muted">${escapeHtml(asset.description)}</p>` : ''}
<div class="scroll" style="padding:0"><table>
<thead><tr><th>Check</th><th>Severity</th><th>Latest</th><th class="num">Failing rows</th><th class="num">Quarantined</th><th>Last ${report.runs.length} runs</th><th>Rows over time</th></tr></thead>
<tbody>
${asset.checks.map((c) => checkRow(c, report, runLabels)).join('\n')}
</tbody></table></div>
${samples.length ? `<h3>Samples</h3>\n${samples.join('\n')}` : ''}${omitted ? `\n<p class="muted small">${omitted} more sample${omitted === 1 ? '' : 's'} not shown; see <code>shopflow checks ${escapeHtml(asset.assetKey)} --json</code>.</p>` : ''}
</section>`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '<span class="null">null</span>';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const shown = text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS)}…` : text;
  return `<span title="${escapeHtml(text.length > MAX_CELL_CHARS ? text.slice(0, 1000) : text)}">${escapeHtml(shown)}</span>`;
}

function sampleBlock(assetKey: string, check: CheckQuality, sample: RowSample): string {
  const where = sample.partitionKey === null ? assetKey : `${assetKey}[${sample.partitionKey}]`;
  const total = sample.totalRows ?? sample.rows.length;
  const kind = sample.kind === 'failing' ? 'Failing rows' : 'Quarantined rows';
  const head = sample.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const rows = sample.rows
    .map((row) => `<tr>${sample.columns.map((c) => `<td>${cell(row[c])}</td>`).join('')}</tr>`)
    .join('\n');
  return `<details${sample.kind === 'failing' && check.severity === 'error' ? ' open' : ''}>
<summary><span class="kind-${sample.kind}">${kind}</span> · <code>${escapeHtml(check.name)}</code> · <code>${escapeHtml(where)}</code> <span class="muted">— ${sample.rows.length} of ${number(total)} shown</span></summary>
<div class="scroll"><table class="sample"><thead><tr>${head}</tr></thead><tbody>
${rows}
</tbody></table></div>
</details>`;
}
