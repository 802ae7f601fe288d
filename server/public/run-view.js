/** One run: status, a Gantt-style step timeline, events and errors; live over server-sent events. */
import { ApiRequestError, getJson } from './api.js';
import { h, replace } from './dom.js';
import { formatDuration, formatTime, shortId } from './format.js';
import { ganttChart } from './gantt-chart.js';
import { runStatusBadge } from './runs-view.js';

const EVENT_CLASS = {
  run_failure: 'event-error',
  step_failure: 'event-error',
  step_retry: 'event-warn',
  step_skipped: 'event-muted',
  run_success: 'event-success',
  step_success: 'event-success',
};

function eventRow(event) {
  const stack = typeof event.data?.stack === 'string' ? event.data.stack : null;
  const checkFailed = event.type === 'check_evaluation' && event.data?.passed === false;
  return h(
    'li',
    {
      class: `event ${EVENT_CLASS[event.type] ?? ''}${checkFailed ? ' event-warn' : ''}`,
      'data-testid': 'run-event',
      'data-type': event.type,
      'data-event-id': event.id,
    },
    h(
      'time',
      { datetime: event.ts, title: formatTime(event.ts) },
      new Date(event.ts).toLocaleTimeString('en-GB'),
    ),
    h('span', { class: 'event-type' }, event.type.replace('_', ' ')),
    h(
      'span',
      { class: 'event-message' },
      event.message ?? '',
      stack ? h('details', {}, h('summary', {}, 'Stack trace'), h('pre', {}, stack)) : null,
    ),
  );
}

/** Renders the run page into `root`; returns the cleanup function. */
export async function renderRun(root, { id }) {
  let detail;
  try {
    detail = await getJson(`/api/runs/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error instanceof ApiRequestError && error.status === 404) {
      replace(
        root,
        h(
          'section',
          { class: 'page' },
          h('div', { class: 'alert alert-error', role: 'alert' }, error.message),
          h('p', {}, h('a', { href: '#/runs' }, 'All runs')),
        ),
      );
      return;
    }
    throw error;
  }
  const header = h('div', { class: 'run-header' });
  const timeline = h('div', { class: 'gantt-wrap' });
  const eventList = h('ol', { class: 'events', 'data-testid': 'run-events', 'aria-live': 'polite' });
  const live = h(
    'span',
    { class: 'live', 'data-testid': 'run-live', hidden: true },
    h('span', { class: 'live-dot', 'aria-hidden': 'true' }),
    'Live',
  );
  replace(
    root,
    h(
      'article',
      { class: 'page run-page', 'data-testid': 'run-page', 'data-run-id': detail.run.id },
      h(
        'nav',
        { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
        h('a', { href: '#/runs' }, 'Runs'),
        ' / ',
        h('span', { 'aria-current': 'page', class: 'mono' }, shortId(detail.run.id)),
      ),
      header,
      h(
        'section',
        { class: 'card wide' },
        h('div', { class: 'card-header' }, h('h2', {}, 'Timeline'), live),
        timeline,
      ),
      h('section', { class: 'card wide' }, h('h2', {}, 'Events'), eventList),
    ),
  );

  const seen = new Set();
  let lastEventId = 0;
  function addEvent(event) {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    lastEventId = Math.max(lastEventId, event.id);
    eventList.append(eventRow(event));
  }

  function drawHeader() {
    const run = detail.run;
    const counts = {};
    for (const step of detail.steps) counts[step.status] = (counts[step.status] ?? 0) + 1;
    const parts = ['success', 'running', 'pending', 'failed', 'check_failed', 'skipped']
      .filter((k) => counts[k])
      .map(
        (k) =>
          `${counts[k]} ${{ success: 'succeeded', running: 'running', pending: 'waiting', failed: 'failed', check_failed: 'failed a check', skipped: 'skipped' }[k]}`,
      );
    replace(
      header,
      h(
        'header',
        { class: 'page-header' },
        h(
          'div',
          {},
          h(
            'h1',
            {},
            'Run ',
            h('span', { class: 'mono' }, shortId(run.id)),
            ' ',
            runStatusBadge(run.status, 'run-status'),
          ),
          h('p', { class: 'description' }, h('code', {}, run.selection)),
        ),
      ),
      run.error
        ? h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': 'run-error' }, run.error)
        : null,
      h(
        'dl',
        { class: 'facts facts-row' },
        [
          ['Started', run.startedAt ? formatTime(run.startedAt) : 'not yet'],
          ['Finished', run.finishedAt ? formatTime(run.finishedAt) : '—'],
          ['Duration', formatDuration(run.durationMs)],
          ['Steps', parts.join(' · ') || 'none'],
          ['Trigger', run.tags.trigger ?? (run.parentRunId ? 'retry' : '—')],
          [
            'Retry of',
            run.parentRunId
              ? h('a', { href: `#/runs/${run.parentRunId}`, class: 'mono' }, shortId(run.parentRunId))
              : '—',
          ],
          ['Run id', h('code', { class: 'small' }, run.id)],
        ].map(([label, value]) => h('div', {}, h('dt', {}, label), h('dd', {}, value))),
      ),
    );
  }

  function drawTimeline() {
    if (detail.steps.length === 0)
      replace(
        timeline,
        h('p', { class: 'muted' }, 'This run had nothing to do: everything selected was up to date.'),
      );
    else replace(timeline, ganttChart(detail.steps, { now: Date.now(), width: timeline.clientWidth || 960 }));
  }

  drawHeader();
  drawTimeline();
  for (const event of detail.events) addEvent(event);

  let source = null;
  let refresh = null;
  let ticker = null;
  const finished = (status) => status === 'success' || status === 'failed' || status === 'canceled';
  const reload = async () => {
    detail = await getJson(`/api/runs/${encodeURIComponent(detail.run.id)}`);
    for (const event of detail.events) addEvent(event);
    drawHeader();
    drawTimeline();
  };
  const stopLive = () => {
    source?.close();
    source = null;
    clearInterval(ticker);
    live.hidden = true;
  };
  if (!finished(detail.run.status)) {
    live.hidden = false;
    source = new EventSource(`/api/runs/${encodeURIComponent(detail.run.id)}/events?afterId=${lastEventId}`);
    source.onmessage = (message) => {
      addEvent(JSON.parse(message.data));
      clearTimeout(refresh);
      refresh = setTimeout(() => reload().catch(() => {}), 120);
    };
    source.addEventListener('end', () => {
      stopLive();
      clearTimeout(refresh);
      reload().catch(() => {});
    });
    // Running bars grow with the clock between events.
    ticker = setInterval(drawTimeline, 1000);
  }
  return () => {
    stopLive();
    clearTimeout(refresh);
  };
}
