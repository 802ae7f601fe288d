/**
 * The live stream page: the clickstream dashboard (events per minute, active sessions, top
 * products, conversion, watermark lag, late events) and the stream's health (consumer, shards, lag,
 * last checkpoint), updated over server-sent events. The browser resumes a dropped connection with
 * the last event id, and the server then sends the latest dashboard if one was missed.
 */
import { getJson } from './api.js';
import { h, replace, s } from './dom.js';
import { formatDuration, formatNumber, formatTime, shortId, timeAgo } from './format.js';

/** An SVG sparkline of `values` (oldest first). */
function sparkline(values) {
  const width = 240;
  const height = 48;
  if (values.length === 0) {
    return s('svg', {
      class: 'sparkline',
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      'data-points': 0,
    });
  }
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map(
    (v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 6)).toFixed(1)}`,
  );
  return s(
    'svg',
    {
      class: 'sparkline',
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: 'img',
      'aria-label': `events per minute, last ${values.length} minutes, at most ${max}`,
      'data-testid': 'stream-sparkline',
      'data-points': values.length,
    },
    s('polyline', { points: points.join(' '), fill: 'none', stroke: 'currentColor', 'stroke-width': 2 }),
    s('circle', {
      cx: points[points.length - 1].split(',')[0],
      cy: points[points.length - 1].split(',')[1],
      r: 3,
      fill: 'currentColor',
    }),
  );
}

function tile(label, value, testId, detail) {
  return h(
    'div',
    { class: 'stream-tile card' },
    h('div', { class: 'stream-tile-label' }, label),
    h('div', { class: 'stream-tile-value', 'data-testid': testId }, value),
    detail ? h('div', { class: 'stream-tile-detail' }, detail) : null,
  );
}

function percent(rate) {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)} %`;
}

function tiles(d) {
  const perMinute = d.eventsPerMinute.map((m) => m.events);
  const latest = perMinute.length ? perMinute[perMinute.length - 1] : 0;
  return h(
    'div',
    { class: 'stream-tiles' },
    h(
      'div',
      { class: 'stream-tile card stream-tile-wide' },
      h('div', { class: 'stream-tile-label' }, 'Events per minute (event time)'),
      h(
        'div',
        { class: 'stream-tile-row' },
        h(
          'div',
          { class: 'stream-tile-value', 'data-testid': 'stream-events-per-minute' },
          formatNumber(latest),
        ),
        sparkline(perMinute),
      ),
      h(
        'div',
        { class: 'stream-tile-detail' },
        h('span', { 'data-testid': 'stream-events-total' }, formatNumber(d.totals.events)),
        ' events accepted in all',
      ),
    ),
    tile(
      'Active sessions',
      formatNumber(d.openSessions),
      'stream-active-sessions',
      `${formatNumber(d.conversion.openWithPurchase)} with a purchase`,
    ),
    tile(
      'Conversion (sessions closed in the last hour)',
      percent(d.conversion.rate),
      'stream-conversion',
      `${formatNumber(d.conversion.convertedLastHour)} of ${formatNumber(d.conversion.closedLastHour)} sessions bought`,
    ),
    tile(
      'Watermark lag',
      formatDuration(d.watermarkLagMs),
      'stream-watermark-lag',
      d.watermark ? `watermark ${formatTime(d.watermark)}` : 'no events yet',
    ),
    tile(
      'Late events',
      formatNumber(d.totals.late),
      'stream-late',
      h(
        'span',
        {},
        h('span', { 'data-testid': 'stream-duplicates' }, formatNumber(d.totals.duplicates)),
        ' duplicates · ',
        h('span', { 'data-testid': 'stream-dead-letters' }, formatNumber(d.totals.deadLetters)),
        ' dead letters',
      ),
    ),
  );
}

function topProducts(d) {
  return h(
    'section',
    { class: 'card' },
    h('div', { class: 'card-header' }, h('h2', {}, 'Top products, last 15 minutes')),
    d.topProducts.length === 0
      ? h('p', { class: 'muted' }, 'No product views yet.')
      : h(
          'table',
          { class: 'table compact', 'data-testid': 'stream-top-products' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, 'Product'),
              h('th', { class: 'num' }, 'Views'),
              h('th', { class: 'num' }, 'Cart adds'),
            ),
          ),
          h(
            'tbody',
            {},
            d.topProducts.map((p) =>
              h(
                'tr',
                {},
                h('td', {}, `#${p.productId}`),
                h('td', { class: 'num' }, formatNumber(p.views)),
                h('td', { class: 'num' }, formatNumber(p.cartAdds)),
              ),
            ),
          ),
        ),
  );
}

const HEALTH_POLL_MS = 5000;

/** The consumer's state as the server judges it from its lease (a killed consumer publishes nothing). */
function consumerPill(state) {
  const running = state === 'running';
  return h(
    'span',
    {
      class: `pill ${running ? '' : 'pill-warn'}`,
      'data-testid': 'stream-consumer-state',
      'data-state': state,
      title: running ? 'its lease in the instance store is current' : 'no consumer holds the stream’s lease',
    },
    running ? 'Consumer running' : 'Consumer stopped',
  );
}

function health(d, judged) {
  const consumer = d.consumer;
  return h(
    'section',
    { class: 'card', 'data-testid': 'stream-health' },
    h(
      'div',
      { class: 'card-header' },
      h('h2', {}, 'Stream health'),
      // NOTE: a publication newer than the server's last judgement proves the consumer alive.
      consumerPill(
        judged?.lastPublishedAt && judged.lastPublishedAt >= d.publishedAt ? judged.state : consumer.state,
      ),
    ),
    h(
      'dl',
      { class: 'stream-facts' },
      h('dt', {}, 'Stream'),
      h('dd', {}, h('code', {}, d.stream)),
      h('dt', {}, 'Consumer'),
      h('dd', {}, `pid ${consumer.pid} on ${consumer.hostname}, since ${formatTime(consumer.startedAt)}`),
      h('dt', {}, 'Last checkpoint'),
      h(
        'dd',
        { 'data-testid': 'stream-last-checkpoint', title: formatTime(d.lastCheckpointAt) },
        timeAgo(d.lastCheckpointAt),
      ),
      h('dt', {}, 'Last lake commit'),
      h(
        'dd',
        {},
        d.lastCommit
          ? [
              `#${d.lastCommit.epoch}, ${timeAgo(d.lastCommit.at)}`,
              d.lastCommit.runId
                ? [' · run ', h('a', { href: `#/runs/${d.lastCommit.runId}` }, shortId(d.lastCommit.runId))]
                : null,
            ]
          : 'none yet',
      ),
      h('dt', {}, 'Buffered'),
      h(
        'dd',
        { title: 'read, waiting for every shard to pass their arrival slice' },
        `${formatNumber(d.buffered)} records`,
      ),
    ),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table compact', 'data-testid': 'stream-shards' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'Shard'),
            h('th', {}, 'Parents'),
            h('th', { class: 'num', title: 'how far the last read was behind the newest record' }, 'Behind'),
            h('th', { title: 'last record processed (sequence number)' }, 'Through'),
            h('th', { class: 'num' }, 'Throttled'),
            h('th', { class: 'num', title: 'expired iterators replaced' }, 'Renewed'),
            h('th', {}, 'State'),
          ),
        ),
        h(
          'tbody',
          {},
          d.shards.map((shard) =>
            h(
              'tr',
              { 'data-shard': shard.shardId },
              h('td', {}, h('code', {}, shard.shardId)),
              h('td', {}, shard.parents.join(', ') || '—'),
              h('td', { class: 'num' }, formatDuration(shard.millisBehind)),
              h(
                'td',
                { title: shard.processedThrough ?? '' },
                shard.processedThrough ? `…${shard.processedThrough.slice(-10)}` : '—',
              ),
              h('td', { class: 'num' }, formatNumber(shard.throttled)),
              h('td', { class: 'num' }, formatNumber(shard.iteratorsRenewed)),
              h('td', {}, shard.ended ? 'closed' : 'open'),
            ),
          ),
        ),
      ),
    ),
  );
}

/** Renders the stream page into `root`; returns the cleanup function. */
export async function renderStream(root) {
  const first = await getJson('/api/stream');
  const { dashboard } = first;
  let judged = first.health;
  let latest = dashboard;
  const live = h(
    'span',
    { class: 'live', 'data-testid': 'stream-live', hidden: true },
    h('span', { class: 'live-dot', 'aria-hidden': 'true' }),
    'Live',
  );
  const body = h('div', { 'data-testid': 'stream-dashboard', 'aria-live': 'polite' });
  const seq = h('span', { class: 'muted', 'data-testid': 'stream-seq' });
  replace(
    root,
    h(
      'article',
      { class: 'page stream-page', 'data-testid': 'stream-page' },
      h(
        'header',
        { class: 'page-header' },
        h(
          'div',
          {},
          h('h1', {}, 'Clickstream, live'),
          h(
            'p',
            { class: 'description' },
            'Event-time windows of the clickstream as the stream consumer computes them. Closed windows are committed to the stream tables (group ',
            h('a', { href: '#/?focus=click_windows_minute' }, 'streaming'),
            ').',
          ),
        ),
        h('div', { class: 'actions' }, live, seq),
      ),
      body,
    ),
  );
  const show = (d) => {
    if (!d) {
      replace(
        body,
        h(
          'div',
          { class: 'card empty-state', 'data-testid': 'stream-empty' },
          h('h2', {}, 'No stream consumer has run yet'),
          h(
            'p',
            {},
            'Start one with ',
            h('code', {}, 'shopflow stream consume'),
            ' and send events with ',
            h('code', {}, 'shopflow stream produce'),
            '.',
          ),
        ),
      );
      return;
    }
    seq.textContent = `update ${d.seq} · ${new Date(d.publishedAt).toLocaleTimeString('en-GB')}`;
    replace(body, tiles(d), h('div', { class: 'card-grid' }, topProducts(d), health(d, judged)));
  };
  show(dashboard);
  const source = new EventSource(`/api/stream/events?afterId=${dashboard?.seq ?? 0}`);
  source.onopen = () => {
    live.hidden = false;
  };
  source.onerror = () => {
    live.hidden = true;
  };
  source.onmessage = (message) => {
    latest = JSON.parse(message.data);
    show(latest);
  };
  // NOTE: a consumer killed mid-run sends no more events; its lease lapsing is seen only by polling.
  const timer = setInterval(async () => {
    if (document.hidden || !latest) return;
    try {
      const next = (await getJson('/api/stream')).health;
      if (next.state !== judged?.state) {
        judged = next;
        show(latest);
      }
      judged = next;
    } catch {
      // the next poll retries
    }
  }, HEALTH_POLL_MS);
  return () => {
    clearInterval(timer);
    source.close();
  };
}
