/** The tables of the asset page: schema, history, checks and lineage. */
import { h } from './dom.js';
import { formatDuration, formatNumber, formatTime, shortId, timeAgo } from './format.js';

/** A link to an asset page, optionally at a partition. */
export function assetLink(key, partition) {
  const href = `#/assets/${encodeURIComponent(key)}${partition ? `?partition=${encodeURIComponent(partition)}` : ''}`;
  return h('a', { href }, partition ? `${key}[${partition}]` : key);
}

/** A column's class, e.g. `confidential · email`, titled with where it came from. */
function classBadge(c) {
  if (!c.classification) return h('span', { class: 'badge badge-fail' }, 'unclassified');
  const title =
    c.classSource === 'declared'
      ? c.classificationReason
        ? `declared on the column: ${c.classificationReason}`
        : 'declared on the column'
      : c.classSource === 'asset'
        ? "the asset's class for columns nothing traces"
        : 'inherited from the columns it is computed from';
  const sensitive = c.classification === 'confidential' || c.classification === 'restricted';
  return h(
    'span',
    { class: `badge ${sensitive ? 'badge-pii' : 'badge-class'}`, title, 'data-testid': 'column-class' },
    c.piiKind ? `${c.classification} · ${c.piiKind}` : c.classification,
  );
}

/** The upstream columns a column is computed from, each linked to its asset. */
function computedFrom(c) {
  if (!c.computedFrom?.length) return h('span', { class: 'muted' }, '—');
  return h(
    'span',
    { 'data-testid': 'column-lineage' },
    c.computedFrom.flatMap((o, i) => [
      i ? ', ' : null,
      h('a', { href: `#/assets/${encodeURIComponent(o.asset)}` }, `${o.asset}.${o.column}`),
      o.how === 'identity' ? null : h('span', { class: 'muted' }, ` (${o.how})`),
    ]),
  );
}

/** Columns with type, description, class and the upstream columns each is computed from. */
export function schemaTable(columns) {
  if (!columns.length) return h('p', { class: 'muted' }, 'This asset declares no columns.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table', 'data-testid': 'schema-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Column'),
          h('th', { scope: 'col' }, 'Type'),
          h('th', { scope: 'col' }, 'Description'),
          h('th', { scope: 'col' }, 'Class'),
          h('th', { scope: 'col' }, 'Computed from'),
        ),
      ),
      h(
        'tbody',
        {},
        columns.map((c) =>
          h(
            'tr',
            { 'data-testid': 'schema-row', 'data-column': c.name },
            h('td', {}, h('code', {}, c.name)),
            h(
              'td',
              {},
              h('code', { class: 'type' }, c.type),
              c.nullable ? h('span', { class: 'muted' }, ' nullable') : null,
            ),
            h('td', {}, c.description || h('span', { class: 'muted' }, '—')),
            h('td', {}, classBadge(c)),
            h('td', {}, computedFrom(c)),
          ),
        ),
      ),
    ),
  );
}

/** The latest materializations: when, partition, rows, duration, version, run. */
export function historyTable(history) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table compact', 'data-testid': 'history-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['When', 'Partition', 'Rows', 'Duration', 'Version', 'Run'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        history
          .slice(0, 12)
          .map((m) =>
            h(
              'tr',
              {},
              h('td', { title: formatTime(m.createdAt) }, timeAgo(m.createdAt)),
              h('td', {}, m.partitionKey ?? '—'),
              h('td', { class: 'num' }, formatNumber(m.rowCount)),
              h('td', { class: 'num' }, formatDuration(m.durationMs)),
              h('td', {}, h('code', { title: m.dataVersion }, m.dataVersion.slice(0, 8))),
              h('td', {}, h('a', { href: `#/runs/${m.runId}` }, shortId(m.runId))),
            ),
          ),
      ),
    ),
  );
}

/** Each check with its latest result and how many partitions pass or fail it. */
export function checksTable(checks) {
  if (!checks.length) return h('p', { class: 'muted' }, 'No checks are attached to this asset.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table', 'data-testid': 'checks-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Check', 'Severity', 'Latest', 'Partitions', 'Message'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        checks.map((c) => {
          const state = !c.latest
            ? 'never'
            : c.latest.passed
              ? 'passed'
              : c.severity === 'error'
                ? 'failed'
                : 'warning';
          return h(
            'tr',
            { 'data-testid': 'check-row', 'data-check': c.name, 'data-state': state },
            h('td', {}, h('strong', {}, c.name), h('div', { class: 'muted small' }, c.description)),
            h('td', {}, h('span', { class: `badge severity-${c.severity}` }, c.severity)),
            h(
              'td',
              {},
              h('span', { class: `badge check-${state}` }, state),
              c.latest
                ? h(
                    'div',
                    { class: 'muted small', title: formatTime(c.latest.createdAt) },
                    timeAgo(c.latest.createdAt),
                  )
                : null,
            ),
            h(
              'td',
              {},
              c.latest ? `${formatNumber(c.passing)} passing · ${formatNumber(c.failing)} failing` : '—',
              c.failingPartitions.filter(Boolean).length
                ? h(
                    'div',
                    { class: 'muted small' },
                    `failing: ${c.failingPartitions.filter(Boolean).slice(0, 5).join(', ')}`,
                  )
                : null,
            ),
            h('td', {}, c.latest?.message ?? ''),
          );
        }),
      ),
    ),
  );
}

/** Upstream and downstream assets, and the upstream versions the latest materialization read. */
export function lineageSection(detail) {
  const latest = detail.latest;
  return [
    h(
      'div',
      { class: 'lineage-columns' },
      h(
        'div',
        {},
        h('h3', {}, 'Upstream'),
        detail.upstream.length
          ? h(
              'ul',
              { class: 'link-list' },
              detail.upstream.map((d) =>
                h(
                  'li',
                  {},
                  assetLink(d.assetKey),
                  h('span', { class: 'muted small' }, ` as ${d.name} · ${d.mapping}`),
                ),
              ),
            )
          : h('p', { class: 'muted' }, 'A source: nothing upstream.'),
      ),
      h(
        'div',
        {},
        h('h3', {}, 'Downstream'),
        detail.downstream.length
          ? h(
              'ul',
              { class: 'link-list' },
              detail.downstream.map((k) => h('li', {}, assetLink(k))),
            )
          : h('p', { class: 'muted' }, 'Nothing reads this asset.'),
      ),
    ),
    h('h3', {}, 'Inputs of the latest materialization'),
    !latest
      ? h('p', { class: 'muted' }, 'Never materialized.')
      : latest.inputs.length === 0
        ? h(
            'p',
            { class: 'muted' },
            `${latest.partitionKey ? `Partition ${latest.partitionKey}` : 'It'} read no upstream data.`,
          )
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'table compact', 'data-testid': 'lineage-inputs' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Upstream partition', 'Version read', 'Now'].map((t) => h('th', { scope: 'col' }, t)),
                ),
              ),
              h(
                'tbody',
                {},
                latest.inputs.map((i) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, assetLink(i.assetKey, i.partitionKey)),
                    h('td', {}, h('code', { title: i.dataVersion }, i.dataVersion.slice(0, 8))),
                    h(
                      'td',
                      {},
                      i.current
                        ? h('span', { class: 'badge check-passed' }, 'current')
                        : h('span', { class: 'badge status-stale' }, 'newer data upstream'),
                    ),
                  ),
                ),
              ),
            ),
          ),
  ];
}
