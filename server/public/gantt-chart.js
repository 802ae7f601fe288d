/** The step timeline of the run page: one bar per step from its start to its end. */
import { s } from './dom.js';
import { formatDuration } from './format.js';

const ROW = 24;
const LABEL_W = 230;
const TOP = 26;

const STATUS_LABEL = {
  pending: 'waiting',
  running: 'running',
  success: 'succeeded',
  failed: 'failed',
  skipped: 'skipped',
  check_failed: 'blocking check failed',
};

function tickStep(spanMs) {
  const candidates = [
    100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000,
    3_600_000,
  ];
  return candidates.find((c) => spanMs / c <= 8) ?? 7_200_000;
}

/**
 * @param {Array<{key: string, status: string, startedAt: string|null, finishedAt: string|null, attempts: number, message: string|null}>} steps
 * @param {{ now: number, width?: number }} run the current time (where running bars end) and the width to draw
 */
export function ganttChart(steps, run) {
  const W = Math.max(720, run.width ?? 960);
  const starts = steps
    .map((st) => (st.startedAt ? Date.parse(st.startedAt) : null))
    .filter((v) => v !== null);
  const t0 = starts.length ? Math.min(...starts) : run.now;
  const ends = steps
    .map((st) => (st.finishedAt ? Date.parse(st.finishedAt) : st.status === 'running' ? run.now : null))
    .filter((v) => v !== null);
  const t1 = Math.max(t0 + 1000, ...ends);
  const innerW = W - LABEL_W - 16;
  const x = (t) => LABEL_W + ((t - t0) / (t1 - t0)) * innerW;
  const height = TOP + steps.length * ROW + 8;
  const svg = s('svg', {
    class: 'gantt',
    'data-testid': 'run-gantt',
    viewBox: `0 0 ${W} ${height}`,
    width: W,
    height,
    role: 'img',
    'aria-label': `Timeline of ${steps.length} steps`,
  });
  const tick = tickStep(t1 - t0);
  for (let t = 0; t <= t1 - t0; t += tick) {
    svg.append(
      s('line', { class: 'grid-line', x1: x(t0 + t), x2: x(t0 + t), y1: TOP - 6, y2: height - 4 }),
      s(
        'text',
        { class: 'axis-label', x: x(t0 + t), y: TOP - 10, 'text-anchor': 'middle' },
        t === 0 ? '0' : formatDuration(t),
      ),
    );
  }
  steps.forEach((step, i) => {
    const y = TOP + i * ROW;
    const start = step.startedAt ? Date.parse(step.startedAt) : null;
    const end = step.finishedAt ? Date.parse(step.finishedAt) : step.status === 'running' ? run.now : null;
    const duration = start !== null && end !== null ? end - start : null;
    const label = `${step.key}: ${STATUS_LABEL[step.status] ?? step.status}${duration !== null ? ` in ${formatDuration(duration)}` : ''}${step.attempts > 1 ? ` after ${step.attempts} attempts` : ''}${step.message ? ` — ${step.message}` : ''}`;
    const row = s(
      'g',
      {
        class: `gantt-row step-${step.status}`,
        'data-testid': 'gantt-row',
        'data-step': step.key,
        'data-status': step.status,
      },
      s('title', {}, label),
    );
    if (i % 2 === 0) row.append(s('rect', { class: 'row-band', x: 0, y, width: W, height: ROW }));
    row.append(
      s(
        'text',
        { class: 'step-label', x: 8, y: y + 16 },
        step.key.length > 30 ? `${step.key.slice(0, 29)}…` : step.key,
      ),
    );
    if (start !== null && end !== null) {
      row.append(
        s('rect', {
          class: 'gantt-bar',
          x: x(start),
          y: y + 5,
          width: Math.max(3, x(end) - x(start)),
          height: ROW - 10,
          rx: 3,
        }),
      );
    } else {
      row.append(
        s(
          'text',
          { class: 'pending-label', x: LABEL_W, y: y + 16 },
          STATUS_LABEL[step.status] ?? step.status,
        ),
      );
    }
    svg.append(row);
  });
  return svg;
}
