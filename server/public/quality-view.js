/**
 * Data quality: the latest result of every check of every asset, failing first, with its trend over
 * the latest runs that evaluated checks and samples of the rows that failed — the same report as
 * `shopflow checks --report`. Values of personal-data columns in samples arrive masked (`[PII]`).
 */
import { getJson } from './api.js';
import { assetLink } from './asset-sections.js';
import { h, replace, s } from './dom.js';
import { formatNumber, formatTime, shortId, timeAgo } from './format.js';

const POLL_MS = 15_000;
const OUTCOME_LABEL = { fail: 'Failing', warn: 'Warning', pass: 'Passing', none: 'Not evaluated' };

function worst(counts) {
  return counts.fail > 0 ? 'fail' : counts.warn > 0 ? 'warn' : counts.pass > 0 ? 'pass' : 'none';
}

function outcomeBadge(outcome, testid) {
  return h(
    'span',
    { class: `badge quality-${outcome}`, 'data-testid': testid, 'data-outcome': outcome },
    OUTCOME_LABEL[outcome],
  );
}

/** One square per run, oldest first, coloured by the check's outcome in that run. */
function trendStrip(trend, runs) {
  const size = 12;
  const gap = 3;
  const width = Math.max(1, trend.length) * (size + gap);
  return s(
    'svg',
    {
      class: 'quality-trend',
      'data-testid': 'check-trend',
      'data-outcomes': trend.map((p) => p.outcome).join(','),
      width,
      height: size,
      viewBox: `0 0 ${width} ${size}`,
      role: 'img',
      'aria-label': `outcome in the last ${trend.length} runs, oldest first: ${trend.map((p) => p.outcome).join(', ')}`,
    },
    trend.map((point, i) =>
      s(
        'rect',
        { class: `trend-cell trend-${point.outcome}`, x: i * (size + gap), width: size, height: size, rx: 2 },
        s(
          'title',
          {},
          `run ${shortId(point.runId)} (${formatTime(runs[i]?.createdAt)}): ${OUTCOME_LABEL[point.outcome]}${point.failingRows ? `, ${formatNumber(point.failingRows)} failing rows` : ''}`,
        ),
      ),
    ),
  );
}

function sampleTable(sample) {
  return h(
    'div',
    { class: 'quality-sample', 'data-testid': 'check-sample', 'data-kind': sample.kind },
    h(
      'p',
      { class: 'muted small' },
      `${sample.kind === 'failing' ? 'Failing' : 'Quarantined'} rows${sample.partitionKey ? ` of ${sample.partitionKey}` : ''}: ${formatNumber(sample.rows.length)} shown${sample.totalRows ? ` of ${formatNumber(sample.totalRows)}` : ''}`,
    ),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table compact data' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            sample.columns.map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          {},
          sample.rows.map((row) =>
            h(
              'tr',
              {},
              sample.columns.map((c) => {
                const value = row[c];
                return h(
                  'td',
                  {
                    class: value === '[PII]' ? 'masked' : value === null || value === undefined ? 'null' : '',
                  },
                  value === null || value === undefined
                    ? 'null'
                    : typeof value === 'object'
                      ? JSON.stringify(value)
                      : String(value),
                );
              }),
            ),
          ),
        ),
      ),
    ),
  );
}

function checkRows(asset, runs) {
  return asset.checks.flatMap((check) => {
    const outcome = worst(check.counts);
    const partitions = check.counts.pass + check.counts.warn + check.counts.fail;
    const notPassed = check.counts.fail + check.counts.warn;
    return [
      h(
        'tr',
        { 'data-testid': 'quality-check', 'data-check': check.name, 'data-outcome': outcome },
        h('td', {}, outcomeBadge(outcome, 'check-outcome')),
        h(
          'td',
          {},
          h('code', {}, check.name),
          check.description ? h('div', { class: 'muted small' }, check.description) : null,
        ),
        h(
          'td',
          {},
          h(
            'span',
            { class: `badge severity-${check.severity}` },
            check.severity === 'error' ? 'blocking' : 'warning',
          ),
        ),
        h(
          'td',
          { class: 'num' },
          partitions > 1
            ? `${formatNumber(notPassed)} of ${formatNumber(partitions)}`
            : notPassed
              ? 'not passed'
              : partitions
                ? 'passed'
                : '—',
        ),
        h(
          'td',
          { class: 'num', 'data-testid': 'check-failing-rows' },
          check.failingRows ? formatNumber(check.failingRows) : '—',
          check.quarantinedRows
            ? h('div', { class: 'muted small' }, `${formatNumber(check.quarantinedRows)} quarantined`)
            : null,
        ),
        h('td', {}, trendStrip(check.trend, runs)),
        h(
          'td',
          { title: check.lastEvaluatedAt ? formatTime(check.lastEvaluatedAt) : '' },
          timeAgo(check.lastEvaluatedAt),
        ),
        h('td', { class: 'error-cell' }, outcome === 'pass' ? '' : (check.message ?? '')),
      ),
      check.samples.length && (outcome !== 'pass' || check.quarantinedRows > 0)
        ? h(
            'tr',
            { class: 'detail-row' },
            h(
              'td',
              { colspan: 8 },
              check.samples.map(sampleTable),
              check.omittedSamples
                ? h('p', { class: 'muted small' }, `${check.omittedSamples} more samples in the report`)
                : null,
            ),
          )
        : null,
    ];
  });
}

/** Renders the Data quality page into `root`; returns the cleanup function. */
export async function renderQuality(root, { query }) {
  let onlyProblems = query.get('only') === 'problems';
  const summary = h('div', { class: 'quality-summary', 'data-testid': 'quality-summary' });
  const body = h('div', { class: 'quality-body' });
  const filter = h(
    'label',
    { class: 'checkbox' },
    h('input', {
      type: 'checkbox',
      checked: onlyProblems,
      'data-testid': 'quality-only-problems',
      onchange: (event) => {
        onlyProblems = event.target.checked;
        history.replaceState(null, '', onlyProblems ? '#/quality?only=problems' : '#/quality');
        if (last) draw(last);
      },
    }),
    ' Only failing and warning checks',
  );
  replace(
    root,
    h(
      'section',
      { class: 'page quality-page' },
      h(
        'header',
        { class: 'page-header' },
        h(
          'div',
          {},
          h('h1', {}, 'Data quality'),
          h(
            'p',
            { class: 'description' },
            'The latest result of every check, failing first, with its trend and samples of failing rows: the report of ',
            h('code', {}, 'shopflow checks --report'),
            '. Personal data in samples is masked.',
          ),
        ),
        h('div', { class: 'actions' }, filter),
      ),
      summary,
      body,
    ),
  );

  let last = null;
  function draw(report) {
    last = report;
    const { pass, warn, fail } = report.counts;
    replace(
      summary,
      h(
        'span',
        { class: `badge ${fail ? 'quality-fail' : ''}`, 'data-testid': 'quality-count-fail' },
        `${formatNumber(fail)} failing`,
      ),
      h(
        'span',
        { class: `badge ${warn ? 'quality-warn' : ''}`, 'data-testid': 'quality-count-warn' },
        `${formatNumber(warn)} warnings`,
      ),
      h(
        'span',
        { class: `badge ${pass ? 'quality-pass' : ''}`, 'data-testid': 'quality-count-pass' },
        `${formatNumber(pass)} passing`,
      ),
      h(
        'span',
        { class: 'muted small' },
        `latest evaluation per check and partition · trends over the last ${report.runs.length} runs that evaluated checks · ${formatNumber(report.failingRows)} failing and ${formatNumber(report.quarantinedRows)} quarantined rows`,
      ),
    );
    const assets = report.assets
      .map((asset) =>
        onlyProblems
          ? { ...asset, checks: asset.checks.filter((c) => c.counts.fail > 0 || c.counts.warn > 0) }
          : asset,
      )
      .filter((asset) => asset.checks.length > 0);
    if (assets.length === 0) {
      replace(
        body,
        h(
          'div',
          { class: 'empty-state card' },
          h('h2', {}, onlyProblems ? 'No check fails or warns' : 'No check has been evaluated yet'),
          onlyProblems ? null : h('p', {}, 'Checks run with every materialization of their asset.'),
        ),
      );
      return;
    }
    replace(
      body,
      assets.map((asset) =>
        h(
          'section',
          {
            class: 'card wide quality-asset',
            'data-testid': 'quality-asset',
            'data-asset': asset.assetKey,
            'data-outcome': worst(asset.counts),
          },
          h(
            'div',
            { class: 'card-header' },
            h(
              'h2',
              {},
              h('span', { class: 'mono' }, asset.defined ? assetLink(asset.assetKey) : asset.assetKey),
              ' ',
              outcomeBadge(worst(asset.counts), 'asset-outcome'),
            ),
            h('span', { class: 'muted small' }, asset.group ? `group ${asset.group}` : 'no longer defined'),
          ),
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'table compact quality-table' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  [
                    'Result',
                    'Check',
                    'Severity',
                    'Partitions not passing',
                    'Failing rows',
                    'Trend (oldest → newest)',
                    'Evaluated',
                    'Message',
                  ].map((t) => h('th', { scope: 'col' }, t)),
                ),
              ),
              h('tbody', {}, checkRows(asset, report.runs)),
            ),
          ),
        ),
      ),
    );
  }
  const load = async () => draw(await getJson('/api/quality'));
  await load();
  const timer = setInterval(() => {
    if (!document.hidden) load().catch(() => {});
  }, POLL_MS);
  return () => clearInterval(timer);
}
