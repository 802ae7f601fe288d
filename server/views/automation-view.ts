import {
  type InstanceStore,
  type LeaseRecord,
  type PauseState,
  type RunStatus,
  readPauseState,
  type ShopflowRuntime,
  type TickRecord,
} from '../../framework/index.js';
import type { ServerAutomation } from '../server-automation.js';
import { type StreamConsumerHealth, streamConsumerHealth } from './stream-health.js';

/** One tick as the Automation page shows it: its run (with the run's current status) or why none. */
export interface TickView {
  tickKey: string;
  kind: TickRecord['kind'];
  scheduledTime: string;
  status: TickRecord['status'];
  runId: string | null;
  /** The run's status now (the tick records it only once the daemon saw the run end). */
  runStatus: RunStatus | null;
  attempt: number;
  /** Why it was skipped or failed, or the sensor's note. */
  message: string | null;
}

export interface DaemonHealth {
  /**
   * `running`: a daemon holds an unexpired lease; `stopped`: its lease expired, or it was released
   * by a daemon that stopped cleanly (its ticks are recorded); `never`: no daemon ever ticked.
   */
  state: 'running' | 'stopped' | 'never' | 'unknown';
  holder: Pick<LeaseRecord, 'pid' | 'hostname' | 'acquiredAt' | 'heartbeatAt' | 'expiresAt'> | null;
  /** The newest tick or sensor evaluation of any schedule or sensor. */
  lastEvaluationAt: string | null;
}

export interface AutomationView {
  now: string;
  /** Whether next ticks and backfill actions are available (the schedules package was given). */
  available: boolean;
  daemon: DaemonHealth;
  /** The clickstream consumer's health (`state: 'never'` when no consumer ever ran). */
  stream: StreamConsumerHealth;
  schedules: Array<{
    name: string;
    description: string;
    cron: string;
    timezone: string;
    selection: string;
    catchUp: string;
    enabled: boolean;
    pause: PauseState | null;
    maxRetries: number;
    nextTicks: string[];
    recentTicks: TickView[];
  }>;
  sensors: Array<{
    name: string;
    description: string;
    intervalSeconds: number;
    enabled: boolean;
    pause: PauseState | null;
    maxRetries: number;
    cursor: string | null;
    recentEvaluations: TickView[];
    recentRequests: TickView[];
  }>;
}

async function tickViews(store: InstanceStore, ticks: TickRecord[]): Promise<TickView[]> {
  return await Promise.all(
    ticks.map(async (tick) => {
      const run = tick.runId && tick.runStatus === null ? await store.getRun(tick.runId) : undefined;
      return {
        tickKey: tick.tickKey,
        kind: tick.kind,
        scheduledTime: tick.scheduledTime,
        status: tick.status,
        runId: tick.runId,
        runStatus: tick.runStatus ?? run?.status ?? null,
        attempt: tick.attempt,
        message: tick.message,
      };
    }),
  );
}

/**
 * Schedules (next ticks, pause state, recent ticks with their runs or skip reasons), sensors
 * (recent evaluations and run requests) and the daemon's health, from the instance store — the
 * same facts as `shopflow schedules`.
 *
 * @example
 * const view = await buildAutomationView(runtime, serverAutomation, { ticks: 10 });
 */
export async function buildAutomationView(
  runtime: ShopflowRuntime,
  automation: ServerAutomation | null,
  options: { ticks: number },
): Promise<AutomationView> {
  const { store, definitions } = runtime;
  const now = runtime.services.now();
  let newest: string | null = null;
  const note = (ticks: TickRecord[]) => {
    for (const t of ticks) if (newest === null || t.scheduledTime > newest) newest = t.scheduledTime;
  };
  const schedules = await Promise.all(
    definitions.schedules.map(async (schedule) => {
      const recent = await store.listTicks({
        name: schedule.name,
        kinds: ['schedule'],
        limit: options.ticks,
      });
      note(recent);
      const pause = await readPauseState(store, schedule.name);
      const runs = schedule.enabled && pause?.paused !== true;
      return {
        name: schedule.name,
        description: schedule.description,
        cron: schedule.cron,
        timezone: schedule.timezone,
        selection: schedule.selection,
        catchUp: schedule.catchUp,
        enabled: schedule.enabled,
        pause,
        maxRetries: schedule.retry.maxRetries,
        nextTicks:
          runs && automation ? automation.nextTicks(schedule, now, 3).map((d) => d.toISOString()) : [],
        recentTicks: await tickViews(store, recent),
      };
    }),
  );
  const sensors = await Promise.all(
    definitions.sensors.map(async (sensor) => {
      const evaluations = await store.listTicks({
        name: sensor.name,
        kinds: ['sensor'],
        limit: options.ticks,
      });
      const requests = await store.listTicks({ name: sensor.name, kinds: ['request'], limit: options.ticks });
      note(evaluations);
      return {
        name: sensor.name,
        description: sensor.description,
        intervalSeconds: sensor.intervalSeconds,
        enabled: sensor.enabled,
        pause: await readPauseState(store, sensor.name),
        maxRetries: sensor.retry.maxRetries,
        cursor: evaluations[0]?.cursor ?? null,
        recentEvaluations: await tickViews(store, evaluations),
        recentRequests: await tickViews(store, requests),
      };
    }),
  );
  const lease = automation ? await store.getLease(automation.daemonLease) : undefined;
  const daemon: DaemonHealth = {
    state: !automation
      ? 'unknown'
      : !lease
        ? newest === null
          ? 'never'
          : 'stopped'
        : Date.parse(lease.expiresAt) > now.getTime()
          ? 'running'
          : 'stopped',
    holder: lease
      ? {
          pid: lease.pid,
          hostname: lease.hostname,
          acquiredAt: lease.acquiredAt,
          heartbeatAt: lease.heartbeatAt,
          expiresAt: lease.expiresAt,
        }
      : null,
    lastEvaluationAt: newest,
  };
  const stream = await streamConsumerHealth(store, now);
  return { now: now.toISOString(), available: automation !== null, daemon, stream, schedules, sensors };
}
