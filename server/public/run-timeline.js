/**
 * The run page's timeline: one row per asset with its partitions' bars packed into lanes, rows
 * expandable to one row per step; the axis runs from the run's start to its end (or now, while it
 * runs), so nothing extends past the run.
 */
import { s } from './dom.js';
import { formatDuration } from './format.js';
import { STEP_STATUS_WORDS } from './run-steps.js';

const ROW = 26;
const STEP_ROW = 20;
const LANE = 5;
const MAX_LANES = 8;
const LABEL_W = 250;
const TOP = 26;
const WORST_FIRST = ['failed', 'check_failed', 'running', 'pending', 'skipped', 'success', 'up_to_date'];

function tickStep(spanMs) {
  const candidates = [
    100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000,
    3_600_000,
  ];
  return candidates.find((c) => spanMs / c <= 8) ?? 7_200_000;
}

/** Lanes for bars so that no two in one lane overlap in time (greedy, by start). */
function packLanes(rows, now) {
  const lanes = [];
  const placed = [];
  for (const row of [...rows].filter((r) => r.start !== null).sort((a, b) => a.start - b.start)) {
    const end = row.end ?? now;
    let lane = lanes.findIndex((laneEnd) => laneEnd <= row.start);
    if (lane === -1) {
      lane = lanes.length < MAX_LANES ? lanes.length : lanes.indexOf(Math.min(...lanes));
      if (lane === lanes.length) lanes.push(end);
    }
    lanes[lane] = end;
    placed.push({ row, lane, end });
  }
  return { placed, lanes: Math.max(1, lanes.length) };
}

function label(row, now) {
  const end = row.end ?? (row.status === 'running' ? now : null);
  const duration = row.start !== null && end !== null ? end - row.start : null;
  return `${row.key}: ${STEP_STATUS_WORDS[row.status] ?? row.status}${duration !== null ? ` in ${formatDuration(duration)}` : ''}${row.attempts > 1 ? ` after ${row.attempts} attempts` : ''}${row.worker ? ` on worker ${row.worker}` : ''}${row.message ? ` — ${row.message}` : ''}`;
}

/**
 * @param {import('./run-steps.js').StepTable} table
 * @param {{ endMs: number, now: number, width: number, expanded: Set<string>, onToggle: (asset: string) => void }} options
 *   `endMs`: the run's duration (or time so far); `now`: where running bars end
 */
export function runTimeline(table, options) {
  const W = Math.max(720, options.width);
  const innerW = W - LABEL_W - 24;
  const endMs = Math.max(1, options.endMs);
  const t0 = table.origin;
  const x = (t) => LABEL_W + Math.min(1, Math.max(0, (t - t0) / endMs)) * innerW;
  const axisRight = LABEL_W + innerW;
  /** Left edge and width of a bar, at least 2 px wide and never past the end of the axis. */
  const span = (start, end) => {
    const left = Math.min(x(start), axisRight - 2);
    return [left, Math.max(2, Math.min(axisRight, x(end)) - left)];
  };
  const groups = table.byAsset().map(([assetKey, rows]) => {
    const packed = packLanes(rows, options.now);
    const expanded = options.expanded.has(assetKey);
    const height = Math.max(ROW, 8 + packed.lanes * (LANE + 1)) + (expanded ? rows.length * STEP_ROW : 0);
    return { assetKey, rows, packed, expanded, height };
  });
  const height = TOP + groups.reduce((sum, g) => sum + g.height, 0) + 8;
  const svg = s('svg', {
    class: 'gantt',
    'data-testid': 'run-gantt',
    'data-axis-end-ms': String(Math.round(endMs)),
    viewBox: `0 0 ${W} ${height}`,
    width: W,
    height,
    role: 'img',
    'aria-label': `Timeline of ${table.rows.length} steps in ${groups.length} assets over ${formatDuration(endMs)}`,
  });
  const tick = tickStep(endMs);
  for (let t = 0; t <= endMs - tick / 3; t += tick) {
    svg.append(
      s('line', { class: 'grid-line', x1: x(t0 + t), x2: x(t0 + t), y1: TOP - 6, y2: height - 4 }),
      s(
        'text',
        { class: 'axis-label', x: x(t0 + t), y: TOP - 10, 'text-anchor': 'middle' },
        t === 0 ? '0' : formatDuration(t),
      ),
    );
  }
  svg.append(
    s('line', {
      class: 'grid-line axis-end',
      'data-testid': 'axis-end-line',
      x1: axisRight,
      x2: axisRight,
      y1: TOP - 6,
      y2: height - 4,
    }),
    s(
      'text',
      {
        class: 'axis-label axis-end-label',
        'data-testid': 'axis-end',
        x: x(t0 + endMs),
        y: TOP - 10,
        'text-anchor': 'end',
      },
      formatDuration(endMs),
    ),
  );
  let y = TOP;
  groups.forEach((group, index) => {
    const counts = {};
    for (const row of group.rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
    const status = WORST_FIRST.find((st) => counts[st]) ?? 'pending';
    const done =
      (counts.success ?? 0) +
      (counts.up_to_date ?? 0) +
      (counts.skipped ?? 0) +
      (counts.failed ?? 0) +
      (counts.check_failed ?? 0);
    const toggle = () => options.onToggle(group.assetKey);
    const row = s(
      'g',
      {
        class: `gantt-asset step-${status}${group.expanded ? ' expanded' : ''}`,
        'data-testid': 'timeline-asset',
        'data-asset': group.assetKey,
        'data-steps': String(group.rows.length),
        'data-status': status,
      },
      s('title', {}, `${group.assetKey}: ${done} of ${group.rows.length} steps done`),
    );
    if (index % 2 === 0)
      row.append(s('rect', { class: 'row-band', x: 0, y, width: W, height: group.height }));
    row.append(
      s(
        'text',
        {
          class: 'step-label asset-toggle',
          x: 8,
          y: y + 17,
          role: 'button',
          tabindex: 0,
          'aria-expanded': String(group.expanded),
          'data-testid': 'timeline-toggle',
          onclick: toggle,
          onkeydown: (event) => {
            if (event.key === 'Enter' || event.key === ' ') {
              event.preventDefault();
              toggle();
            }
          },
        },
        `${group.expanded ? '▾' : '▸'} ${group.assetKey.length > 24 ? `${group.assetKey.slice(0, 23)}…` : group.assetKey}`,
        s(
          'tspan',
          { class: 'asset-progress', dx: 6 },
          group.rows.length > 1 ? `${done}/${group.rows.length}` : '',
        ),
      ),
    );
    const laneTop =
      y + (Math.max(ROW, 8 + group.packed.lanes * (LANE + 1)) - group.packed.lanes * (LANE + 1)) / 2;
    for (const { row: step, lane, end } of group.packed.placed) {
      const [left, width] = span(step.start, end);
      row.append(
        s(
          'rect',
          {
            class: `gantt-bar lane-bar step-${step.status}`,
            'data-testid': 'timeline-bar',
            'data-step': step.key,
            'data-status': step.status,
            x: left,
            y: laneTop + lane * (LANE + 1),
            width,
            height: LANE,
            rx: 1.5,
          },
          s('title', {}, label(step, options.now)),
        ),
      );
    }
    if (group.expanded) {
      let sy = y + Math.max(ROW, 8 + group.packed.lanes * (LANE + 1));
      for (const step of group.rows) {
        const end = step.end ?? (step.status === 'running' ? options.now : null);
        const sub = s(
          'g',
          {
            class: `gantt-row step-${step.status}`,
            'data-testid': 'gantt-row',
            'data-step': step.key,
            'data-status': step.status,
          },
          s('title', {}, label(step, options.now)),
          s('text', { class: 'step-label step-sub-label', x: 24, y: sy + 14 }, step.partitionKey ?? step.key),
        );
        if (step.start !== null && end !== null)
          sub.append(
            s('rect', {
              class: 'gantt-bar',
              x: span(step.start, end)[0],
              y: sy + 4,
              width: span(step.start, end)[1],
              height: STEP_ROW - 8,
              rx: 2,
            }),
          );
        else
          sub.append(
            s('text', { class: 'pending-label', x: LABEL_W, y: sy + 14 }, STEP_STATUS_WORDS[step.status]),
          );
        row.append(sub);
        sy += STEP_ROW;
      }
    }
    svg.append(row);
    y += group.height;
  });
  return svg;
}
