/**
 * Backfills: every backfill with its progress (`shopflow backfill --list`), and one backfill with
 * the status of each of its partitions, the run that materialized it or why it failed, and its
 * runs. A running, interrupted or failed backfill can be canceled from here (whichever process runs
 * it); an interrupted, failed or canceled one resumed in the server process.
 */
import { ApiRequestError, getJson, postJson, serverInfo, sessionInfo } from './api.js';
import { h, replace, s } from './dom.js';
import { formatDuration, formatNumber, formatTime, shortId, timeAgo } from './format.js';
import { runStatusBadge } from './runs-view.js';

const ACTIVE_MS = 2000;
const IDLE_MS = 10_000;
const CANCELABLE = new Set(['running', 'interrupted', 'failed']);

function resumable(b) {
  return (
    b.status === 'interrupted' ||
    b.status === 'failed' ||
    b.status === 'canceled' ||
    (b.status === 'running' && !b.ownerAlive)
  );
}

function statusBadge(b) {
  const stalled = b.status === 'running' && !b.ownerAlive;
  return h(
    'span',
    {
      class: `badge backfill-${stalled ? 'stalled' : b.status}`,
      'data-testid': 'backfill-status',
      'data-status': b.status,
      title: stalled ? 'its process is gone: resume it' : '',
    },
    stalled ? 'stalled' : b.status,
  );
}

/** A bar of done, failed and pending partitions. */
function progressBar(b) {
  const width = 220;
  const part = (n) => (b.total ? (n / b.total) * width : 0);
  return h(
    'div',
    {
      class: 'backfill-progress',
      'data-testid': 'backfill-progress',
      'data-done': b.done,
      'data-failed': b.failed,
      'data-total': b.total,
    },
    s(
      'svg',
      {
        width,
        height: 8,
        viewBox: `0 0 ${width} 8`,
        role: 'img',
        'aria-label': `${b.done} of ${b.total} done, ${b.failed} failed`,
      },
      s('rect', { class: 'bar-track', width, height: 8, rx: 4 }),
      s('rect', { class: 'bar-done', width: part(b.done), height: 8, rx: 4 }),
      s('rect', { class: 'bar-failed', x: part(b.done), width: part(b.failed), height: 8 }),
    ),
    h(
      'span',
      { class: 'small' },
      `${formatNumber(b.done)}/${formatNumber(b.total)} done`,
      b.failed ? h('span', { class: 'text-failed' }, ` · ${formatNumber(b.failed)} failed`) : null,
    ),
  );
}

/** The Cancel and Resume buttons of a backfill; `after` runs once an action succeeded. */
function actionButtons(b, { canWrite, actions, why, message, after }) {
  const act = (verb, label, style) =>
    h(
      'button',
      {
        type: 'button',
        class: `button small-button ${style}`,
        'data-testid': `backfill-${verb}`,
        'data-id': b.id,
        disabled: !canWrite || !actions,
        title: !actions ? 'This server cannot run backfills; use `shopflow backfill`.' : canWrite ? '' : why,
        onclick: async (event) => {
          event.currentTarget.disabled = true;
          replace(message);
          try {
            await postJson(`/api/backfills/${encodeURIComponent(b.id)}/${verb}`, {});
            await after();
          } catch (error) {
            event.currentTarget.disabled = false;
            replace(
              message,
              h(
                'div',
                { class: 'alert alert-error', role: 'alert', 'data-testid': 'backfill-error' },
                `${error.code}: ${error.message}`,
              ),
            );
          }
        },
      },
      label,
    );
  return [
    CANCELABLE.has(b.status) ? act('cancel', 'Cancel', 'danger') : null,
    resumable(b) ? act('resume', 'Resume', 'secondary') : null,
  ];
}

async function permissions() {
  const [info, access] = await Promise.all([serverInfo(), sessionInfo()]);
  return {
    canWrite: !info.readOnly && access.canLaunch,
    why: info.readOnly ? 'The server runs read-only.' : 'Sign in to cancel or resume backfills.',
  };
}

/** Renders the backfills list into `root`; returns the cleanup function. */
export async function renderBackfills(root) {
  const rights = await permissions();
  const body = h('div', {});
  const message = h('div', { 'aria-live': 'assertive' });
  replace(
    root,
    h(
      'section',
      { class: 'page backfills-page' },
      h(
        'header',
        { class: 'page-header' },
        h(
          'div',
          {},
          h('h1', {}, 'Backfills'),
          h(
            'p',
            { class: 'description' },
            'Partition ranges materialized in batches (',
            h('code', {}, 'shopflow backfill SELECTION --from A --to B'),
            '), their progress, and what is left.',
          ),
        ),
      ),
      message,
      body,
    ),
  );
  let timer;
  const load = async () => {
    const { backfills, actions } = await getJson('/api/backfills');
    if (backfills.length === 0) {
      replace(
        body,
        h(
          'div',
          { class: 'empty-state card' },
          h('h2', {}, 'No backfills yet'),
          h('p', {}, 'Start one with ', h('code', {}, 'shopflow backfill SELECTION --from A --to B'), '.'),
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
            { class: 'table', 'data-testid': 'backfills-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Backfill', 'Status', 'Selection', 'Range', 'Progress', 'Updated', ''].map((t) =>
                  h('th', { scope: 'col' }, t),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              backfills.map((b) =>
                h(
                  'tr',
                  { 'data-testid': 'backfill-row', 'data-id': b.id, 'data-status': b.status },
                  h('td', {}, h('a', { href: `#/backfills/${b.id}`, class: 'mono' }, shortId(b.id))),
                  h('td', {}, statusBadge(b)),
                  h('td', {}, h('code', {}, b.selection)),
                  h('td', {}, `${b.from} … ${b.to}`),
                  h('td', {}, progressBar(b)),
                  h('td', { title: formatTime(b.updatedAt) }, timeAgo(b.updatedAt)),
                  h(
                    'td',
                    { class: 'row-actions' },
                    actionButtons(b, { ...rights, actions, message, after: load }),
                  ),
                ),
              ),
            ),
          ),
        ),
      );
    }
    const active = backfills.some((b) => b.status === 'running');
    clearTimeout(timer);
    timer = setTimeout(() => load().catch(() => {}), active ? ACTIVE_MS : IDLE_MS);
  };
  await load();
  return () => clearTimeout(timer);
}

/** Renders one backfill into `root`; returns the cleanup function. */
export async function renderBackfill(root, { id }) {
  const rights = await permissions();
  const message = h('div', { 'aria-live': 'assertive' });
  const content = h('div', {});
  replace(
    root,
    h(
      'article',
      { class: 'page backfill-page', 'data-testid': 'backfill-page' },
      h(
        'nav',
        { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
        h('a', { href: '#/backfills' }, 'Backfills'),
        ' / ',
        h('span', { class: 'mono', 'aria-current': 'page' }, shortId(id)),
      ),
      message,
      content,
    ),
  );
  let timer;
  const load = async () => {
    let detail;
    try {
      detail = await getJson(`/api/backfills/${encodeURIComponent(id)}`);
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 404) {
        replace(content, h('div', { class: 'alert alert-error', role: 'alert' }, error.message));
        return;
      }
      throw error;
    }
    const { backfill: b, partitions, runs, actions } = detail;
    const started = Date.parse(b.createdAt);
    // NOTE: an interrupted or stalled backfill has no end: its duration runs to its last update.
    const ended = b.finishedAt
      ? Date.parse(b.finishedAt)
      : b.status === 'running' && b.ownerAlive
        ? Date.now()
        : Date.parse(b.updatedAt);
    replace(
      content,
      h(
        'header',
        { class: 'page-header' },
        h(
          'div',
          {},
          h('h1', {}, 'Backfill ', h('span', { class: 'mono' }, shortId(b.id)), ' ', statusBadge(b)),
          h(
            'p',
            { class: 'description' },
            h('code', {}, b.selection),
            ` from ${b.from} to ${b.to}, ${b.parallel} partitions at once`,
          ),
        ),
        h('div', { class: 'actions' }, actionButtons(b, { ...rights, actions, message, after: load })),
      ),
      b.message
        ? h(
            b.status === 'success' ? 'p' : 'div',
            {
              class: b.status === 'success' ? 'muted' : 'alert alert-warn',
              'data-testid': 'backfill-message',
            },
            b.message,
          )
        : null,
      h(
        'dl',
        { class: 'facts facts-row' },
        [
          ['Progress', progressBar(b)],
          ['Pending', formatNumber(b.pending)],
          ['Started', formatTime(b.createdAt)],
          ['Finished', b.finishedAt ? formatTime(b.finishedAt) : '—'],
          ['Duration', formatDuration(ended - started)],
          [
            'Process',
            b.pid
              ? `pid ${b.pid} on ${b.hostname}${b.status === 'running' ? (b.ownerAlive ? '' : ' (gone)') : ''}`
              : '—',
          ],
        ].map(([label, value]) => h('div', {}, h('dt', {}, label), h('dd', {}, value))),
      ),
      h(
        'section',
        { class: 'card wide' },
        h('h2', {}, 'Partitions'),
        h(
          'div',
          { class: 'partition-grid', role: 'list', 'data-testid': 'backfill-partition-grid' },
          partitions.map((p) =>
            h('span', {
              role: 'listitem',
              class: `partition-cell backfill-partition-${p.status}`,
              'data-testid': 'backfill-partition-cell',
              'data-partition': p.partitionKey,
              'data-status': p.status,
              title: `${p.partitionKey}: ${p.status}${p.message ? ` — ${p.message}` : ''}`,
            }),
          ),
        ),
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'table compact', 'data-testid': 'backfill-partitions' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Partition', 'Status', 'Run', 'Note', 'Updated'].map((t) => h('th', { scope: 'col' }, t)),
              ),
            ),
            h(
              'tbody',
              {},
              partitions.map((p) =>
                h(
                  'tr',
                  {
                    'data-testid': 'backfill-partition-row',
                    'data-partition': p.partitionKey,
                    'data-status': p.status,
                  },
                  h('td', {}, h('code', {}, p.partitionKey)),
                  h('td', {}, h('span', { class: `badge backfill-partition-badge-${p.status}` }, p.status)),
                  h(
                    'td',
                    {},
                    p.runId ? h('a', { href: `#/runs/${p.runId}`, class: 'mono' }, shortId(p.runId)) : '—',
                  ),
                  h('td', { class: p.status === 'failed' ? 'error-cell' : 'muted' }, p.message ?? ''),
                  h('td', { title: formatTime(p.updatedAt) }, timeAgo(p.updatedAt)),
                ),
              ),
            ),
          ),
        ),
      ),
      h(
        'section',
        { class: 'card wide' },
        h('h2', {}, 'Runs'),
        runs.length === 0
          ? h('p', { class: 'muted' }, 'No run yet.')
          : h(
              'table',
              { class: 'table compact', 'data-testid': 'backfill-runs' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Run', 'Status', 'Started', 'Duration', 'Steps', 'Error'].map((t) =>
                    h('th', { scope: 'col' }, t),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                runs.map((r) =>
                  h(
                    'tr',
                    { 'data-testid': 'backfill-run-row', 'data-run-id': r.id },
                    h('td', {}, h('a', { href: `#/runs/${r.id}`, class: 'mono' }, shortId(r.id))),
                    h('td', {}, runStatusBadge(r.status)),
                    h('td', { title: formatTime(r.startedAt ?? r.createdAt) }, timeAgo(r.createdAt)),
                    h('td', { class: 'num' }, formatDuration(r.durationMs)),
                    h('td', { class: 'num' }, String(r.steps)),
                    h('td', { class: 'error-cell' }, r.error ?? ''),
                  ),
                ),
              ),
            ),
      ),
    );
    clearTimeout(timer);
    timer = setTimeout(() => load().catch(() => {}), b.status === 'running' ? ACTIVE_MS : IDLE_MS);
  };
  await load();
  return () => clearTimeout(timer);
}
