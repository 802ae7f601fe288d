import { escapeHtml } from './html-escape.js';

/** One line of a sparkline: a value per run (null where the run has no value). */
export interface SparklineSeries {
  /** CSS class giving the line its colour (`s-failing`, `s-quarantined`). */
  className: string;
  values: Array<number | null>;
}

const WIDTH = 140;
const HEIGHT = 30;
const PAD = 3;

/**
 * An inline SVG sparkline of one or more series sharing one y-scale (0 at the bottom), with a
 * tooltip per point and a dot on each series' last value. Gaps (null) break the line.
 *
 * @example
 * sparklineSvg([{ className: 's-failing', values: [0, 3, null, 1] }], ['run a', 'run b', 'run c', 'run d']);
 */
export function sparklineSvg(series: SparklineSeries[], labels: string[]): string {
  const count = Math.max(0, ...series.map((s) => s.values.length));
  const max = Math.max(1, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const x = (i: number) => (count <= 1 ? WIDTH / 2 : PAD + (i * (WIDTH - 2 * PAD)) / (count - 1));
  const y = (v: number) => HEIGHT - PAD - (v / max) * (HEIGHT - 2 * PAD);
  const round = (n: number) => Math.round(n * 10) / 10;
  const parts: string[] = [
    `<line class="s-axis" x1="0" y1="${HEIGHT - PAD}" x2="${WIDTH}" y2="${HEIGHT - PAD}"/>`,
  ];
  for (const s of series) {
    const segments: Array<Array<[number, number]>> = [];
    let current: Array<[number, number]> = [];
    s.values.forEach((v, i) => {
      if (v === null) {
        if (current.length) segments.push(current);
        current = [];
      } else current.push([round(x(i)), round(y(v))]);
    });
    if (current.length) segments.push(current);
    for (const segment of segments) {
      if (segment.length === 1) continue;
      const line = segment.map(([px, py]) => `${px},${py}`).join(' ');
      const area = `M${segment[0][0]},${HEIGHT - PAD} L${line.replaceAll(' ', ' L')} L${segment[segment.length - 1][0]},${HEIGHT - PAD} Z`;
      parts.push(`<path class="${s.className} s-area" d="${area}"/>`);
      parts.push(`<polyline class="${s.className} s-line" points="${line}"/>`);
    }
    s.values.forEach((v, i) => {
      if (v === null) return;
      const last = s.values.slice(i + 1).every((later) => later === null);
      parts.push(
        `<circle class="${s.className} s-dot${last ? ' s-last' : ''}" cx="${round(x(i))}" cy="${round(y(v))}" r="${last ? 2.5 : 1.6}"><title>${escapeHtml(labels[i] ?? '')}</title></circle>`,
      );
    });
  }
  const latest = series.map((s) => s.values.filter((v) => v !== null).at(-1) ?? 0).join(' / ');
  return `<svg class="chart sparkline" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(`rows per run, latest ${latest}, peak ${max}`)}">${parts.join('')}</svg>`;
}
