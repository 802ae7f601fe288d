/** The shapes of the lineage graph: asset nodes, collapsed-group nodes and edges, as SVG. */
import { s } from './dom.js';
import { formatNumber, STATUS_LABEL, STATUS_SEVERITY, timeAgo, truncate } from './format.js';

function worstStatus(statuses) {
  return STATUS_SEVERITY.find((status) => statuses.includes(status)) ?? 'fresh';
}

/** Nodes and edges as drawn: collapsed groups become one node each. */
export function displayGraph(view, collapsed) {
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

const CORNER = 6;

/** An edge's route (orthogonal segments from the layout) as a path with slightly rounded corners. */
export function edgePath(points) {
  if (points.length < 2) return '';
  let d = `M${points[0][0]},${points[0][1]}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [px, py] = points[i - 1];
    const [x, y] = points[i];
    const [nx, ny] = points[i + 1];
    const r = Math.min(CORNER, Math.hypot(x - px, y - py) / 2, Math.hypot(nx - x, ny - y) / 2);
    const ax = x - (Math.sign(x - px) * r || 0);
    const ay = y - (Math.sign(y - py) * r || 0);
    const bx = x + (Math.sign(nx - x) * r || 0);
    const by = y + (Math.sign(ny - y) * r || 0);
    d += ` L${ax},${ay} Q${x},${y} ${bx},${by}`;
  }
  const [lx, ly] = points[points.length - 1];
  return `${d} L${lx},${ly}`;
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

/** One asset: status colour, key, last materialization and partition coverage. */
export function assetNode(node, box) {
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

/** A collapsed group: its worst status and how many members have each status. */
export function groupNode(node, box) {
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
