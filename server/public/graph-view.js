/**
 * The lineage graph: assets in layers left to right inside collapsible group bands, coloured by
 * status, with search, selection (highlighting everything upstream and downstream), pan and zoom.
 * Graphs above LARGE_GRAPH assets are drawn as the neighbourhood of one focus asset from the API.
 */
import { getJson } from './api.js';
import { h, replace, s } from './dom.js';
import { formatNumber, STATUS_LABEL } from './format.js';
import { graphDetails } from './graph-details.js';
import { assetNode, displayGraph, edgePath, groupNode } from './graph-shapes.js';
import { layoutGraph } from './layout.js';
import { panZoom } from './pan-zoom.js';

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
  const staleButton = h(
    'a',
    { class: 'button small-button', 'data-testid': 'materialize-stale', role: 'button' },
    'Materialize stale and missing',
  );
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
  const camera = panZoom(svg, viewport, { onBackgroundClick: () => select(null) });
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
          staleButton,
          depthSelect,
          zoomButton('−', 'Zoom out', () => camera.zoomBy(1 / 1.25)),
          zoomButton('+', 'Zoom in', () => camera.zoomBy(1.25)),
          zoomButton('⤢', 'Fit to screen', () => camera.fit(state.layout)),
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

  /** The button opens the launch page with every asset that has partitions to materialize. */
  function drawStaleButton() {
    const keys = state.all.nodes.filter((n) => n.partitions.planned > 0).map((n) => n.key);
    staleButton.dataset.count = String(keys.length);
    if (keys.length === 0) {
      staleButton.removeAttribute('href');
      staleButton.setAttribute('aria-disabled', 'true');
      staleButton.title = 'Every asset is up to date';
      return;
    }
    staleButton.removeAttribute('aria-disabled');
    staleButton.href = `#/launch?selection=${encodeURIComponent(keys.join(','))}`;
    staleButton.title = `${keys.length} asset${keys.length === 1 ? '' : 's'} with stale, missing or failed partitions: preview the plan, then launch it`;
  }

  function drawLegend() {
    drawStaleButton();
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
    if (!camera.placed) camera.fit(layout, layout.nodes.get(state.focus ?? state.selected));
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

  function drawDetails() {
    const node = state.display?.nodes.find((n) => n.id === state.selected) ?? null;
    const canFocus = node?.kind === 'asset' && isLarge() && state.focus !== node.id;
    replace(
      details,
      graphDetails({
        node,
        all: state.all,
        view: state.view,
        onExpand: toggleGroup,
        onFocus: canFocus ? refocus : null,
      }),
    );
  }

  async function refocus(key) {
    state.focus = key;
    state.selected = key;
    camera.reset();
    state.drawnSignature = '';
    await load();
  }

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
    if (box) camera.centerOn(box);
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
    camera.reset();
    await load();
  });

  await load();
  const timer = setInterval(() => {
    if (!document.hidden) load().catch(() => {});
  }, POLL_MS);
  return () => clearInterval(timer);
}
