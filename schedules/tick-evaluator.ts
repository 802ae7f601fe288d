import type { CatchUpPolicy } from '../framework/index.js';
import type { CronTicks } from './cron-ticks.js';

/** Ticks claimed per schedule per daemon tick under `catchUp: 'all'`; a backlog continues on the next. */
export const MAX_TICKS_PER_EVALUATION = 100;
/** Missed ticks recorded one by one as skipped under `catchUp: 'latest'`; older ones are counted. */
export const MAX_RECORDED_SKIPS = 100;

/** A tick that is due: to run, or to record as skipped (missed under `catchUp: 'latest'`). */
export interface DueTick {
  scheduledTime: Date;
  /** The tick before it in the cron sequence, for partition rules such as closed windows (computed on first use). */
  readonly previousTickTime: Date | null;
  action: 'run' | 'skip';
  message: string | null;
}

// NOTE: finding the tick before one walks the cron sequence; most partition rules never ask.
function lazyPrevious(
  cron: CronTicks,
  scheduledTime: Date,
  action: DueTick['action'],
  message: string | null,
): DueTick {
  let previous: Date | null | undefined;
  return {
    scheduledTime,
    action,
    message,
    get previousTickTime() {
      if (previous === undefined) previous = cron.previous(scheduledTime);
      return previous;
    },
  };
}

/**
 * Which ticks of a cron sequence are due at `now`, given the last instant already evaluated
 * (`cursor`: the newest tick claimed, or when the schedule was first seen): every tick in
 * `(cursor, now]`. Under `all`, each runs (oldest first, at most {@link MAX_TICKS_PER_EVALUATION},
 * `more` says a backlog remains); under `latest`, only the newest runs and the others are skipped.
 *
 * @example
 * const { ticks } = dueTicks(new CronTicks('0 2 * * *', 'UTC', 'nightly'), 'latest', lastTick, new Date());
 */
export function dueTicks(
  cron: CronTicks,
  catchUp: CatchUpPolicy,
  cursor: Date,
  now: Date,
): { ticks: DueTick[]; more: boolean } {
  if (catchUp === 'all') {
    const { ticks, more } = cron.between(cursor, now, MAX_TICKS_PER_EVALUATION);
    const due = ticks.map((scheduledTime, i) =>
      i === 0
        ? lazyPrevious(cron, scheduledTime, 'run', null)
        : { scheduledTime, previousTickTime: ticks[i - 1], action: 'run' as const, message: null },
    );
    return { ticks: due, more };
  }
  const latest = cron.latest(cursor, now);
  if (!latest) return { ticks: [], more: false };
  const missed = cron.between(cursor, new Date(latest.getTime() - 1), MAX_RECORDED_SKIPS);
  const why = `missed while no daemon was running; catch-up policy \`latest\` runs only the newest tick, ${latest.toISOString()}`;
  const due: DueTick[] = missed.ticks.map((scheduledTime) => ({
    scheduledTime,
    previousTickTime: null,
    action: 'skip',
    message: why,
  }));
  const skipped = missed.more ? `more than ${MAX_RECORDED_SKIPS}` : String(missed.ticks.length);
  due.push(
    lazyPrevious(
      cron,
      latest,
      'run',
      missed.ticks.length > 0 ? `caught up: ${skipped} earlier missed ticks skipped` : null,
    ),
  );
  return { ticks: due, more: false };
}
