import { runBackfill } from './backfill.js';
import { cancelBackfill } from './backfill-cancel.js';
import { CronTicks } from './cron-ticks.js';
import { DAEMON_LEASE } from './daemon-lease.js';

/**
 * The schedules package as the web server's Automation and Backfills pages use it: next ticks,
 * the daemon's lease, resuming and canceling backfills. Hand it to `createServeCommand`.
 *
 * @example
 * defineDefinitions({ assets, schedules, commands: [createServeCommand({ automation: serverAutomation })] });
 */
export const serverAutomation = {
  nextTicks: (schedule: { name: string; cron: string; timezone: string }, after: Date, count: number) =>
    new CronTicks(schedule.cron, schedule.timezone, `schedule \`${schedule.name}\``).nextTicks(after, count),
  daemonLease: DAEMON_LEASE,
  resumeBackfill: (options: {
    runtime: Parameters<typeof runBackfill>[0]['runtime'];
    id: string;
    signal: AbortSignal;
    onStart: (backfill: Awaited<ReturnType<typeof runBackfill>>['backfill']) => void;
  }) =>
    runBackfill({
      runtime: options.runtime,
      resume: options.id,
      signal: options.signal,
      onEvent: (event) => {
        if (event.type === 'start') options.onStart(event.backfill);
      },
    }),
  cancelBackfill,
};
