/** The materialization history of the asset page: row counts as bars, durations as a line. */
import { h, s } from './dom.js';
import { formatDuration, formatNumber, formatTime } from './format.js';

const W = 640;
const H = 170;
const PAD = { left: 48, right: 56, top: 14, bottom: 26 };

function niceMax(value) {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / magnitude) * magnitude;
}

/**
 * @param {Array<{createdAt: string, rowCount: number|null, durationMs: number|null, partitionKey: string|null}>} history newest first
 */
export function historyChart(history) {
  const points = [...history].reverse();
  const rowsMax = niceMax(Math.max(0, ...points.map((p) => p.rowCount ?? 0)));
  const msMax = niceMax(Math.max(0, ...points.map((p) => p.durationMs ?? 0)));
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const step = innerW / Math.max(points.length, 1);
  const barW = Math.max(2, Math.min(28, step * 0.7));
  const yRows = (v) => PAD.top + innerH - (v / rowsMax) * innerH;
  const yMs = (v) => PAD.top + innerH - (v / msMax) * innerH;
  const xOf = (i) => PAD.left + step * i + step / 2;

  const svg = s('svg', {
    class: 'history-chart',
    'data-testid': 'history-chart',
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': `${points.length} materializations: row counts and durations`,
  });
  for (const fraction of [0, 0.5, 1]) {
    const y = PAD.top + innerH - fraction * innerH;
    svg.append(
      s('line', { class: 'grid-line', x1: PAD.left, x2: W - PAD.right, y1: y, y2: y }),
      s(
        'text',
        { class: 'axis-label', x: PAD.left - 6, y: y + 4, 'text-anchor': 'end' },
        formatNumber(Math.round(rowsMax * fraction)),
      ),
      s(
        'text',
        { class: 'axis-label duration', x: W - PAD.right + 6, y: y + 4 },
        formatDuration(msMax * fraction),
      ),
    );
  }
  points.forEach((p, i) => {
    const y = yRows(p.rowCount ?? 0);
    svg.append(
      s(
        'rect',
        {
          class: 'bar',
          'data-testid': 'history-bar',
          x: xOf(i) - barW / 2,
          y,
          width: barW,
          height: PAD.top + innerH - y,
          rx: 2,
        },
        s(
          'title',
          {},
          `${formatTime(p.createdAt)}${p.partitionKey ? ` · ${p.partitionKey}` : ''} · ${formatNumber(p.rowCount)} rows · ${formatDuration(p.durationMs)}`,
        ),
      ),
    );
  });
  const withDuration = points.map((p, i) => [i, p.durationMs]).filter(([, ms]) => ms !== null);
  if (withDuration.length > 1) {
    svg.append(
      s('polyline', {
        class: 'duration-line',
        points: withDuration.map(([i, ms]) => `${xOf(i)},${yMs(ms)}`).join(' '),
      }),
    );
  }
  for (const [i, ms] of withDuration)
    svg.append(s('circle', { class: 'duration-dot', cx: xOf(i), cy: yMs(ms), r: 2.5 }));
  if (points.length) {
    svg.append(
      s('text', { class: 'axis-label', x: PAD.left, y: H - 6 }, formatTime(points[0].createdAt)),
      s(
        'text',
        { class: 'axis-label', x: W - PAD.right, y: H - 6, 'text-anchor': 'end' },
        formatTime(points[points.length - 1].createdAt),
      ),
    );
  }
  return h(
    'figure',
    { class: 'chart' },
    svg,
    h(
      'figcaption',
      { class: 'chart-legend' },
      h('span', { class: 'swatch bar-swatch', 'aria-hidden': 'true' }),
      'Rows (left axis) ',
      h('span', { class: 'swatch line-swatch', 'aria-hidden': 'true' }),
      'Duration (right axis)',
    ),
  );
}
