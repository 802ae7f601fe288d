/**
 * The ShopFlow page: a hash router over six views.
 *   #/                lineage graph (optionally ?focus=KEY)
 *   #/assets/KEY      one asset
 *   #/runs            runs
 *   #/runs/ID         one run, live while it runs
 *   #/launch          plan and launch a materialization (optionally ?selection=…)
 *   #/stream          the live clickstream dashboard and stream health
 */
import { serverInfo } from './api.js';
import { renderAsset } from './asset-view.js';
import { h, replace } from './dom.js';
import { renderGraph } from './graph-view.js';
import { renderLaunch } from './launch-view.js';
import { renderRun } from './run-view.js';
import { renderRuns } from './runs-view.js';
import { renderStream } from './stream-view.js';

const main = document.getElementById('main');
let cleanup = null;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, query: new URLSearchParams(search) };
}

function route({ parts, query }) {
  if (parts.length === 0)
    return {
      nav: 'graph',
      title: 'Lineage',
      view: (root) => renderGraph(root, { focus: query.get('focus') }),
    };
  if (parts[0] === 'assets' && parts.length === 2) {
    return {
      nav: 'graph',
      title: parts[1],
      view: (root) => renderAsset(root, { key: parts[1], partition: query.get('partition') }),
    };
  }
  if (parts[0] === 'runs' && parts.length === 1)
    return { nav: 'runs', title: 'Runs', view: (root) => renderRuns(root) };
  if (parts[0] === 'runs' && parts.length === 2) {
    return {
      nav: 'runs',
      title: `Run ${parts[1].slice(0, 8)}`,
      view: (root) => renderRun(root, { id: parts[1] }),
    };
  }
  if (parts[0] === 'stream' && parts.length === 1)
    return { nav: 'stream', title: 'Stream', view: (root) => renderStream(root) };
  if (parts[0] === 'launch' && parts.length === 1) {
    return {
      nav: 'launch',
      title: 'Launch',
      view: (root) => renderLaunch(root, { selection: query.get('selection') }),
    };
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

async function show() {
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
  const target = route(parseHash());
  document.title = `${target.title} · ShopFlow`;
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === target.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const root = h('div', { class: 'view' });
  replace(main, root);
  try {
    cleanup = (await target.view(root)) ?? null;
  } catch (error) {
    replace(
      root,
      h('section', { class: 'page' }, h('div', { class: 'alert alert-error', role: 'alert' }, error.message)),
    );
  }
}

async function showServerStatus() {
  const box = document.querySelector('[data-testid="server-status"]');
  try {
    const info = await serverInfo();
    replace(
      box,
      h('span', { class: 'pill' }, `${info.assets} assets`),
      h('span', { class: 'pill' }, info.store === 'sqlite' ? 'SQLite store' : 'PostgreSQL store'),
      info.readOnly
        ? h('span', { class: 'pill pill-warn', 'data-testid': 'read-only-badge' }, 'Read-only')
        : null,
    );
  } catch {
    replace(box, h('span', { class: 'pill pill-error' }, 'Server unreachable'));
  }
}

window.addEventListener('hashchange', show);
showServerStatus();
show();
