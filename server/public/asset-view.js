/** The asset page: definition, schema, partitions, history, checks, lineage and a data preview. */
import { ApiRequestError, getJson } from './api.js';
import { checksTable, historyTable, lineageSection, schemaTable } from './asset-sections.js';
import { h, replace } from './dom.js';
import { formatNumber, STATUS_LABEL, timeAgo } from './format.js';
import { heatStrip } from './heat-strip.js';
import { historyChart } from './history-chart.js';
import { breakdownText, materializedText } from './partition-words.js';

const PREVIEW_LIMIT = 50;

function card(title, testid, ...content) {
  return h(
    'section',
    { class: 'card', 'data-testid': testid, 'aria-labelledby': `${testid}-title` },
    h('h2', { id: `${testid}-title` }, title),
    ...content,
  );
}

/** Renders the asset page into `root`. */
export async function renderAsset(root, { key, partition }) {
  let detail;
  try {
    detail = await getJson(`/api/assets/${encodeURIComponent(key)}`);
  } catch (error) {
    if (error instanceof ApiRequestError && error.status === 404) {
      replace(
        root,
        h(
          'section',
          { class: 'page' },
          h(
            'div',
            { class: 'alert alert-error', role: 'alert', 'data-testid': 'asset-error' },
            error.message,
          ),
          h('p', {}, h('a', { href: '#/' }, 'Back to the lineage graph')),
        ),
      );
      return;
    }
    throw error;
  }
  const previewBox = h('div', { class: 'preview-box', 'aria-live': 'polite' });
  const materializedKeys = detail.partitionStates.filter((c) => c.materialized && c.key).map((c) => c.key);
  const partitionSelect = detail.partitions
    ? h(
        'select',
        { 'aria-label': 'Partition to preview', 'data-testid': 'preview-partition' },
        h('option', { value: '' }, 'Latest materialized'),
        [...materializedKeys].reverse().map((k) => h('option', { value: k, selected: k === partition }, k)),
      )
    : null;

  async function loadPreview(partitionKey) {
    replace(previewBox, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const params = new URLSearchParams({ limit: String(PREVIEW_LIMIT) });
      if (partitionKey) params.set('partition', partitionKey);
      const data = await getJson(`/api/assets/${encodeURIComponent(key)}/preview?${params}`);
      if (!data.columns.length) {
        replace(previewBox, h('p', { class: 'muted' }, 'This asset stores no rows the page can show.'));
        return;
      }
      replace(
        previewBox,
        h(
          'p',
          { class: 'muted small' },
          `${data.partitionKey ? `Partition ${data.partitionKey} · ` : ''}first ${formatNumber(data.rows.length)} rows · materialized ${timeAgo(data.materializedAt)}`,
        ),
        h(
          'div',
          { class: 'table-wrap preview-scroll' },
          h(
            'table',
            { class: 'table compact data', 'data-testid': 'preview-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                data.columns.map((c) =>
                  h(
                    'th',
                    { scope: 'col', 'data-column': c.name, 'data-masked': String(c.masked) },
                    c.name,
                    h('span', { class: 'column-type' }, c.type),
                    c.masked
                      ? h(
                          'span',
                          { class: 'badge badge-pii', title: 'Personal data: masked for every viewer' },
                          'masked',
                        )
                      : null,
                  ),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              data.rows.map((row) =>
                h(
                  'tr',
                  {},
                  data.columns.map((c) => {
                    const v = row[c.name];
                    return h(
                      'td',
                      { class: c.masked ? 'masked' : typeof v === 'number' ? 'num' : null },
                      v === null || v === undefined
                        ? h('span', { class: 'null' }, 'null')
                        : typeof v === 'object'
                          ? JSON.stringify(v)
                          : String(v),
                    );
                  }),
                ),
              ),
            ),
          ),
        ),
      );
    } catch (error) {
      replace(previewBox, h('p', { class: 'muted', 'data-testid': 'preview-error' }, error.message));
    }
  }
  partitionSelect?.addEventListener('change', () => loadPreview(partitionSelect.value || null));
  const pickPartition = (partitionKey) => {
    if (partitionSelect && partitionKey)
      partitionSelect.value = materializedKeys.includes(partitionKey) ? partitionKey : '';
    loadPreview(partitionKey);
    previewBox.closest('section')?.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  };

  const c = detail.counts;
  replace(
    root,
    h(
      'article',
      { class: 'page asset-page', 'data-testid': 'asset-page', 'data-key': detail.key },
      h(
        'nav',
        { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
        h('a', { href: '#/' }, 'Lineage'),
        ' / ',
        h('a', { href: `#/?focus=${encodeURIComponent(detail.key)}` }, detail.group),
        ' / ',
        h('span', { 'aria-current': 'page' }, detail.key),
      ),
      h(
        'header',
        { class: 'page-header' },
        h(
          'div',
          {},
          h('h1', { 'data-testid': 'asset-title' }, detail.key),
          h('p', { class: 'description' }, detail.description),
        ),
        h(
          'div',
          { class: 'actions' },
          h(
            'a',
            {
              class: 'button',
              href: `#/launch?selection=${encodeURIComponent(detail.key)}`,
              'data-testid': 'asset-materialize',
            },
            'Materialize…',
          ),
          h(
            'a',
            { class: 'button secondary', href: `#/?focus=${encodeURIComponent(detail.key)}` },
            'Show in graph',
          ),
        ),
      ),
      h(
        'div',
        { class: `status-banner status-${detail.status}` },
        h(
          'span',
          {
            class: `badge status-${detail.status}`,
            'data-testid': 'asset-status',
            'data-status': detail.status,
          },
          STATUS_LABEL[detail.status],
        ),
        h(
          'span',
          { 'data-testid': 'asset-reason' },
          detail.reason || `Up to date · last materialized ${timeAgo(detail.lastMaterializedAt)}`,
        ),
        detail.rootCause
          ? h(
              'a',
              {
                class: 'root-cause-link',
                'data-testid': 'root-cause-link',
                href: `#/assets/${encodeURIComponent(detail.rootCause.assetKey)}${detail.rootCause.partitionKey ? `?partition=${encodeURIComponent(detail.rootCause.partitionKey)}` : ''}`,
              },
              `Open ${detail.rootCause.partitionKey ? `${detail.rootCause.assetKey}[${detail.rootCause.partitionKey}]` : detail.rootCause.assetKey}`,
            )
          : null,
      ),
      h(
        'dl',
        { class: 'facts facts-row' },
        [
          ['Group', detail.group],
          ['Partitioned', detail.partitions ? detail.partitions.description : 'not partitioned'],
          [
            'Partitions',
            h(
              'span',
              { 'data-testid': 'asset-partition-counts' },
              detail.partitions
                ? `${materializedText(c)} · ${breakdownText(c)}`
                : `${c.materialized ? 'Materialized' : 'Not materialized'} · ${breakdownText(c)}`,
            ),
          ],
          ['Last materialized', detail.lastMaterializedAt ? timeAgo(detail.lastMaterializedAt) : 'never'],
          ['Code version', detail.codeVersion],
          ['Storage', detail.kind],
          ['Freshness', detail.freshness ? `within ${detail.freshness.maxLagMinutes} min` : 'no policy'],
          ['Owners', detail.owners.join(', ') || '—'],
          ['Tags', detail.tags.join(', ') || '—'],
        ].map(([label, value]) => h('div', {}, h('dt', {}, label), h('dd', {}, value))),
      ),
      h(
        'div',
        { class: 'card-grid' },
        card('Schema', 'asset-schema', schemaTable(detail.columns)),
        card(
          detail.partitions ? 'Partitions' : 'State',
          'asset-partitions',
          heatStrip(detail.partitionStates, c, pickPartition),
        ),
        card(
          'Materializations',
          'asset-history',
          detail.history.length
            ? [historyChart(detail.history), historyTable(detail.history)]
            : h(
                'p',
                { class: 'muted' },
                'Never materialized. ',
                h('a', { href: `#/launch?selection=${encodeURIComponent(detail.key)}` }, 'Materialize it…'),
              ),
        ),
        card('Checks', 'asset-checks', checksTable(detail.checks)),
        card('Lineage', 'asset-lineage', lineageSection(detail)),
        typeof detail.latest?.metadata?.plan === 'string'
          ? card(
              'Query plan',
              'asset-plan',
              h(
                'p',
                { class: 'muted small' },
                'DuckDB plan of the latest materialization (`shopflow explain` for any partition).',
              ),
              h('pre', { class: 'query-plan' }, detail.latest.metadata.plan),
            )
          : null,
        h(
          'section',
          { class: 'card wide', 'data-testid': 'asset-preview', 'aria-labelledby': 'asset-preview-title' },
          h(
            'div',
            { class: 'card-header' },
            h('h2', { id: 'asset-preview-title' }, 'Data preview'),
            partitionSelect,
          ),
          previewBox,
        ),
      ),
    ),
  );
  if (detail.latest) loadPreview(partition);
  else replace(previewBox, h('p', { class: 'muted' }, 'No data yet.'));
}
