// The public entry of ShopFlow's schedules: cron schedules, sensors, the daemon, freshness
// monitoring, alerts and backfills. Code locations import from here; the rest is internal.

export { ALERT_METRIC_NAMES, ALERT_METRIC_NAMESPACE, alertMetricLine } from './alert-metric-line.js';
export type { AlertSink } from './alert-sink.js';
export { logAlertSink } from './alert-sink.js';
export type { BackfillEvent, BackfillOptions, BackfillResult } from './backfill.js';
export { findBackfill, runBackfill } from './backfill.js';
export { cancelBackfill } from './backfill-cancel.js';
export { BackfillProgress } from './backfill-progress.js';
export { backfillCommand } from './commands/backfill-command.js';
export type { DaemonCommandOptions } from './commands/daemon-command.js';
export { type BackgroundService, createDaemonCommand, daemonCommand } from './commands/daemon-command.js';
export { pauseCommands } from './commands/pause-commands.js';
export { schedulesCommand } from './commands/schedules-command.js';
export { CronTicks } from './cron-ticks.js';
export type { DaemonEvent, DaemonOptions, DaemonTickReport } from './daemon.js';
export { DaemonCrash, ShopflowDaemon } from './daemon.js';
export { DAEMON_LEASE, DaemonLease, describeLeaseHolder } from './daemon-lease.js';
export type { ScheduleSpec } from './define-schedule.js';
export {
  closedWindowsPartition,
  defineSchedule,
  previousDayPartition,
  throughPreviousDay,
} from './define-schedule.js';
export type { SensorSpec } from './define-sensor.js';
export { defineSensor } from './define-sensor.js';
export type { FreshnessBreach } from './freshness-monitor.js';
export { FreshnessMonitor, findFreshnessBreaches, freshnessAlert } from './freshness-monitor.js';
export type { LandingObject, LandingSensorOptions, ObjectLister } from './landing-sensor.js';
export { landingPartitionOf, landingSensor } from './landing-sensor.js';
export { localFolderLister } from './local-folder-lister.js';
export { RUN_FAILURE_SENSOR, runFailureSensor } from './run-failure-sensor.js';
export { RunQueue } from './run-queue.js';
export { scheduleSinceCheckpoint } from './schedule-ticker.js';
export { serverAutomation } from './server-automation.js';
export type { DueTick } from './tick-evaluator.js';
export { dueTicks, MAX_RECORDED_SKIPS, MAX_TICKS_PER_EVALUATION } from './tick-evaluator.js';
export type { CrashPoint, TickRequest } from './tick-launcher.js';
