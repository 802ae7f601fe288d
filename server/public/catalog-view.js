/**
 * The asset catalog: every asset in one table with its group, owners, tags, status, freshness,
 * rows, personal-data columns, location and last materialization; filters by group, owner, tag, status and freshness (kept in the address,
 * so a filtered view can be shared) and sorting by any column, by default the most recently
 * materialized first.
 */
import { getJson } from './api.js';
import { assetLink } from './asset-sections.js';
import { h, replace } from './dom.js';
import { formatNumber, formatTime, STATUS_LABEL, STATUS_SEVERITY, timeAgo } from './format.js';

const POLL_MS = 10_000;
const FRESHNESS_LABEL = {
  on_time: 'On time',
  overdue: 'Overdue',
  never_materialized: 'Never materialized',
  no_policy: 'No policy',
};
const FILTERS = ['group', 'owner', 'tag', 'status', 'freshness'];
const COLUMNS = [
  ['key', 'Asset'],
  ['group', 'Group'],
  ['owners', 'Owners'],
  ['tags', 'Tags'],
  ['status', 'Status'],
  ['freshness', 'Freshness'],
  ['partitions', 'Partitions'],
  ['rows', 'Rows'],
  ['personalData', 'Personal data'],
  ['lastMaterializedAt', 'Last materialized'],
];

function valuesOf(asset, filter) {
  switch (filter) {
    case 'owner':
      return asset.owners;
    case 'tag':
      return asset.tags;
    case 'freshness':
      return [asset.freshness.state];
    default:
      return [asset[filter]];
  }
}

function sortValue(asset, column) {
  switch (column) {
    case 'status':
      return STATUS_SEVERITY.indexOf(asset.status);
    case 'owners':
    case 'tags':
    case 'personalData':
      return asset[column].join(', ');
    case 'rows':
      return asset.rows ?? -1;
    case 'freshness':
      return asset.freshness.lagMinutes ?? Number.POSITIVE_INFINITY;
    case 'partitions':
      return asset.partitions.materialized;
    case 'lastMaterializedAt':
      return asset.lastMaterializedAt ?? '';
    default:
      return asset[column];
  }
}

function freshnessCell(f) {
  const detail =
    f.maxLagMinutes === null
      ? ''
      : ` · ${f.lagMinutes === null ? '—' : `${formatNumber(f.lagMinutes)} min`} of ${formatNumber(f.maxLagMinutes)} allowed`;
  return h(
    'span',
    { class: `freshness freshness-${f.state}`, 'data-freshness': f.state },
    FRESHNESS_LABEL[f.state],
    h('span', { class: 'muted small' }, detail),
  );
}

/** Renders the catalog into `root`; `query` holds the filters and the sort. Returns the cleanup. */
export async function renderCatalog(root, { query }) {
  const state = {
    filters: Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])),
    search: query.get('q') ?? '',
    sort: query.get('sort') ?? 'lastMaterializedAt',
    descending: (query.get('order') ?? (query.get('sort') ? 'asc' : 'desc')) === 'desc',
    assets: [],
  };
  const controls = h('div', { class: 'catalog-filters', role: 'search' });
  const count = h('p', { class: 'muted small', 'data-testid': 'catalog-count', 'aria-live': 'polite' });
  const table = h('div', { class: 'table-wrap card flush' });
  replace(
    root,
    h(
      'section',
      { class: 'page catalog-page' },
      h(
        'header',
        { class: 'page-header' },
        h(
          'div',
          {},
          h('h1', {}, 'Asset catalog'),
          h(
            'p',
            { class: 'description' },
            'Every asset with its owners, tags, status and freshness. Filter, sort, and open an asset for its schema, history and data.',
          ),
        ),
      ),
      controls,
      count,
      table,
    ),
  );

  function keepInAddress() {
    const params = new URLSearchParams();
    for (const f of FILTERS) if (state.filters[f]) params.set(f, state.filters[f]);
    if (state.search) params.set('q', state.search);
    if (state.sort !== 'lastMaterializedAt' || !state.descending) {
      params.set('sort', state.sort);
      params.set('order', state.descending ? 'desc' : 'asc');
    }
    const next = `#/catalog${params.size ? `?${params}` : ''}`;
    if (location.hash !== next) history.replaceState(null, '', next);
  }

  const options = (filter) => {
    const values = new Set();
    for (const a of state.assets) for (const v of valuesOf(a, filter)) values.add(v);
    return [...values].sort((a, b) =>
      filter === 'status'
        ? STATUS_SEVERITY.indexOf(a) - STATUS_SEVERITY.indexOf(b)
        : String(a).localeCompare(String(b)),
    );
  };
  let drawnOptions = '';

  /** Draws the filters; only when their choices changed, so typing in the search box is never interrupted. */
  function drawControls() {
    const signature = JSON.stringify(FILTERS.map(options));
    if (signature === drawnOptions) return;
    drawnOptions = signature;
    const label = (filter, value) =>
      filter === 'status' ? STATUS_LABEL[value] : filter === 'freshness' ? FRESHNESS_LABEL[value] : value;
    replace(
      controls,
      h('input', {
        type: 'search',
        class: 'search-input',
        placeholder: 'Filter by name or description…',
        'aria-label': 'Filter assets by name or description',
        value: state.search,
        'data-testid': 'catalog-search',
        oninput: (event) => {
          state.search = event.target.value;
          drawTable();
        },
      }),
      FILTERS.map((filter) =>
        h(
          'label',
          { class: 'filter' },
          h('span', {}, filter[0].toUpperCase() + filter.slice(1)),
          h(
            'select',
            {
              'data-testid': `catalog-filter-${filter}`,
              onchange: (event) => {
                state.filters[filter] = event.target.value;
                drawTable();
              },
            },
            h('option', { value: '' }, 'All'),
            options(filter).map((value) =>
              h('option', { value, selected: state.filters[filter] === value }, label(filter, value)),
            ),
          ),
        ),
      ),
    );
  }

  function shown() {
    const q = state.search.trim().toLowerCase();
    const rows = state.assets.filter(
      (a) =>
        FILTERS.every((f) => !state.filters[f] || valuesOf(a, f).includes(state.filters[f])) &&
        (!q || a.key.includes(q) || a.description.toLowerCase().includes(q)),
    );
    const direction = state.descending ? -1 : 1;
    return rows.sort((a, b) => {
      const x = sortValue(a, state.sort);
      const y = sortValue(b, state.sort);
      const order =
        typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return order * direction || a.key.localeCompare(b.key);
    });
  }

  function header([column, title]) {
    const active = state.sort === column;
    return h(
      'th',
      { scope: 'col', 'aria-sort': active ? (state.descending ? 'descending' : 'ascending') : 'none' },
      h(
        'button',
        {
          type: 'button',
          class: 'sort-button',
          'data-testid': `catalog-sort-${column}`,
          onclick: () => {
            if (active) state.descending = !state.descending;
            else {
              state.sort = column;
              state.descending = column === 'lastMaterializedAt';
            }
            drawTable();
          },
        },
        title,
        h(
          'span',
          { class: 'sort-mark', 'aria-hidden': 'true' },
          active ? (state.descending ? ' ▾' : ' ▴') : '',
        ),
      ),
    );
  }

  function drawTable() {
    keepInAddress();
    const rows = shown();
    replace(count, `${formatNumber(rows.length)} of ${formatNumber(state.assets.length)} assets`);
    replace(
      table,
      h(
        'table',
        { class: 'table catalog-table', 'data-testid': 'catalog-table' },
        h('thead', {}, h('tr', {}, COLUMNS.map(header))),
        h(
          'tbody',
          {},
          rows.length === 0
            ? h(
                'tr',
                {},
                h('td', { colspan: COLUMNS.length, class: 'muted' }, 'No asset matches these filters.'),
              )
            : rows.map((a) =>
                h(
                  'tr',
                  { 'data-testid': 'catalog-row', 'data-key': a.key, 'data-status': a.status },
                  h(
                    'td',
                    {},
                    h('span', { class: 'mono' }, assetLink(a.key)),
                    h('div', { class: 'muted small catalog-description' }, a.description),
                    a.location
                      ? h('div', { class: 'muted small mono', 'data-testid': 'catalog-location' }, a.location)
                      : null,
                  ),
                  h('td', {}, a.group),
                  h('td', {}, a.owners.length ? a.owners.join(', ') : h('span', { class: 'muted' }, '—')),
                  h(
                    'td',
                    {},
                    a.tags.length
                      ? a.tags.map((t) => h('span', { class: 'tag' }, t))
                      : h('span', { class: 'muted' }, '—'),
                  ),
                  h('td', {}, h('span', { class: `badge status-${a.status}` }, STATUS_LABEL[a.status])),
                  h('td', {}, freshnessCell(a.freshness)),
                  h(
                    'td',
                    { class: 'num' },
                    a.partitioned
                      ? `${formatNumber(a.partitions.materialized)}/${formatNumber(a.partitions.total)}`
                      : a.partitions.materialized
                        ? '1/1'
                        : '0/1',
                  ),
                  h(
                    'td',
                    { class: 'num', 'data-testid': 'catalog-rows' },
                    a.rows === null ? '—' : formatNumber(a.rows),
                  ),
                  h(
                    'td',
                    { 'data-testid': 'catalog-personal-data' },
                    a.personalData.length ? a.personalData.join(', ') : h('span', { class: 'muted' }, '—'),
                  ),
                  h(
                    'td',
                    {
                      title: a.lastMaterializedAt ? formatTime(a.lastMaterializedAt) : '',
                      'data-at': a.lastMaterializedAt ?? '',
                    },
                    timeAgo(a.lastMaterializedAt),
                  ),
                ),
              ),
        ),
      ),
    );
  }

  let timer;
  const load = async () => {
    const body = await getJson('/api/catalog');
    state.assets = body.assets;
    drawControls();
    drawTable();
  };
  await load();
  timer = setInterval(() => {
    if (!document.hidden) load().catch(() => {});
  }, POLL_MS);
  return () => clearInterval(timer);
}
