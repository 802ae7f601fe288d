import { escapeHtml } from './html-escape.js';
import type { TrendOutcome } from './quality-report.js';

const CELL = 12;
const GAP = 2;
const HEIGHT = 18;

/**
 * An inline SVG strip with one cell per run, coloured by the run's outcome (pass, warn, fail, or
 * grey when the run did not evaluate the check); each cell's tooltip is its label. Colours come
 * from the page's CSS classes `o-pass`, `o-warn`, `o-fail`, `o-none`.
 *
 * @example
 * outcomeStripSvg([{ outcome: 'pass', label: 'run 1a2b3c4d: passed' }, { outcome: 'fail', label: '…' }]);
 */
export function outcomeStripSvg(points: Array<{ outcome: TrendOutcome; label: string }>): string {
  const width = Math.max(1, points.length * (CELL + GAP) - GAP);
  const cells = points
    .map(
      (p, i) =>
        `<rect class="o-${p.outcome}" x="${i * (CELL + GAP)}" y="${p.outcome === 'none' ? 6 : 0}" width="${CELL}" height="${p.outcome === 'none' ? 6 : HEIGHT}" rx="2"><title>${escapeHtml(p.label)}</title></rect>`,
    )
    .join('');
  const summary = points.map((p) => p.outcome).join(', ');
  return `<svg class="chart strip" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" role="img" aria-label="${escapeHtml(`outcome per run, oldest first: ${summary || 'no runs'}`)}">${cells}</svg>`;
}
