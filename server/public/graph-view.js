/**
 * The lineage graph: assets in layers left to right inside collapsible group bands, coloured by
 * status, with search, selection (highlighting everything upstream and downstream), pan and zoom.
 * Graphs above LARGE_GRAPH assets are drawn as the neighbourhood of one focus asset from the API.
 */
import { getJson } from './api.js';
import { h, replace, s } from './dom.js';
import { formatNumber, STATUS_LABEL, STATUS_SEVERITY, timeAgo, truncate } from './format.js';
import { layoutGraph } from './layout.js';

const LARGE_GRAPH = 300;
const POLL_MS = 5000;
const NODE_WIDTH = 228;
const NODE_HEIGHT = 66;
const COLLAPSED_KEY = 'shopflow.collapsedGroups';
const SELECTED_KEY = 'shopflow.selectedAsset';
const SEARCH_RESULTS = 8;

function loadCollapsed() {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(COLLAPSED_KEY) ?? '[]'));
  } catch {
    return new Set();
  }
}

function worstStatus(statuses) {
  return STATUS_SEVERITY.find((status) => statuses.includes(status)) ?? 'fresh';
}

/** Nodes and edges as drawn: collapsed groups become one node each. */
function displayGraph(view, collapsed) {
  const nodes = [];
  const idOf = new Map();
  const groupNodes = new Map();
  for (const node of view.nodes) {
    if (collapsed.has(node.group)) {
      const id = `group:${node.group}`;
      idOf.set(node.key, id);
      let group = groupNodes.get(id);
      if (!group) {
        group = { id, group: node.group, kind: 'group', members: [] };
        groupNodes.set(id, group);
        nodes.push(group);
      }
      group.members.push(node);
    } else {
      idOf.set(node.key, node.key);
      nodes.push({ id: node.key, group: node.group, kind: 'asset', asset: node });
    }
  }
  for (const group of groupNodes.values()) group.status = worstStatus(group.members.map((m) => m.status));
  const seen = new Set();
  const edges = [];
  for (const edge of view.edges) {
    const from = idOf.get(edge.from);
    const to = idOf.get(edge.to);
    if (!from || !to || from === to || seen.has(`${from}>${to}`)) continue;
    seen.add(`${from}>${to}`);
    edges.push({ from, to });
  }
  return { nodes, edges };
}

function closure(start, adjacency) {
  const seen = new Set();
  const stack = [start];
  while (stack.length) {
    for (const next of adjacency.get(stack.pop()) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

function edgePath([[x1, y1], [x2, y2]]) {
  const dx = Math.max(40, Math.abs(x2 - x1) / 2);
  return `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
}

function coverageBar(done, total, width) {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  return [
    s('rect', { class: 'coverage-track', x: 16, y: 50, width, height: 5, rx: 2.5 }),
    s('rect', {
      class: 'coverage-fill',
      x: 16,
      y: 50,
      width: Math.max(fraction > 0 ? 3 : 0, fraction * width),
      height: 5,
      rx: 2.5,
    }),
  ];
}

function assetNode(node, box) {
  const a = node.asset;
  const label = STATUS_LABEL[a.status];
  const total = a.partitions.total;
  const coverage = a.partitioned
    ? `${formatNumber(a.partitions.materialized)}/${formatNumber(total)}`
    : a.partitions.materialized
      ? '1/1'
      : '0/1';
  return s(
    'g',
    {
      class: `node status-${a.status}`,
      'data-testid': 'graph-node',
      'data-key': a.key,
      'data-status': a.status,
      transform: `translate(${box.x},${box.y})`,
      tabindex: 0,
      role: 'button',
      'aria-label': `${a.key}: ${label}${a.reason ? ` — ${a.reason}` : ''}`,
    },
    s('title', {}, `${a.key} — ${label}${a.reason ? `: ${a.reason}` : ''}`),
    s('rect', { class: 'node-box', width: box.width, height: box.height, rx: 10 }),
    s('rect', { class: 'node-accent', x: 0, y: 0, width: 6, height: box.height, rx: 3 }),
    s('text', { class: 'node-key', x: 16, y: 23 }, truncate(a.key, 25)),
    s('circle', { class: 'status-dot', cx: box.width - 16, cy: 18, r: 5 }),
    s('text', { class: 'node-meta', x: 16, y: 41 }, `${label} · ${timeAgo(a.lastMaterializedAt)}`),
    coverageBar(a.partitions.materialized, a.partitioned ? total : 1, box.width - 92),
    s(
      'text',
      { class: 'coverage-text', x: box.width - 14, y: 56, 'text-anchor': 'end' },
      a.partitioned ? `${coverage} parts` : coverage,
    ),
  );
}

function groupNode(node, box) {
  const counts = {};
  for (const m of node.members) counts[m.status] = (counts[m.status] ?? 0) + 1;
  const summary = STATUS_SEVERITY.filter((st) => counts[st])
    .map((st) => `${counts[st]} ${STATUS_LABEL[st].toLowerCase()}`)
    .join(' · ');
  return s(
    'g',
    {
      class: `node group-node status-${node.status}`,
      'data-testid': 'graph-group-node',
      'data-group': node.group,
      'data-status': node.status,
      transform: `translate(${box.x},${box.y})`,
      tabindex: 0,
      role: 'button',
      'aria-label': `group ${node.group}, ${node.members.length} asset${node.members.length === 1 ? '' : 's'}: ${summary}`,
    },
    s('title', {}, `group ${node.group}: ${summary}`),
    s('rect', { class: 'node-box', width: box.width, height: box.height, rx: 10 }),
    s('rect', { class: 'node-box-stack', x: 4, y: -4, width: box.width - 8, height: 4, rx: 2 }),
    s('rect', { class: 'node-accent', x: 0, y: 0, width: 6, height: box.height, rx: 3 }),
    s('text', { class: 'node-key', x: 16, y: 23 }, truncate(node.group, 24)),
    s(
      'text',
      { class: 'node-meta', x: 16, y: 41 },
      `${node.members.length} asset${node.members.length === 1 ? '' : 's'}`,
    ),
    s('text', { class: 'coverage-text group-summary', x: 16, y: 57 }, truncate(summary, 34)),
  );
}

/** Renders the graph page into `root`; returns the cleanup function. */
export async function renderGraph(root, { focus }) {
  const state = {
    all: null,
    view: null,
    focus: focus ?? null,
    depth: 2,
    selected: focus ?? sessionStorage.getItem(SELECTED_KEY),
    collapsed: loadCollapsed(),
    query: '',
    transform: null,
    layout: null,
    display: null,
    drawnSignature: '',
  };
  const elements = { nodes: new Map(), edges: [] };

  const search = h('input', {
    type: 'search',
    class: 'search-input',
    placeholder: 'Search assets…',
    'aria-label': 'Search assets',
    'aria-controls': 'graph-search-results',
    autocomplete: 'off',
    'data-testid': 'graph-search',
  });
  const results = h('ul', {
    id: 'graph-search-results',
    class: 'search-results',
    role: 'listbox',
    hidden: true,
  });
  const legend = h('div', { class: 'legend', 'aria-label': 'Status counts' });
  const depthSelect = h(
    'select',
    {
      class: 'depth-select',
      'aria-label': 'Hops around the focus',
      'data-testid': 'graph-depth',
      hidden: true,
    },
    [1, 2, 3, 4].map((d) =>
      h('option', { value: d, selected: d === state.depth }, `${d} hop${d > 1 ? 's' : ''}`),
    ),
  );
  const note = h('p', { class: 'graph-note', 'data-testid': 'graph-focus-note', hidden: true });
  const viewport = s('g', { class: 'viewport' });
  const svg = s(
    'svg',
    {
      class: 'graph-canvas',
      'data-testid': 'graph-canvas',
      role: 'group',
      'aria-label': 'Lineage graph; drag to pan, scroll to zoom',
    },
    s(
      'defs',
      {},
      s(
        'marker',
        {
          id: 'arrow',
          viewBox: '0 0 10 10',
          refX: 9,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto-start-reverse',
        },
        s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' }),
      ),
    ),
    viewport,
  );
  const details = h('aside', {
    class: 'graph-details',
    'data-testid': 'graph-details',
    'aria-live': 'polite',
  });
  const zoomButton = (label, title, action) =>
    h('button', { type: 'button', class: 'icon-button', title, 'aria-label': title, onclick: action }, label);

  replace(
    root,
    h(
      'section',
      { class: 'page graph-page' },
      h(
        'div',
        { class: 'graph-toolbar' },
        h('div', { class: 'search' }, search, results),
        legend,
        h(
          'div',
          { class: 'toolbar-end' },
          depthSelect,
          zoomButton('−', 'Zoom out', () => zoomBy(1 / 1.25)),
          zoomButton('+', 'Zoom in', () => zoomBy(1.25)),
          zoomButton('⤢', 'Fit to screen', () => fitToView()),
        ),
      ),
      note,
      h('div', { class: 'graph-body' }, h('div', { class: 'canvas-wrap' }, svg), details),
    ),
  );

  // ---- data ----
  const isLarge = () => state.all && state.all.nodes.length > LARGE_GRAPH;

  async function load() {
    state.all = await getJson('/api/graph');
    if (isLarge()) {
      const keys = new Set(state.all.nodes.map((n) => n.key));
      if (!state.focus || !keys.has(state.focus)) {
        state.focus =
          (state.selected && keys.has(state.selected) && state.selected) ||
          state.all.nodes.find((n) => n.status === 'failed')?.key ||
          state.all.nodes[0].key;
      }
      state.view = await getJson(`/api/graph?focus=${encodeURIComponent(state.focus)}&depth=${state.depth}`);
    } else {
      state.view = state.all;
    }
    drawLegend();
    drawNote();
    draw();
  }

  function drawLegend() {
    const counts = {};
    for (const n of state.all.nodes) counts[n.status] = (counts[n.status] ?? 0) + 1;
    replace(
      legend,
      ['fresh', 'stale', 'overdue', 'missing', 'failed', 'running'].map((status) =>
        h(
          'span',
          {
            class: `legend-item status-${status}`,
            'data-testid': `legend-${status}`,
            title: `${counts[status] ?? 0} ${STATUS_LABEL[status].toLowerCase()}`,
          },
          h('span', { class: 'dot', 'aria-hidden': 'true' }),
          `${STATUS_LABEL[status]} `,
          h('strong', {}, formatNumber(counts[status] ?? 0)),
        ),
      ),
    );
  }

  function drawNote() {
    depthSelect.hidden = !isLarge();
    note.hidden = !isLarge();
    if (!isLarge()) return;
    replace(
      note,
      `This graph has ${formatNumber(state.all.nodes.length)} assets, too many to draw at once. Showing the ${state.depth}-hop neighbourhood of `,
      h('code', {}, state.focus),
      ` (${formatNumber(state.view.nodes.length)} assets). Search or pick an asset to move the focus.`,
    );
  }

  // ---- drawing ----
  function draw() {
    const signature = JSON.stringify([state.view.nodes, state.view.edges, [...state.collapsed]]);
    if (signature === state.drawnSignature) return;
    state.drawnSignature = signature;
    const display = displayGraph(state.view, state.collapsed);
    const layout = layoutGraph(
      { nodes: display.nodes.map((n) => ({ id: n.id, group: n.group })), edges: display.edges },
      { nodeWidth: NODE_WIDTH, nodeHeight: NODE_HEIGHT },
    );
    state.display = display;
    state.layout = layout;
    elements.nodes.clear();
    elements.edges = [];

    const groupsLayer = s('g', { class: 'groups' });
    const counts = new Map();
    for (const n of state.view.nodes) counts.set(n.group, (counts.get(n.group) ?? 0) + 1);
    for (const box of layout.groups) {
      const collapsed = state.collapsed.has(box.name);
      const toggle = () => toggleGroup(box.name);
      groupsLayer.append(
        s(
          'g',
          {
            class: `group${collapsed ? ' collapsed' : ''}`,
            'data-testid': 'graph-group',
            'data-group': box.name,
          },
          s('rect', { class: 'group-box', x: box.x, y: box.y, width: box.width, height: box.height, rx: 14 }),
          s(
            'g',
            {
              class: 'group-header',
              role: 'button',
              tabindex: 0,
              'aria-expanded': String(!collapsed),
              'aria-label': `${collapsed ? 'Expand' : 'Collapse'} group ${box.name}`,
              'data-testid': 'group-toggle',
              onclick: toggle,
              onkeydown: (event) => {
                if (event.key === 'Enter' || event.key === ' ') {
                  event.preventDefault();
                  toggle();
                }
              },
            },
            s('rect', {
              class: 'group-header-hit',
              x: box.x,
              y: box.y,
              width: Math.min(box.width, 260),
              height: 28,
              rx: 8,
            }),
            s(
              'text',
              { class: 'group-title', x: box.x + 14, y: box.y + 19 },
              `${collapsed ? '▸' : '▾'}  ${box.name}`,
              s(
                'tspan',
                { class: 'group-count', dx: 8 },
                `${counts.get(box.name) ?? 0} asset${counts.get(box.name) === 1 ? '' : 's'}`,
              ),
            ),
          ),
        ),
      );
    }

    const edgesLayer = s('g', { class: 'edges' });
    for (const edge of layout.edges) {
      const path = s('path', {
        class: 'edge',
        d: edgePath(edge.points),
        'marker-end': 'url(#arrow)',
        'data-from': edge.from,
        'data-to': edge.to,
      });
      elements.edges.push({ edge, path });
      edgesLayer.append(path);
    }

    const nodesLayer = s('g', { class: 'nodes' });
    for (const node of display.nodes) {
      const box = layout.nodes.get(node.id);
      const element = node.kind === 'asset' ? assetNode(node, box) : groupNode(node, box);
      element.addEventListener('click', (event) => {
        event.stopPropagation();
        select(node.id);
      });
      element.addEventListener('dblclick', () => {
        if (node.kind === 'asset') location.hash = `#/assets/${encodeURIComponent(node.id)}`;
        else toggleGroup(node.group);
      });
      element.addEventListener('keydown', (event) => {
        if (event.key !== 'Enter' && event.key !== ' ') return;
        event.preventDefault();
        if (state.selected === node.id && node.kind === 'asset')
          location.hash = `#/assets/${encodeURIComponent(node.id)}`;
        else select(node.id);
      });
      elements.nodes.set(node.id, element);
      nodesLayer.append(element);
    }
    replace(viewport, groupsLayer, edgesLayer, nodesLayer);
    if (state.selected && !elements.nodes.has(state.selected)) state.selected = null;
    if (!state.transform) fitToView(state.focus ?? state.selected);
    else applyTransform();
    highlight();
    drawDetails();
  }

  function toggleGroup(name) {
    if (state.collapsed.has(name)) state.collapsed.delete(name);
    else state.collapsed.add(name);
    sessionStorage.setItem(COLLAPSED_KEY, JSON.stringify([...state.collapsed]));
    if (state.selected && !state.display.nodes.some((n) => n.id === state.selected && n.kind === 'asset'))
      state.selected = null;
    draw();
  }

  function highlight() {
    const query = state.query.trim().toLowerCase();
    const upstream = new Map();
    const downstream = new Map();
    for (const { edge } of elements.edges) {
      if (!downstream.has(edge.from)) downstream.set(edge.from, []);
      downstream.get(edge.from).push(edge.to);
      if (!upstream.has(edge.to)) upstream.set(edge.to, []);
      upstream.get(edge.to).push(edge.from);
    }
    const selected = state.selected && elements.nodes.has(state.selected) ? state.selected : null;
    const up = selected ? closure(selected, upstream) : new Set();
    const down = selected ? closure(selected, downstream) : new Set();
    for (const [id, element] of elements.nodes) {
      const matches = query && id.toLowerCase().includes(query);
      element.classList.toggle('selected', id === selected);
      element.classList.toggle('upstream', up.has(id));
      element.classList.toggle('downstream', down.has(id));
      element.classList.toggle(
        'dim',
        Boolean((selected && id !== selected && !up.has(id) && !down.has(id)) || (query && !matches)),
      );
      element.classList.toggle('match', Boolean(matches));
      if (id === selected) element.setAttribute('aria-pressed', 'true');
      else element.removeAttribute('aria-pressed');
    }
    for (const { edge, path } of elements.edges) {
      const onPath =
        selected &&
        (((up.has(edge.from) || edge.from === selected) && (up.has(edge.to) || edge.to === selected)) ||
          ((down.has(edge.to) || edge.to === selected) && (down.has(edge.from) || edge.from === selected)));
      path.classList.toggle('active', Boolean(onPath));
      path.classList.toggle('dim', Boolean(selected && !onPath));
    }
  }

  function select(id) {
    state.selected = id;
    if (id && !id.startsWith('group:')) sessionStorage.setItem(SELECTED_KEY, id);
    highlight();
    drawDetails();
  }

  function fact(label, value) {
    return [h('dt', {}, label), h('dd', {}, value)];
  }

  function drawDetails() {
    const node = state.display?.nodes.find((n) => n.id === state.selected);
    if (!node) {
      const all = state.all?.nodes ?? [];
      const failing = all.filter((n) => n.status === 'failed');
      replace(
        details,
        h('h2', {}, 'Overview'),
        h(
          'p',
          { class: 'muted' },
          `${formatNumber(all.length)} assets in ${formatNumber(state.all?.groups.length ?? 0)} groups. Click an asset to trace its lineage; double-click to open it.`,
        ),
        failing.length
          ? [
              h('h3', {}, 'Failing'),
              h(
                'ul',
                { class: 'link-list' },
                failing
                  .slice(0, 12)
                  .map((n) =>
                    h(
                      'li',
                      {},
                      h('span', { class: `dot status-${n.status}`, 'aria-hidden': 'true' }),
                      h('a', { href: `#/assets/${encodeURIComponent(n.key)}` }, n.key),
                    ),
                  ),
              ),
            ]
          : h('p', { class: 'muted' }, 'No asset is failing.'),
      );
      return;
    }
    if (node.kind === 'group') {
      replace(
        details,
        h('p', { class: 'eyebrow' }, 'Group'),
        h('h2', {}, node.group),
        h(
          'p',
          {},
          h('span', { class: `badge status-${node.status}` }, STATUS_LABEL[node.status]),
          ` ${node.members.length} asset${node.members.length === 1 ? '' : 's'}`,
        ),
        h(
          'ul',
          { class: 'link-list' },
          node.members.map((m) =>
            h(
              'li',
              {},
              h('span', { class: `dot status-${m.status}`, 'aria-hidden': 'true' }),
              h('a', { href: `#/assets/${encodeURIComponent(m.key)}` }, m.key),
            ),
          ),
        ),
        h(
          'div',
          { class: 'actions' },
          h(
            'button',
            { type: 'button', class: 'button secondary', onclick: () => toggleGroup(node.group) },
            'Expand group',
          ),
        ),
      );
      return;
    }
    const a = node.asset;
    const upCount = state.view.edges.filter((e) => e.to === a.key).length;
    const downCount = state.view.edges.filter((e) => e.from === a.key).length;
    replace(
      details,
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
      h('p', { class: 'description' }, a.description),
      h(
        'dl',
        { class: 'facts' },
        fact('Last materialized', timeAgo(a.lastMaterializedAt)),
        fact(
          'Partitions',
          a.partitioned
            ? `${formatNumber(a.partitions.materialized)} of ${formatNumber(a.partitions.total)} materialized · ${a.partitioned}`
            : 'not partitioned',
        ),
        a.partitions.failed ? fact('Failed', formatNumber(a.partitions.failed)) : null,
        fact('Lineage', `${upCount} direct upstream · ${downCount} direct downstream`),
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
        isLarge() && state.focus !== a.key
          ? h(
              'button',
              { type: 'button', class: 'button secondary', onclick: () => refocus(a.key) },
              'Focus here',
            )
          : null,
      ),
    );
  }

  async function refocus(key) {
    state.focus = key;
    state.selected = key;
    state.transform = null;
    state.drawnSignature = '';
    await load();
  }

  // ---- pan and zoom ----
  function applyTransform() {
    const { x, y, k } = state.transform;
    viewport.setAttribute('transform', `translate(${x},${y}) scale(${k})`);
  }

  function fitToView(centerOn) {
    const width = svg.clientWidth || 800;
    const height = svg.clientHeight || 500;
    const layout = state.layout;
    if (!layout) return;
    const k = Math.min(1.1, Math.max(0.15, Math.min(width / layout.width, height / layout.height)));
    state.transform = {
      k,
      x: (width - layout.width * k) / 2,
      y: Math.max(0, (height - layout.height * k) / 2),
    };
    const box = centerOn && layout.nodes.get(centerOn);
    if (box && k < 0.6) {
      state.transform = {
        k: 0.9,
        x: width / 2 - (box.x + box.width / 2) * 0.9,
        y: height / 2 - (box.y + box.height / 2) * 0.9,
      };
    }
    applyTransform();
  }

  function zoomBy(factor, cx, cy) {
    const t = state.transform;
    if (!t) return;
    const px = cx ?? svg.clientWidth / 2;
    const py = cy ?? svg.clientHeight / 2;
    const k = Math.min(2.5, Math.max(0.1, t.k * factor));
    state.transform = { k, x: px - ((px - t.x) / t.k) * k, y: py - ((py - t.y) / t.k) * k };
    applyTransform();
  }

  let drag = null;
  svg.addEventListener('pointerdown', (event) => {
    if (event.button !== 0 || event.target.closest('.node, .group-header')) return;
    drag = { x: event.clientX, y: event.clientY, origin: { ...state.transform }, moved: false };
    svg.setPointerCapture(event.pointerId);
    svg.classList.add('dragging');
  });
  svg.addEventListener('pointermove', (event) => {
    if (!drag) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    state.transform = { ...drag.origin, x: drag.origin.x + dx, y: drag.origin.y + dy };
    applyTransform();
  });
  svg.addEventListener('pointerup', () => {
    if (drag && !drag.moved) select(null);
    drag = null;
    svg.classList.remove('dragging');
  });
  svg.addEventListener(
    'wheel',
    (event) => {
      event.preventDefault();
      const rect = svg.getBoundingClientRect();
      zoomBy(Math.exp(-event.deltaY * 0.0015), event.clientX - rect.left, event.clientY - rect.top);
    },
    { passive: false },
  );

  // ---- search ----
  function matchesOf(query) {
    const q = query.trim().toLowerCase();
    if (!q || !state.all) return [];
    return state.all.nodes
      .filter((n) => n.key.includes(q) || n.group.toLowerCase() === q)
      .sort(
        (a, b) => Number(!a.key.startsWith(q)) - Number(!b.key.startsWith(q)) || a.key.localeCompare(b.key),
      )
      .slice(0, SEARCH_RESULTS);
  }

  async function pick(key) {
    search.value = key;
    state.query = '';
    results.hidden = true;
    if (isLarge() && !state.view.nodes.some((n) => n.key === key)) {
      await refocus(key);
      return;
    }
    const group = state.all.nodes.find((n) => n.key === key)?.group;
    if (group && state.collapsed.has(group)) toggleGroup(group);
    select(key);
    const box = state.layout.nodes.get(key);
    if (box) {
      const k = Math.max(state.transform.k, 0.8);
      state.transform = {
        k,
        x: svg.clientWidth / 2 - (box.x + box.width / 2) * k,
        y: svg.clientHeight / 2 - (box.y + box.height / 2) * k,
      };
      applyTransform();
    }
  }

  search.addEventListener('input', () => {
    state.query = search.value;
    const found = matchesOf(search.value);
    replace(
      results,
      found.map((n, i) =>
        h(
          'li',
          {
            role: 'option',
            id: `search-option-${i}`,
            'data-testid': 'search-result',
            'data-key': n.key,
            onmousedown: (event) => {
              event.preventDefault();
              pick(n.key);
            },
          },
          h('span', { class: `dot status-${n.status}`, 'aria-hidden': 'true' }),
          h('span', { class: 'result-key' }, n.key),
          h('span', { class: 'result-group' }, n.group),
        ),
      ),
    );
    results.hidden = found.length === 0;
    highlight();
  });
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      const [first] = matchesOf(search.value);
      if (first) pick(first.key);
    } else if (event.key === 'Escape') {
      search.value = '';
      state.query = '';
      results.hidden = true;
      highlight();
    }
  });
  search.addEventListener('blur', () => {
    results.hidden = true;
  });
  depthSelect.addEventListener('change', async () => {
    state.depth = Number(depthSelect.value);
    state.transform = null;
    await load();
  });

  await load();
  const timer = setInterval(() => {
    if (!document.hidden) load().catch(() => {});
  }, POLL_MS);
  return () => clearInterval(timer);
}
