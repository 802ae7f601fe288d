/** The partition heat strip of the asset page: one cell per partition, coloured by its state. */
import { h, s } from './dom.js';
import { formatNumber } from './format.js';

const STATE_LABEL = {
  materialized: 'Materialized',
  stale: 'Stale',
  missing: 'Missing',
  failed: 'Failed',
  running: 'Running',
};
const GAP = 2;
const PER_ROW = 48;

/**
 * @param {Array<{key: string|null, state: string, reason: string, rowCount: number|null}>} cells
 * @param {(key: string|null) => void} onPick called with a partition key when a cell is clicked
 */
export function heatStrip(cells, onPick) {
  const size = cells.length <= 24 ? 26 : cells.length <= PER_ROW ? 18 : 13;
  const rows = Math.ceil(cells.length / PER_ROW);
  const width = Math.min(cells.length, PER_ROW) * (size + GAP);
  const svg = s('svg', {
    class: 'heat-strip',
    'data-testid': 'partition-heat-strip',
    viewBox: `0 0 ${width} ${rows * (size + GAP)}`,
    width,
    height: rows * (size + GAP),
    role: 'group',
    'aria-label': `${cells.length} partitions by state`,
  });
  cells.forEach((cell, i) => {
    const label = `${cell.key ?? 'unpartitioned'}: ${STATE_LABEL[cell.state]}${cell.rowCount !== null ? ` · ${formatNumber(cell.rowCount)} rows` : ''}${cell.reason ? ` — ${cell.reason}` : ''}`;
    svg.append(
      s(
        'rect',
        {
          class: `heat-cell state-${cell.state}`,
          x: (i % PER_ROW) * (size + GAP),
          y: Math.floor(i / PER_ROW) * (size + GAP),
          width: size,
          height: size,
          rx: 2.5,
          tabindex: 0,
          role: 'button',
          'aria-label': label,
          'data-testid': 'partition-cell',
          'data-partition': cell.key ?? '',
          'data-state': cell.state,
          onclick: () => onPick(cell.key),
          onkeydown: (event) => {
            if (event.key === 'Enter') onPick(cell.key);
          },
        },
        s('title', {}, label),
      ),
    );
  });
  const counts = {};
  for (const cell of cells) counts[cell.state] = (counts[cell.state] ?? 0) + 1;
  const legend = h(
    'div',
    { class: 'heat-legend' },
    Object.keys(STATE_LABEL).map((state) =>
      h(
        'span',
        { class: 'legend-item', 'data-testid': `heat-count-${state}` },
        h('span', { class: `swatch state-${state}`, 'aria-hidden': 'true' }),
        `${STATE_LABEL[state]} `,
        h('strong', {}, formatNumber(counts[state] ?? 0)),
      ),
    ),
  );
  const first = cells[0]?.key;
  const last = cells[cells.length - 1]?.key;
  return h(
    'div',
    { class: 'heat' },
    h('div', { class: 'heat-scroll' }, svg),
    first && last && first !== last
      ? h('div', { class: 'heat-range muted' }, h('span', {}, first), h('span', {}, last))
      : null,
    legend,
  );
}
