/**
 * The events of a run: newest first, a page at a time ("Load earlier"), filtered by step, type and
 * level on the server; events arriving live are added on top when they match the filters. A stack
 * trace (sent only to this machine's browser) sits behind a "Details" toggle.
 */
import { getJson } from './api.js';
import { h, replace } from './dom.js';
import { formatTime } from './format.js';

const PAGE = 100;
const MAX_LIVE = 300;
const TYPES = [
  'run_queued',
  'run_start',
  'run_success',
  'run_failure',
  'run_cancel_requested',
  'run_canceled',
  'step_start',
  'step_success',
  'step_failure',
  'step_skipped',
  'step_retry',
  'materialization',
  'check_evaluation',
  'log',
];

function eventRow(event) {
  return h(
    'li',
    {
      class: `event event-level-${event.level}${event.type === 'run_success' || event.type === 'step_success' ? ' event-success' : ''}`,
      'data-testid': 'run-event',
      'data-type': event.type,
      'data-level': event.level,
      'data-event-id': event.id,
    },
    h(
      'time',
      { datetime: event.ts, title: formatTime(event.ts) },
      new Date(event.ts).toLocaleTimeString('en-GB'),
    ),
    h('span', { class: 'event-type' }, event.type.replaceAll('_', ' ')),
    h(
      'span',
      { class: 'event-message' },
      event.message ?? '',
      event.stack
        ? h(
            'details',
            { 'data-testid': 'event-details' },
            h('summary', {}, 'Details'),
            h('pre', {}, event.stack),
          )
        : null,
    ),
  );
}

/**
 * @param {string} runId
 * @param {string[]} assets asset keys of the run, offered in the step filter
 * @returns {{ element: HTMLElement, add: (event: object) => void, reload: () => Promise<void> }}
 */
export function runEvents(runId, assets) {
  const list = h('ol', { class: 'events', 'data-testid': 'run-events', 'aria-live': 'polite' });
  const stepInput = h('input', {
    class: 'input',
    type: 'search',
    placeholder: 'asset or asset[partition]',
    list: 'run-event-steps',
    'aria-label': 'Step',
    'data-testid': 'event-filter-step',
  });
  const typeSelect = h(
    'select',
    { class: 'input', 'aria-label': 'Type', 'data-testid': 'event-filter-type' },
    h('option', { value: '' }, 'All types'),
    TYPES.map((t) => h('option', { value: t }, t.replace('_', ' '))),
  );
  const levelSelect = h(
    'select',
    { class: 'input', 'aria-label': 'Level', 'data-testid': 'event-filter-level' },
    h('option', { value: '' }, 'All levels'),
    ['error', 'warn', 'info'].map((l) => h('option', { value: l }, l)),
  );
  const earlier = h(
    'button',
    { type: 'button', class: 'button secondary', 'data-testid': 'events-load-earlier', hidden: true },
    'Load earlier',
  );
  const status = h('p', { class: 'muted small', 'data-testid': 'events-status' });
  const seen = new Set();
  let before = null;
  let generation = 0;

  const filters = () => ({ step: stepInput.value.trim(), type: typeSelect.value, level: levelSelect.value });
  const matches = (event) => {
    const f = filters();
    if (f.type && event.type !== f.type) return false;
    if (f.level && event.level !== f.level) return false;
    if (f.step) {
      const key = event.partitionKey === null ? event.assetKey : `${event.assetKey}[${event.partitionKey}]`;
      if (f.step.includes('[') ? key !== f.step : event.assetKey !== f.step) return false;
    }
    return true;
  };

  async function loadPage(reset) {
    const mine = ++generation;
    const params = new URLSearchParams({ limit: String(PAGE) });
    const f = filters();
    for (const [name, value] of Object.entries(f)) if (value) params.set(name, value);
    if (!reset && before !== null) params.set('before', String(before));
    let page;
    try {
      page = await getJson(`/api/runs/${encodeURIComponent(runId)}/events?${params}`);
    } catch (error) {
      replace(status, error.message);
      return;
    }
    if (mine !== generation) return;
    if (reset) {
      list.replaceChildren();
      seen.clear();
    }
    for (const event of page.events) {
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      list.append(eventRow(event));
    }
    before = page.nextBefore;
    earlier.hidden = before === null;
    replace(status, list.children.length ? '' : 'No events match.');
  }

  earlier.addEventListener('click', () => loadPage(false));
  for (const control of [typeSelect, levelSelect]) control.addEventListener('change', () => loadPage(true));
  stepInput.addEventListener('change', () => loadPage(true));

  const element = h(
    'div',
    {},
    h(
      'div',
      { class: 'event-filters' },
      stepInput,
      h(
        'datalist',
        { id: 'run-event-steps' },
        assets.map((a) => h('option', { value: a })),
      ),
      typeSelect,
      levelSelect,
    ),
    list,
    status,
    earlier,
  );

  return {
    element,
    reload: () => loadPage(true),
    add(event) {
      if (seen.has(event.id) || !matches(event)) return;
      seen.add(event.id);
      list.prepend(eventRow(event));
      replace(status, '');
      while (list.children.length > MAX_LIVE) {
        const removed = list.lastElementChild;
        seen.delete(Number(removed.dataset.eventId));
        removed.remove();
        before = Number(list.lastElementChild.dataset.eventId);
        earlier.hidden = false;
      }
    },
  };
}
