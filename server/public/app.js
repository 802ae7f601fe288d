/**
 * The ShopFlow page: a hash router over its views.
 *   #/                lineage graph (optionally ?focus=KEY)
 *   #/assets/KEY      one asset (optionally ?partition=P)
 *   #/runs            runs
 *   #/runs/ID         one run, live while it runs
 *   #/launch          plan and launch a materialization (optionally ?selection=…)
 *   #/catalog         every asset in a table (filters and sort in the query)
 *   #/automation      schedules, sensors, ticks, the daemon
 *   #/backfills       backfills; #/backfills/ID one backfill
 *   #/quality         the data-quality report (optionally ?only=problems)
 *   #/stream          the live clickstream dashboard and stream health
 *   #/sign-in         the token, when the server has one
 * A new page: one entry in ROUTES and, for the top bar, one in NAV_ITEMS (`navigation.js`).
 */
import { onUnauthorized, refreshSession, serverInfo, sessionInfo, signOut } from './api.js';
import { renderAsset } from './asset-view.js';
import { renderAutomation } from './automation-view.js';
import { renderBackfill, renderBackfills } from './backfills-view.js';
import { renderCatalog } from './catalog-view.js';
import { h, replace } from './dom.js';
import { renderGraph } from './graph-view.js';
import { renderLaunch } from './launch-view.js';
import { NAV_ITEMS } from './navigation.js';
import { renderQuality } from './quality-view.js';
import { renderRun } from './run-view.js';
import { renderRuns } from './runs-view.js';
import { renderSignIn } from './sign-in-view.js';
import { renderStream } from './stream-view.js';

/** `[path pattern, nav id, title, view]`; `:name` segments are passed to the view as params. */
const ROUTES = [
  ['', 'graph', () => 'Lineage', (root, { query }) => renderGraph(root, { focus: query.get('focus') })],
  [
    'assets/:key',
    'graph',
    ({ key }) => key,
    (root, { params, query }) => renderAsset(root, { key: params.key, partition: query.get('partition') }),
  ],
  ['runs', 'runs', () => 'Runs', (root) => renderRuns(root)],
  [
    'runs/:id',
    'runs',
    ({ id }) => `Run ${id.slice(0, 8)}`,
    (root, { params }) => renderRun(root, { id: params.id }),
  ],
  [
    'launch',
    'launch',
    () => 'Launch',
    (root, { query }) => renderLaunch(root, { selection: query.get('selection') }),
  ],
  ['catalog', 'catalog', () => 'Catalog', (root, { query }) => renderCatalog(root, { query })],
  ['automation', 'automation', () => 'Automation', (root) => renderAutomation(root)],
  ['backfills', 'backfills', () => 'Backfills', (root) => renderBackfills(root)],
  [
    'backfills/:id',
    'backfills',
    ({ id }) => `Backfill ${id.slice(0, 8)}`,
    (root, { params }) => renderBackfill(root, { id: params.id }),
  ],
  ['quality', 'quality', () => 'Data quality', (root, { query }) => renderQuality(root, { query })],
  ['stream', 'stream', () => 'Stream', (root) => renderStream(root)],
  [
    'sign-in',
    null,
    () => 'Sign in',
    async (root) => {
      const info = await sessionInfo();
      renderSignIn(root, { publicRead: info.publicRead, onSignedIn: () => leaveSignIn() });
    },
  ],
];

const main = document.getElementById('main');
let cleanup = null;
let afterSignIn = '#/';

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, query: new URLSearchParams(search) };
}

function route({ parts, query }) {
  for (const [pattern, nav, title, view] of ROUTES) {
    const segments = pattern.split('/').filter(Boolean);
    if (segments.length !== parts.length) continue;
    const params = {};
    let matched = true;
    segments.forEach((segment, i) => {
      if (segment.startsWith(':')) params[segment.slice(1)] = parts[i];
      else if (segment !== parts[i]) matched = false;
    });
    if (matched) return { nav, title: title(params), view: (root) => view(root, { params, query }) };
  }
  return {
    nav: null,
    title: 'Not found',
    view: (root) =>
      replace(
        root,
        h(
          'section',
          { class: 'page empty-state' },
          h('h1', {}, 'Page not found'),
          h('p', {}, h('a', { href: '#/' }, 'Back to the lineage graph')),
        ),
      ),
  };
}

function leaveSignIn() {
  refreshSession().finally(() => {
    showServerStatus();
    location.hash = afterSignIn === '#/sign-in' ? '#/' : afterSignIn;
  });
}

async function show() {
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
  const target = route(parseHash());
  const root = h('div', { class: 'view' });
  replace(main, root);
  const info = await sessionInfo().catch(() => null);
  if (info && !info.canRead && target.title !== 'Sign in') {
    afterSignIn = location.hash || '#/';
    location.replace('#/sign-in');
    return;
  }
  document.title = `${target.title} · ShopFlow`;
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === target.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  try {
    cleanup = (await target.view(root)) ?? null;
  } catch (error) {
    replace(
      root,
      h('section', { class: 'page' }, h('div', { class: 'alert alert-error', role: 'alert' }, error.message)),
    );
  }
}

function drawNav() {
  replace(
    document.querySelector('.primary-nav'),
    NAV_ITEMS.map((item) =>
      h('a', { href: item.href, 'data-nav': item.id, 'data-testid': `nav-${item.id}` }, item.label),
    ),
  );
}

async function showServerStatus() {
  const box = document.querySelector('[data-testid="server-status"]');
  try {
    const [info, access] = await Promise.all([serverInfo(), sessionInfo()]);
    replace(
      box,
      h('span', { class: 'pill' }, `${info.assets} assets`),
      h('span', { class: 'pill' }, info.store === 'sqlite' ? 'SQLite store' : 'PostgreSQL store'),
      info.readOnly
        ? h('span', { class: 'pill pill-warn', 'data-testid': 'read-only-badge' }, 'Read-only')
        : null,
      access.publicRead
        ? h(
            'span',
            {
              class: 'pill pill-warn',
              'data-testid': 'public-read-badge',
              title: 'Anyone who reaches this server can see its data; launching needs the token.',
            },
            'Public read',
          )
        : null,
      access.tokenRequired && access.via === 'session'
        ? h(
            'button',
            {
              type: 'button',
              class: 'button secondary small-button',
              'data-testid': 'sign-out',
              onclick: async () => {
                await signOut().catch(() => {});
                await refreshSession().catch(() => {});
                showServerStatus();
                show();
              },
            },
            'Sign out',
          )
        : access.tokenRequired && !access.signedIn
          ? h(
              'a',
              { class: 'button secondary small-button', href: '#/sign-in', 'data-testid': 'sign-in-link' },
              'Sign in',
            )
          : null,
    );
  } catch {
    replace(box, h('span', { class: 'pill pill-error' }, 'Server unreachable'));
  }
}

onUnauthorized(() => {
  refreshSession()
    .catch(() => null)
    .then((info) => {
      showServerStatus();
      if (info && !info.canRead && parseHash().parts[0] !== 'sign-in') {
        afterSignIn = location.hash || '#/';
        location.replace('#/sign-in');
      }
    });
});
window.addEventListener('hashchange', show);
drawNav();
showServerStatus();
show();
