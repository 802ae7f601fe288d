/**
 * One run: status and step counts (computed on the server from all of its events), a timeline with
 * one row per asset, its events, and "Re-execute from failure". While the run goes on, the page
 * applies the event stream to what it has and polls only the small summary; it fetches the step
 * table again once, when the run ends.
 */
import { ApiRequestError, getJson, postJson, serverInfo, sessionInfo } from './api.js';
import { h, replace } from './dom.js';
import { formatDuration, formatTime, shortId } from './format.js';
import { runEvents } from './run-events.js';
import { countsText, StepTable } from './run-steps.js';
import { runTimeline } from './run-timeline.js';
import { runStatusBadge } from './runs-view.js';

const SUMMARY_MS = 4000;
const REDRAW_MS = 500;
const finished = (status) => status === 'success' || status === 'failed' || status === 'canceled';

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
  const [info, access] = await Promise.all([serverInfo(), sessionInfo()]);
  const runId = detail.run.id;
  let table = new StepTable(detail);
  let run = detail.run;
  let when = detail.window;
  let counts = detail.counts;
  const expanded = new Set();
  const header = h('div', { class: 'run-header' });
  const timeline = h('div', { class: 'gantt-wrap' });
  const events = runEvents(runId, detail.assets);
  const message = h('div', { 'aria-live': 'assertive' });
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
      { class: 'page run-page', 'data-testid': 'run-page', 'data-run-id': runId },
      h(
        'nav',
        { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
        h('a', { href: '#/runs' }, 'Runs'),
        ' / ',
        h('span', { 'aria-current': 'page', class: 'mono' }, shortId(runId)),
      ),
      header,
      message,
      h(
        'section',
        { class: 'card wide' },
        h('div', { class: 'card-header' }, h('h2', {}, 'Timeline'), live),
        h('p', { class: 'muted small' }, 'One row per asset; click an asset to see each of its steps.'),
        timeline,
      ),
      h('section', { class: 'card wide' }, h('h2', {}, 'Events'), events.element),
    ),
  );

  function durationNow() {
    return when.finishedAt
      ? when.durationMs
      : Math.max(when.durationMs, Date.now() - Date.parse(when.startedAt));
  }

  function retryButton() {
    if (run.status !== 'failed' && run.status !== 'canceled') return null;
    const why = info.readOnly
      ? 'The server runs read-only.'
      : access.canLaunch
        ? 'Run the failed, skipped and unfinished steps again (shopflow runs retry).'
        : 'Sign in to re-execute runs.';
    return h(
      'button',
      {
        type: 'button',
        class: 'button',
        'data-testid': 'run-retry',
        disabled: info.readOnly || !access.canLaunch,
        title: why,
        onclick: async (event) => {
          event.currentTarget.disabled = true;
          replace(message);
          try {
            const { runId: next } = await postJson(`/api/runs/${encodeURIComponent(runId)}/retry`, {});
            location.hash = `#/runs/${next}`;
          } catch (error) {
            event.currentTarget.disabled = false;
            replace(
              message,
              h(
                'div',
                { class: 'alert alert-error', role: 'alert', 'data-testid': 'run-retry-error' },
                `${error.code}: ${error.message}`,
              ),
            );
          }
        },
      },
      'Re-execute from failure',
    );
  }

  function drawHeader() {
    const shown = finished(run.status) ? counts : table.counts();
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
        h('div', { class: 'actions' }, retryButton()),
      ),
      run.error
        ? h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': 'run-error' }, run.error)
        : null,
      h(
        'dl',
        { class: 'facts facts-row' },
        [
          ['Started', run.startedAt ? formatTime(when.startedAt) : 'not yet'],
          ['Finished', when.finishedAt ? formatTime(when.finishedAt) : '—'],
          [
            'Duration',
            h(
              'span',
              { 'data-testid': 'run-duration', 'data-ms': String(Math.round(durationNow())) },
              formatDuration(durationNow()),
            ),
          ],
          [
            'Steps',
            h(
              'span',
              {
                'data-testid': 'run-step-counts',
                ...Object.fromEntries(
                  Object.entries(shown).map(([k, v]) => [`data-${k.replace('_', '-')}`, String(v)]),
                ),
              },
              countsText(shown) || 'none',
            ),
          ],
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
    if (table.rows.length === 0) {
      replace(
        timeline,
        h('p', { class: 'muted' }, 'This run had nothing to do: everything selected was up to date.'),
      );
      return;
    }
    replace(
      timeline,
      runTimeline(table, {
        endMs: durationNow(),
        now: Date.now(),
        width: timeline.clientWidth || 960,
        expanded,
        onToggle: (asset) => {
          if (expanded.has(asset)) expanded.delete(asset);
          else expanded.add(asset);
          drawTimeline();
        },
      }),
    );
  }

  drawHeader();
  drawTimeline();
  await events.reload();

  let source = null;
  let ticker = null;
  let poller = null;
  let redraw = null;
  const stopLive = () => {
    source?.close();
    source = null;
    clearInterval(ticker);
    clearInterval(poller);
    clearTimeout(redraw);
    live.hidden = true;
  };
  const scheduleRedraw = () => {
    redraw ??= setTimeout(() => {
      redraw = null;
      drawHeader();
      drawTimeline();
    }, REDRAW_MS);
  };
  const refreshSummary = async () => {
    const summary = await getJson(`/api/runs/${encodeURIComponent(runId)}/summary`);
    run = summary.run;
    when = summary.window;
    counts = summary.counts;
    scheduleRedraw();
  };
  const finish = async () => {
    stopLive();
    // NOTE: once, at the end: the exact step table (an event committed out of order cannot linger).
    detail = await getJson(`/api/runs/${encodeURIComponent(runId)}`);
    table = new StepTable(detail);
    run = detail.run;
    when = detail.window;
    counts = detail.counts;
    drawHeader();
    drawTimeline();
  };
  if (!finished(run.status)) {
    live.hidden = false;
    source = new EventSource(`/api/runs/${encodeURIComponent(runId)}/stream?afterId=${detail.lastEventId}`);
    source.onmessage = (incoming) => {
      const event = JSON.parse(incoming.data);
      table.apply(event);
      events.add(event);
      if (event.type === 'run_success' || event.type === 'run_failure') {
        when = {
          ...when,
          finishedAt: event.ts,
          durationMs: Date.parse(event.ts) - Date.parse(when.startedAt),
        };
      }
      scheduleRedraw();
    };
    source.addEventListener('end', () => {
      finish().catch(() => {});
    });
    poller = setInterval(() => refreshSummary().catch(() => {}), SUMMARY_MS);
    // Running bars grow with the clock between events.
    ticker = setInterval(scheduleRedraw, 1000);
  }
  return () => stopLive();
}
