import {
  type CommandDefinition,
  HOSTNAME,
  type PauseState,
  processIsAlive,
  readPauseState,
  type ShopflowRuntime,
  type TickRecord,
} from '../../framework/index.js';
import { CronTicks } from '../cron-ticks.js';
import { DAEMON_LEASE, describeLeaseHolder } from '../daemon-lease.js';
import { findFreshnessBreaches } from '../freshness-monitor.js';
import { positiveNumberOption } from './positive-number-option.js';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((_, i) => Math.max(header[i].length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}

function time(iso: string | null | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—';
}

function outcome(tick: TickRecord): string {
  const run = tick.runId ? ` run ${tick.runId.slice(0, 8)}${tick.runStatus ? ` ${tick.runStatus}` : ''}` : '';
  const retry = tick.attempt > 0 ? ` (retry ${tick.attempt})` : '';
  return `${tick.status}${run}${retry}`;
}

function pausedText(pause: PauseState): string {
  return `paused since ${time(pause.changedAt)}`;
}

function tickJson(tick: TickRecord) {
  return {
    tickKey: tick.tickKey,
    scheduledTime: tick.scheduledTime,
    status: tick.status,
    runId: tick.runId,
    runStatus: tick.runStatus,
    attempt: tick.attempt,
    message: tick.message,
  };
}

async function collect(runtime: ShopflowRuntime, limit: number) {
  const now = runtime.services.now();
  const { store, definitions } = runtime;
  const schedules = [];
  for (const schedule of definitions.schedules) {
    const cron = new CronTicks(schedule.cron, schedule.timezone, `schedule \`${schedule.name}\``);
    const recent = await store.listTicks({ name: schedule.name, kinds: ['schedule'], limit });
    const pause = await readPauseState(store, schedule.name);
    const runs = schedule.enabled && !pause?.paused;
    schedules.push({
      schedule,
      nextTicks: runs ? cron.nextTicks(now, 3).map((d) => d.toISOString()) : [],
      recent,
      pause,
    });
  }
  const sensors = [];
  for (const sensor of definitions.sensors) {
    const recent = await store.listTicks({ name: sensor.name, kinds: ['sensor'], limit });
    const requests = await store.listTicks({ name: sensor.name, kinds: ['request'], limit });
    sensors.push({ sensor, recent, requests, pause: await readPauseState(store, sensor.name) });
  }
  const lease = await store.getLease(DAEMON_LEASE);
  // NOTE: a daemon killed on this machine leaves an unexpired lease; its process is checked too.
  const live =
    lease &&
    Date.parse(lease.expiresAt) > now.getTime() &&
    !(lease.hostname === HOSTNAME && !processIsAlive(lease.pid))
      ? lease
      : null;
  const breaches = await findFreshnessBreaches(store, runtime.graph, now);
  return { now, schedules, sensors, lease: live, breaches };
}

/**
 * `shopflow schedules [--json]`: every schedule with its next ticks (or since when it is paused) and
 * recent tick outcomes, every sensor with its recent evaluations and run requests, whether a daemon
 * is running, and the assets that are overdue by their freshness policy.
 *
 * @example
 * defineDefinitions({ assets, schedules, commands: [schedulesCommand] });
 */
export const schedulesCommand: CommandDefinition = {
  name: 'schedules',
  description: 'list schedules and sensors with next ticks and recent tick outcomes',
  options: [
    { flags: '--limit <n>', description: 'recent ticks shown per schedule or sensor', defaultValue: '5' },
  ],
  async run(context, _args, flags) {
    const limit = positiveNumberOption('--limit', flags.limit) ?? 5;
    const runtime = await context.runtime();
    const { schedules, sensors, lease, breaches } = await collect(runtime, limit);
    const write = (text: string) => context.stdout.write(`${text}\n`);
    if (context.json) {
      write(JSON.stringify({ type: 'daemon', running: lease !== null, lease }));
      for (const { schedule, nextTicks, recent, pause } of schedules) {
        write(
          JSON.stringify({
            type: 'schedule',
            name: schedule.name,
            description: schedule.description,
            cron: schedule.cron,
            timezone: schedule.timezone,
            selection: schedule.selection,
            catchUp: schedule.catchUp,
            enabled: schedule.enabled,
            paused: pause?.paused === true,
            pausedSince: pause?.paused ? pause.changedAt : null,
            maxRetries: schedule.retry.maxRetries,
            nextTicks,
            recentTicks: recent.map(tickJson),
          }),
        );
      }
      for (const { sensor, recent, requests, pause } of sensors) {
        write(
          JSON.stringify({
            type: 'sensor',
            name: sensor.name,
            description: sensor.description,
            intervalSeconds: sensor.intervalSeconds,
            enabled: sensor.enabled,
            paused: pause?.paused === true,
            pausedSince: pause?.paused ? pause.changedAt : null,
            cursor: recent[0]?.cursor ?? null,
            recentEvaluations: recent.map(tickJson),
            recentRequests: requests.map(tickJson),
          }),
        );
      }
      for (const breach of breaches) write(JSON.stringify({ type: 'overdue', ...breach }));
      return 0;
    }
    write(
      lease
        ? `Daemon: running, ${describeLeaseHolder(lease)}`
        : 'Daemon: not running (start it with `shopflow daemon`)',
    );
    if (schedules.length === 0 && sensors.length === 0) {
      write('No schedules or sensors are defined.');
    }
    if (schedules.length > 0) {
      write('');
      write(
        table(
          ['SCHEDULE', 'CRON', 'SELECTION', 'CATCH-UP', 'NEXT TICK', 'LAST TICK'],
          schedules.map(({ schedule, nextTicks, recent, pause }) => [
            schedule.name,
            `${schedule.cron} (${schedule.timezone})`,
            schedule.selection,
            schedule.catchUp,
            !schedule.enabled ? 'disabled' : pause?.paused ? pausedText(pause) : time(nextTicks[0]),
            recent[0] ? `${time(recent[0].scheduledTime)} ${outcome(recent[0])}` : '—',
          ]),
        ),
      );
    }
    if (sensors.length > 0) {
      write('');
      write(
        table(
          ['SENSOR', 'EVERY', 'LAST EVALUATION', 'RESULT'],
          sensors.map(({ sensor, recent, pause }) => [
            sensor.name,
            !sensor.enabled ? 'disabled' : pause?.paused ? pausedText(pause) : `${sensor.intervalSeconds} s`,
            time(recent[0]?.scheduledTime),
            recent[0] ? `${recent[0].status}${recent[0].message ? ` — ${recent[0].message}` : ''}` : '—',
          ]),
        ),
      );
    }
    const history = [
      ...schedules.flatMap(({ recent }) => recent),
      ...sensors.flatMap(({ requests }) => requests),
    ];
    if (history.length > 0) {
      write('');
      write('Recent ticks:');
      for (const tick of history) {
        write(
          `  ${tick.name.padEnd(20)} ${tick.kind === 'request' ? tick.tickKey : time(tick.scheduledTime)}  ${outcome(tick)}${tick.message ? ` — ${tick.message}` : ''}`,
        );
      }
    }
    if (breaches.length > 0) {
      write('');
      write('Overdue (freshness policy):');
      for (const b of breaches)
        write(`  ${b.assetKey}: last materialized ${b.lagMinutes} min ago, allowed ${b.maxLagMinutes} min`);
    }
    return 0;
  },
};
