/**
 * Automation: the daemon's health, every schedule (cron, next ticks, paused or not, recent ticks
 * with their runs or why they were skipped) and every sensor (recent evaluations and the runs they
 * requested) — what `shopflow schedules` prints. A schedule or sensor can be paused and resumed here
 * (the token is needed; the daemon then launches nothing for it until it is resumed).
 */
import { getJson, postJson, serverInfo, sessionInfo } from './api.js';
import { h, replace } from './dom.js';
import { formatDuration, formatTime, shortId, timeAgo } from './format.js';
import { runStatusBadge } from './runs-view.js';

const POLL_MS = 5000;
const DAEMON_WORDS = {
  running: ['Running', 'status-fresh'],
  stopped: ['Stopped', 'status-failed'],
  never: ['Never started', 'status-missing'],
  unknown: ['Unknown', 'status-missing'],
};

function tickOutcome(tick) {
  if (tick.runId) {
    return h(
      'span',
      { class: 'tick-run' },
      h('a', { href: `#/runs/${tick.runId}`, class: 'mono', 'data-testid': 'tick-run' }, shortId(tick.runId)),
      ' ',
      tick.runStatus ? runStatusBadge(tick.runStatus) : h('span', { class: 'muted' }, 'starting'),
      tick.attempt > 0 ? h('span', { class: 'muted small' }, ` retry ${tick.attempt}`) : null,
    );
  }
  return h('span', { class: 'muted', 'data-testid': 'tick-reason' }, tick.message ?? '—');
}

function ticksTable(ticks, { keyColumn }) {
  if (ticks.length === 0) return h('p', { class: 'muted small' }, 'No ticks yet.');
  return h(
    'table',
    { class: 'table compact', 'data-testid': 'tick-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, keyColumn),
        h('th', { scope: 'col' }, 'Tick'),
        h('th', { scope: 'col' }, 'Run or reason'),
      ),
    ),
    h(
      'tbody',
      {},
      ticks.map((t) =>
        h(
          'tr',
          { 'data-testid': 'tick-row', 'data-status': t.status, 'data-tick': t.tickKey },
          h(
            'td',
            { title: formatTime(t.scheduledTime) },
            t.kind === 'request'
              ? h('code', { class: 'small' }, t.tickKey.slice(0, 24))
              : formatTime(t.scheduledTime),
          ),
          h('td', {}, h('span', { class: `badge tick-${t.status}` }, t.status)),
          h('td', {}, tickOutcome(t)),
        ),
      ),
    ),
  );
}

/** Renders the Automation page into `root`; returns the cleanup function. */
export async function renderAutomation(root) {
  const [info, access] = await Promise.all([serverInfo(), sessionInfo()]);
  const canWrite = !info.readOnly && access.canLaunch;
  const daemonBox = h('section', { class: 'card', 'data-testid': 'daemon-health' });
  const streamBox = h('section', { class: 'card', 'data-testid': 'stream-consumer-health', hidden: true });
  const schedulesBox = h('section', { class: 'card wide', 'data-testid': 'schedules' });
  const sensorsBox = h('section', { class: 'card wide', 'data-testid': 'sensors' });
  const message = h('div', { 'aria-live': 'assertive' });
  const expanded = new Set();
  replace(
    root,
    h(
      'section',
      { class: 'page automation-page' },
      h(
        'header',
        { class: 'page-header' },
        h(
          'div',
          {},
          h('h1', {}, 'Automation'),
          h(
            'p',
            { class: 'description' },
            'Schedules and sensors the daemon runs (',
            h('code', {}, 'shopflow daemon'),
            '), their next and recent ticks, and the daemon’s health.',
          ),
        ),
      ),
      message,
      daemonBox,
      streamBox,
      schedulesBox,
      sensorsBox,
    ),
  );

  function pauseButton(item) {
    const paused = item.pause?.paused === true;
    const verb = paused ? 'resume' : 'pause';
    return h(
      'button',
      {
        type: 'button',
        class: `button small-button ${paused ? '' : 'secondary'}`,
        'data-testid': `automation-${verb}`,
        'data-name': item.name,
        disabled: !canWrite || !item.enabled,
        title: !item.enabled
          ? 'Disabled in its definition.'
          : canWrite
            ? paused
              ? 'Resume: its next tick runs (ticks due while it was paused are not caught up).'
              : 'Pause: the daemon launches nothing for it until it is resumed.'
            : info.readOnly
              ? 'The server runs read-only.'
              : 'Sign in to pause or resume.',
        onclick: async (event) => {
          event.currentTarget.disabled = true;
          replace(message);
          try {
            await postJson(`/api/schedules/${encodeURIComponent(item.name)}/${verb}`, {});
            await load();
          } catch (error) {
            event.currentTarget.disabled = false;
            replace(
              message,
              h(
                'div',
                { class: 'alert alert-error', role: 'alert', 'data-testid': 'automation-error' },
                `${error.code}: ${error.message}`,
              ),
            );
          }
        },
      },
      paused ? 'Resume' : 'Pause',
    );
  }

  function stateBadge(item) {
    if (!item.enabled)
      return h('span', { class: 'badge status-missing', 'data-state': 'disabled' }, 'Disabled');
    if (item.pause?.paused)
      return h(
        'span',
        {
          class: 'badge status-stale',
          'data-state': 'paused',
          title: `paused by ${item.pause.by} at ${formatTime(item.pause.changedAt)}`,
        },
        'Paused',
      );
    return h('span', { class: 'badge status-fresh', 'data-state': 'running' }, 'Running');
  }

  function toggle(name) {
    return h(
      'button',
      {
        type: 'button',
        class: 'link-button',
        'aria-expanded': String(expanded.has(name)),
        'data-testid': 'automation-ticks-toggle',
        onclick: () => {
          if (expanded.has(name)) expanded.delete(name);
          else expanded.add(name);
          draw(last);
        },
      },
      expanded.has(name) ? 'Hide ticks' : 'Recent ticks',
    );
  }

  function drawDaemon(view) {
    const [word, style] = DAEMON_WORDS[view.daemon.state];
    const holder = view.daemon.holder;
    replace(
      daemonBox,
      h(
        'div',
        { class: 'card-header' },
        h('h2', {}, 'Daemon'),
        h(
          'span',
          { class: `badge ${style}`, 'data-testid': 'daemon-state', 'data-state': view.daemon.state },
          word,
        ),
      ),
      h(
        'dl',
        { class: 'facts facts-row' },
        [
          ['Process', holder ? `pid ${holder.pid} on ${holder.hostname}` : '—'],
          ['Since', holder ? formatTime(holder.acquiredAt) : '—'],
          ['Last heartbeat', holder ? timeAgo(holder.heartbeatAt, Date.parse(view.now)) : '—'],
          ['Lease expires', holder ? formatTime(holder.expiresAt) : '—'],
          [
            'Last evaluation',
            view.daemon.lastEvaluationAt
              ? timeAgo(view.daemon.lastEvaluationAt, Date.parse(view.now))
              : 'never',
          ],
        ].map(([label, value]) => h('div', {}, h('dt', {}, label), h('dd', {}, value))),
      ),
      view.daemon.state === 'running'
        ? null
        : h(
            'p',
            { class: 'muted small' },
            view.available
              ? [
                  'No daemon holds the lease: nothing is launched on schedule. Start one with ',
                  h('code', {}, 'shopflow daemon'),
                  '.',
                ]
              : 'This server was started without the schedules package: next ticks and daemon health are not shown.',
          ),
    );
  }

  function drawStream(view) {
    const stream = view.stream;
    streamBox.hidden = stream.state === 'never';
    if (stream.state === 'never') return;
    const running = stream.state === 'running';
    const now = Date.parse(view.now);
    replace(
      streamBox,
      h(
        'div',
        { class: 'card-header' },
        h('h2', {}, h('a', { href: '#/stream' }, 'Stream consumer')),
        h(
          'span',
          {
            class: `badge ${running ? 'status-fresh' : 'status-failed'}`,
            'data-testid': 'stream-consumer-state',
            'data-state': stream.state,
          },
          running ? 'Running' : 'Stopped',
        ),
      ),
      h(
        'dl',
        { class: 'facts facts-row' },
        [
          ['Stream', stream.stream ? h('code', {}, stream.stream) : '—'],
          ['Process', stream.holder ? `pid ${stream.holder.pid} on ${stream.holder.hostname}` : '—'],
          [
            'Shard lag',
            stream.maxShardLagMs === null ? '—' : formatDuration(stream.maxShardLagMs),
            'stream-shard-lag',
          ],
          [
            'Last checkpoint',
            stream.lastCheckpointAt ? timeAgo(stream.lastCheckpointAt, now) : 'none yet',
            'stream-last-checkpoint',
          ],
        ].map(([label, value, testId]) =>
          h('div', {}, h('dt', {}, label), h('dd', testId ? { 'data-testid': testId } : {}, value)),
        ),
      ),
      running
        ? null
        : h(
            'p',
            { class: 'muted small' },
            'No consumer holds the stream’s lease: closed windows are not committed. Start one with ',
            h('code', {}, 'shopflow stream consume'),
            ' (or the daemon, with ',
            h('code', {}, 'resources.stream.consumeInDaemon'),
            ').',
          ),
    );
  }

  function drawSchedules(view) {
    replace(
      schedulesBox,
      h('div', { class: 'card-header' }, h('h2', {}, 'Schedules')),
      view.schedules.length === 0
        ? h('p', { class: 'muted' }, 'These definitions declare no schedules.')
        : h(
            'table',
            { class: 'table automation-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Schedule', 'Cron', 'Selection', 'State', 'Next ticks', 'Last tick', ''].map((t) =>
                  h('th', { scope: 'col' }, t),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              view.schedules.flatMap((s) => [
                h(
                  'tr',
                  { 'data-testid': 'schedule-row', 'data-name': s.name },
                  h(
                    'td',
                    {},
                    h('strong', { class: 'mono' }, s.name),
                    s.description ? h('div', { class: 'muted small' }, s.description) : null,
                  ),
                  h(
                    'td',
                    {},
                    h('code', {}, s.cron),
                    h('div', { class: 'muted small' }, `${s.timezone} · catch-up ${s.catchUp}`),
                  ),
                  h('td', {}, h('code', {}, s.selection)),
                  h('td', {}, stateBadge(s)),
                  h(
                    'td',
                    { 'data-testid': 'schedule-next' },
                    s.nextTicks.length
                      ? s.nextTicks.map((t) => h('div', { class: 'small' }, formatTime(t)))
                      : h(
                          'span',
                          { class: 'muted' },
                          s.pause?.paused ? 'paused' : s.enabled ? '—' : 'disabled',
                        ),
                  ),
                  h(
                    'td',
                    {},
                    s.recentTicks[0]
                      ? [
                          h('div', { class: 'small' }, formatTime(s.recentTicks[0].scheduledTime)),
                          tickOutcome(s.recentTicks[0]),
                        ]
                      : h('span', { class: 'muted' }, 'never'),
                  ),
                  h('td', { class: 'row-actions' }, pauseButton(s), toggle(s.name)),
                ),
                expanded.has(s.name)
                  ? h(
                      'tr',
                      { class: 'detail-row' },
                      h('td', { colspan: 7 }, ticksTable(s.recentTicks, { keyColumn: 'Scheduled for' })),
                    )
                  : null,
              ]),
            ),
          ),
    );
  }

  function drawSensors(view) {
    replace(
      sensorsBox,
      h('div', { class: 'card-header' }, h('h2', {}, 'Sensors')),
      view.sensors.length === 0
        ? h('p', { class: 'muted' }, 'These definitions declare no sensors.')
        : h(
            'table',
            { class: 'table automation-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Sensor', 'Every', 'State', 'Last evaluation', 'Runs requested', ''].map((t) =>
                  h('th', { scope: 'col' }, t),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              view.sensors.flatMap((s) => [
                h(
                  'tr',
                  { 'data-testid': 'sensor-row', 'data-name': s.name },
                  h(
                    'td',
                    {},
                    h('strong', { class: 'mono' }, s.name),
                    s.description ? h('div', { class: 'muted small' }, s.description) : null,
                  ),
                  h('td', {}, `${s.intervalSeconds} s`),
                  h('td', {}, stateBadge(s)),
                  h(
                    'td',
                    {},
                    s.recentEvaluations[0]
                      ? [
                          h('div', { class: 'small' }, formatTime(s.recentEvaluations[0].scheduledTime)),
                          h(
                            'span',
                            { class: 'muted small' },
                            s.recentEvaluations[0].message ?? s.recentEvaluations[0].status,
                          ),
                        ]
                      : h('span', { class: 'muted' }, 'never'),
                  ),
                  h('td', { class: 'num' }, String(s.recentRequests.length)),
                  h('td', { class: 'row-actions' }, pauseButton(s), toggle(s.name)),
                ),
                expanded.has(s.name)
                  ? h(
                      'tr',
                      { class: 'detail-row' },
                      h(
                        'td',
                        { colspan: 6 },
                        h('h3', {}, 'Evaluations'),
                        ticksTable(s.recentEvaluations, { keyColumn: 'Evaluated at' }),
                        h('h3', {}, 'Run requests'),
                        ticksTable(s.recentRequests, { keyColumn: 'Request' }),
                      ),
                    )
                  : null,
              ]),
            ),
          ),
    );
  }

  let last = null;
  function draw(view) {
    last = view;
    drawDaemon(view);
    drawStream(view);
    drawSchedules(view);
    drawSensors(view);
  }
  const load = async () => draw(await getJson('/api/automation'));
  await load();
  const timer = setInterval(() => {
    if (!document.hidden) load().catch(() => {});
  }, POLL_MS);
  return () => clearInterval(timer);
}
