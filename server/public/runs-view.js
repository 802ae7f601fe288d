/** The runs list: newest first, refreshed while any run is in progress. */
import { getJson } from './api.js';
import { h, replace } from './dom.js';
import { formatDuration, formatTime, shortId, timeAgo, truncate } from './format.js';

const ACTIVE_MS = 2000;
const IDLE_MS = 10_000;

export function runStatusBadge(status, testid) {
  return h('span', { class: `badge run-${status}`, 'data-testid': testid, 'data-status': status }, status);
}

/** Renders the runs page into `root`; returns the cleanup function. */
export async function renderRuns(root) {
  const body = h('div', { class: 'runs-body' });
  replace(
    root,
    h(
      'section',
      { class: 'page runs-page' },
      h(
        'header',
        { class: 'page-header' },
        h(
          'div',
          {},
          h('h1', {}, 'Runs'),
          h(
            'p',
            { class: 'description' },
            'Every materialization, from this page, the CLI, schedules or the daemon.',
          ),
        ),
        h('div', { class: 'actions' }, h('a', { class: 'button', href: '#/launch' }, 'Launch a run…')),
      ),
      body,
    ),
  );
  let timer;
  const load = async () => {
    const { runs } = await getJson('/api/runs?limit=100');
    if (runs.length === 0) {
      replace(
        body,
        h(
          'div',
          { class: 'empty-state card' },
          h('h2', {}, 'No runs yet'),
          h('p', {}, 'Launch one from this page or with ', h('code', {}, 'shopflow materialize'), '.'),
        ),
      );
    } else {
      replace(
        body,
        h(
          'div',
          { class: 'table-wrap card flush' },
          h(
            'table',
            { class: 'table', 'data-testid': 'runs-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Run', 'Status', 'Selection', 'Started', 'Duration', 'Steps', 'Trigger', 'Error'].map((t) =>
                  h('th', { scope: 'col' }, t),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              runs.map((run) =>
                h(
                  'tr',
                  { 'data-testid': 'run-row', 'data-run-id': run.id },
                  h('td', {}, h('a', { href: `#/runs/${run.id}`, class: 'mono' }, shortId(run.id))),
                  h('td', {}, runStatusBadge(run.status)),
                  h('td', {}, h('code', {}, truncate(run.selection, 48))),
                  h('td', { title: formatTime(run.startedAt ?? run.createdAt) }, timeAgo(run.createdAt)),
                  h('td', { class: 'num' }, formatDuration(run.durationMs)),
                  h('td', { class: 'num' }, String(run.steps)),
                  h('td', {}, run.tags.trigger ?? (run.parentRunId ? 'retry' : '—')),
                  h('td', { class: 'error-cell' }, run.error ? truncate(run.error, 80) : ''),
                ),
              ),
            ),
          ),
        ),
      );
    }
    const active = runs.some((r) => r.status === 'running' || r.status === 'queued');
    timer = setTimeout(() => load().catch(() => {}), active ? ACTIVE_MS : IDLE_MS);
  };
  await load();
  return () => clearTimeout(timer);
}
