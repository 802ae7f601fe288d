import { randomUUID } from 'node:crypto';
import type {
  InstanceStore,
  PartitionsDefinition,
  ScheduleDefinition,
  TickRecord,
} from '../framework/index.js';
import { CronTicks } from './cron-ticks.js';
import { dueTicks } from './tick-evaluator.js';
import type { TickRequest } from './tick-launcher.js';

/** The checkpoint holding when a schedule was first seen (or last seen disabled) by a daemon. */
export function scheduleSinceCheckpoint(name: string): string {
  return `schedules.${name}.since`;
}

// NOTE: how often a disabled schedule records that it is still disabled (so enabling it later
// starts from then, not from before it was disabled).
const DISABLED_MARK_MS = 60_000;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Claims the due ticks of one schedule. The cursor is the newest tick already claimed (in the
 * store), or the moment a daemon first saw the schedule: a new schedule does not run its past. Every
 * due tick is inserted (unique per schedule and scheduled time) before its run exists; a tick
 * another daemon or an earlier life of this one already claimed is left alone.
 *
 * @example
 * const ticker = new ScheduleTicker(schedule, store);
 * const { claimed } = await ticker.evaluate(new Date(), (tick) => queue.enqueue(tick));
 */
export class ScheduleTicker {
  readonly cron: CronTicks;
  /** When the next evaluation can find a due tick; null until the cursor is known. */
  private nextDueMs: number | null = null;
  private lastDisabledMark = Number.NEGATIVE_INFINITY;

  constructor(
    readonly schedule: ScheduleDefinition,
    private readonly store: InstanceStore,
    /** The running instance's partitions for those the schedule was declared with (`Definitions.resolvePartitions`). */
    private readonly resolvePartitions?: <T extends PartitionsDefinition>(definition: T) => T,
  ) {
    this.cron = new CronTicks(schedule.cron, schedule.timezone, `schedule \`${schedule.name}\``);
  }

  /** Forgets what is cached (after the lease was lost, another daemon may have claimed ticks). */
  reset(): void {
    this.nextDueMs = null;
  }

  /** The newest tick claimed or the moment the schedule was first seen; null when never seen. */
  async cursor(): Promise<Date | null> {
    const [last] = await this.store.listTicks({ name: this.schedule.name, kinds: ['schedule'], limit: 1 });
    const since = await this.store.getCheckpoint<string>(scheduleSinceCheckpoint(this.schedule.name));
    const times = [last?.scheduledTime, since].filter((t): t is string => typeof t === 'string');
    if (times.length === 0) return null;
    return new Date(times.sort()[times.length - 1]);
  }

  /** Claims every tick due at `now`; returns the ticks recorded, claimed ones ready to launch. */
  async evaluate(now: Date): Promise<TickRecord[]> {
    const { schedule } = this;
    if (!schedule.enabled) {
      if (now.getTime() - this.lastDisabledMark >= DISABLED_MARK_MS) {
        this.lastDisabledMark = now.getTime();
        await this.store.setCheckpoint(scheduleSinceCheckpoint(schedule.name), now.toISOString());
      }
      return [];
    }
    if (this.nextDueMs !== null && now.getTime() < this.nextDueMs) return [];
    const cursor = await this.cursor();
    if (cursor === null) {
      await this.store.setCheckpoint(scheduleSinceCheckpoint(schedule.name), now.toISOString());
      this.nextDueMs = this.cron.next(now).getTime();
      return [];
    }
    const { ticks, more } = dueTicks(this.cron, schedule.catchUp, cursor, now);
    const recorded: TickRecord[] = [];
    for (const due of ticks) {
      const iso = due.scheduledTime.toISOString();
      const base = { name: schedule.name, kind: 'schedule' as const, tickKey: iso, scheduledTime: iso };
      let claim: { claimed: boolean; tick: TickRecord };
      if (due.action === 'skip') {
        claim = await this.store.claimTick({ ...base, status: 'skipped', message: due.message });
      } else {
        let partitions: TickRequest['partitions'] = null;
        let failure: string | null = null;
        let noPartition = false;
        try {
          if (schedule.partitions) {
            partitions = schedule.partitions(due.scheduledTime, {
              get previousTickTime() {
                return due.previousTickTime;
              },
              resolvePartitions: this.resolvePartitions,
            });
            noPartition = partitions === null;
          }
        } catch (error) {
          failure = `its partition rule failed: ${describe(error)}`;
        }
        const request: TickRequest = {
          selection: schedule.selection,
          partitions,
          tags: { ...schedule.tags, schedule: schedule.name, tick: iso },
        };
        claim = await this.store.claimTick(
          failure
            ? { ...base, status: 'failed', message: failure, request }
            : noPartition
              ? { ...base, status: 'skipped', message: 'no partition to materialize for this tick', request }
              : { ...base, status: 'claimed', runId: randomUUID(), request, message: due.message },
        );
      }
      if (claim.claimed) recorded.push(claim.tick);
    }
    this.nextDueMs = more ? now.getTime() : this.cron.next(now).getTime();
    return recorded;
  }
}
