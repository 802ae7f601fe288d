import { escapeHtml } from './html-escape.js';
import type { QualityCounts } from './quality-report.js';

const BAR = 22;
const GAP = 8;
const PLOT = 120;
const LEFT = 34;
const BOTTOM = 22;

/**
 * An inline SVG bar chart with one stacked bar per run: failed (blocking), warnings and passed
 * evaluations, with a tooltip per bar and the first and last run's date under the axis.
 *
 * @example
 * runBarsSvg([{ label: '2024-01-03', title: 'run 1a2b…', counts: { pass: 9, warn: 1, fail: 2 } }]);
 */
export function runBarsSvg(runs: Array<{ label: string; title: string; counts: QualityCounts }>): string {
  const max = Math.max(1, ...runs.map((r) => r.counts.pass + r.counts.warn + r.counts.fail));
  const width = LEFT + Math.max(1, runs.length) * (BAR + GAP) + GAP;
  const height = PLOT + BOTTOM + 6;
  const scale = (n: number) => (n / max) * PLOT;
  const parts: string[] = [
    `<line class="axis" x1="${LEFT}" y1="${PLOT + 4}" x2="${width}" y2="${PLOT + 4}"/>`,
    `<line class="grid" x1="${LEFT}" y1="4" x2="${width}" y2="4"/>`,
    `<text class="tick" x="${LEFT - 6}" y="8" text-anchor="end">${max}</text>`,
    `<text class="tick" x="${LEFT - 6}" y="${PLOT + 8}" text-anchor="end">0</text>`,
  ];
  runs.forEach((run, i) => {
    const x = LEFT + GAP + i * (BAR + GAP);
    let top = PLOT + 4;
    const stack: string[] = [];
    for (const outcome of ['fail', 'warn', 'pass'] as const) {
      const h = scale(run.counts[outcome]);
      if (h <= 0) continue;
      top -= h;
      stack.push(
        `<rect class="o-${outcome}" x="${x}" y="${Math.round(top * 10) / 10}" width="${BAR}" height="${Math.round(h * 10) / 10}"/>`,
      );
    }
    parts.push(`<g><title>${escapeHtml(run.title)}</title>${stack.join('')}</g>`);
  });
  if (runs.length > 0) {
    parts.push(`<text class="tick" x="${LEFT + GAP}" y="${PLOT + 20}">${escapeHtml(runs[0].label)}</text>`);
    if (runs.length > 1)
      parts.push(
        `<text class="tick" x="${width - GAP}" y="${PLOT + 20}" text-anchor="end">${escapeHtml(runs[runs.length - 1].label)}</text>`,
      );
  }
  return `<svg class="chart bars" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="evaluations per run: passed, warnings and failed">${parts.join('')}</svg>`;
}
