/**
 * The partition heat strip of the asset page: one cell per partition, coloured by its state, in
 * rows that fit the card (the SVG scales to the card's width, so it is never cut off). Its legend
 * uses the same words and numbers as the page header (`partition-words.js`).
 */
import { h, s } from './dom.js';
import { formatNumber } from './format.js';
import { breakdownText, materializedText, PARTITION_STATE_LABEL } from './partition-words.js';

const GAP = 2;
const PER_ROW = 31;

/**
 * @param {Array<{key: string|null, state: string, materialized: boolean, reason: string, rowCount: number|null}>} cells
 * @param {{total: number, materialized: number}} counts the asset's counts (the header's numbers)
 * @param {(key: string|null) => void} onPick called with a partition key when a cell is clicked
 */
export function heatStrip(cells, counts, onPick) {
  const size = cells.length <= 24 ? 26 : 18;
  const perRow = cells.length <= 24 ? Math.max(1, cells.length) : PER_ROW;
  const rows = Math.ceil(cells.length / perRow);
  const width = Math.min(cells.length, perRow) * (size + GAP);
  const height = rows * (size + GAP);
  const svg = s('svg', {
    class: 'heat-strip',
    'data-testid': 'partition-heat-strip',
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    preserveAspectRatio: 'xMinYMin meet',
    role: 'group',
    'aria-label': `${cells.length} partitions by state`,
  });
  cells.forEach((cell, i) => {
    const label = `${cell.key ?? 'unpartitioned'}: ${PARTITION_STATE_LABEL[cell.state]}${cell.materialized && cell.state !== 'fresh' ? ' (materialized)' : ''}${cell.rowCount !== null ? ` · ${formatNumber(cell.rowCount)} rows` : ''}${cell.reason ? ` — ${cell.reason}` : ''}`;
    svg.append(
      s(
        'rect',
        {
          class: `heat-cell state-${cell.state}`,
          x: (i % perRow) * (size + GAP),
          y: Math.floor(i / perRow) * (size + GAP),
          width: size,
          height: size,
          rx: 2.5,
          tabindex: 0,
          role: 'button',
          'aria-label': label,
          'data-testid': 'partition-cell',
          'data-partition': cell.key ?? '',
          'data-state': cell.state,
          'data-materialized': String(cell.materialized),
          onclick: () => onPick(cell.key),
          onkeydown: (event) => {
            if (event.key === 'Enter') onPick(cell.key);
          },
        },
        s('title', {}, label),
      ),
    );
  });
  const byState = {};
  for (const cell of cells) byState[cell.state] = (byState[cell.state] ?? 0) + 1;
  const legend = h(
    'div',
    { class: 'heat-legend', 'data-testid': 'heat-legend' },
    h('span', { class: 'legend-item', 'data-testid': 'heat-materialized' }, materializedText(counts), ':'),
    Object.keys(PARTITION_STATE_LABEL).map((state) =>
      h(
        'span',
        { class: 'legend-item', 'data-testid': `heat-count-${state}` },
        h('span', { class: `swatch state-${state}`, 'aria-hidden': 'true' }),
        `${PARTITION_STATE_LABEL[state]} `,
        h('strong', {}, formatNumber(byState[state] ?? 0)),
      ),
    ),
  );
  legend.title = breakdownText({ ...byState }, true);
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
