/** The side panel of the lineage graph: an overview, the selected asset, or a collapsed group. */
import { h } from './dom.js';
import { formatNumber, STATUS_LABEL, timeAgo } from './format.js';

function fact(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}

function assetList(nodes) {
  return h(
    'ul',
    { class: 'link-list' },
    nodes.map((n) =>
      h(
        'li',
        {},
        h('span', { class: `dot status-${n.status}`, 'aria-hidden': 'true' }),
        h('a', { href: `#/assets/${encodeURIComponent(n.key)}` }, n.key),
      ),
    ),
  );
}

function overview(all) {
  const nodes = all?.nodes ?? [];
  const failing = nodes.filter((n) => n.status === 'failed');
  return [
    h('h2', {}, 'Overview'),
    h(
      'p',
      { class: 'muted' },
      `${formatNumber(nodes.length)} assets in ${formatNumber(all?.groups.length ?? 0)} groups. Click an asset to trace its lineage; double-click to open it.`,
    ),
    failing.length
      ? [h('h3', {}, 'Failing'), assetList(failing.slice(0, 12))]
      : h('p', { class: 'muted' }, 'No asset is failing.'),
  ];
}

function group(node, onExpand) {
  const count = node.members.length;
  return [
    h('p', { class: 'eyebrow' }, 'Group'),
    h('h2', {}, node.group),
    h(
      'p',
      {},
      h('span', { class: `badge status-${node.status}` }, STATUS_LABEL[node.status]),
      ` ${count} asset${count === 1 ? '' : 's'}`,
    ),
    assetList(node.members),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { type: 'button', class: 'button secondary', onclick: () => onExpand(node.group) },
        'Expand group',
      ),
    ),
  ];
}

function asset(a, view, onFocus) {
  const upstream = view.edges.filter((e) => e.to === a.key).length;
  const downstream = view.edges.filter((e) => e.from === a.key).length;
  const partitions = a.partitioned
    ? `${formatNumber(a.partitions.materialized)} of ${formatNumber(a.partitions.total)} materialized · ${a.partitioned}`
    : 'not partitioned';
  return [
    h('p', { class: 'eyebrow' }, a.group),
    h('h2', { class: 'asset-title' }, a.key),
    h(
      'p',
      {},
      h(
        'span',
        { class: `badge status-${a.status}`, 'data-testid': 'details-status' },
        STATUS_LABEL[a.status],
      ),
    ),
    a.reason ? h('p', { class: 'reason' }, a.reason) : null,
    a.rootCause
      ? h(
          'p',
          { class: 'small' },
          'Root cause: ',
          h(
            'a',
            {
              href: `#/assets/${encodeURIComponent(a.rootCause.assetKey)}${a.rootCause.partitionKey ? `?partition=${encodeURIComponent(a.rootCause.partitionKey)}` : ''}`,
              'data-testid': 'root-cause-link',
            },
            a.rootCause.partitionKey
              ? `${a.rootCause.assetKey}[${a.rootCause.partitionKey}]`
              : a.rootCause.assetKey,
          ),
        )
      : null,
    h('p', { class: 'description' }, a.description),
    h(
      'dl',
      { class: 'facts' },
      fact('Last materialized', timeAgo(a.lastMaterializedAt)),
      fact('Partitions', partitions),
      a.partitions.failed ? fact('Failed', formatNumber(a.partitions.failed)) : null,
      fact('Lineage', `${upstream} direct upstream · ${downstream} direct downstream`),
      a.checks ? fact('Checks', String(a.checks)) : null,
      a.tags.length ? fact('Tags', a.tags.join(', ')) : null,
    ),
    h(
      'div',
      { class: 'actions' },
      h(
        'a',
        { class: 'button', href: `#/assets/${encodeURIComponent(a.key)}`, 'data-testid': 'open-asset' },
        'Open asset',
      ),
      h(
        'a',
        { class: 'button secondary', href: `#/launch?selection=${encodeURIComponent(a.key)}` },
        'Materialize…',
      ),
      onFocus
        ? h(
            'button',
            { type: 'button', class: 'button secondary', onclick: () => onFocus(a.key) },
            'Focus here',
          )
        : null,
    ),
  ];
}

/**
 * The panel's content for `node` (a drawn node, or null for the overview).
 * `onFocus` is given only when the graph is large and the asset is not the focus already.
 */
export function graphDetails({ node, all, view, onExpand, onFocus }) {
  if (!node) return overview(all);
  if (node.kind === 'group') return group(node, onExpand);
  return asset(node.asset, view, onFocus);
}
