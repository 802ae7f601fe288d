import type { Logger } from 'pino';
import type { InstanceStore } from '../instance/instance-store.js';
import type { PartitionsDefinition } from '../partitions/partitions-definition.js';
import type { PartitionFilter } from '../planner/plan-materialization.js';
import type { ResourceDefinition } from './define-resource.js';

// NOTE: only the shapes live in the framework, so `Definitions` can carry schedules and sensors;
// building, evaluating and running them is `schedules/` (defineSchedule, defineSensor, the daemon).

/** Which missed ticks a schedule runs after the daemon was down: only the newest, or every one. */
export type CatchUpPolicy = 'latest' | 'all';

/** What a schedule's partition rule receives besides the tick time. */
export interface ScheduleTickContext {
  /** The tick before this one in the cron sequence (whether it ran or not), or null for the first. */
  previousTickTime: Date | null;
  /**
   * The partitions definition the running instance uses for one the rule was declared with (its
   * twin bound to the configuration, see `Definitions.resolvePartitions`); absent: use it as is.
   */
  resolvePartitions?<T extends PartitionsDefinition>(definition: T): T;
}

/**
 * A cron schedule: at every tick, materialize `selection` for the partitions its rule picks.
 * Build one with `defineSchedule` from `schedules/`.
 *
 * @example
 * const nightly: ScheduleDefinition = defineSchedule({
 *   name: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Berlin', selection: 'group:daily+',
 *   partitions: previousDayPartition(days), catchUp: 'all',
 * });
 */
export interface ScheduleDefinition {
  readonly kind: 'schedule';
  /** snake_case, unique among schedules and sensors. */
  readonly name: string;
  readonly description: string;
  /** Five fields (minute precision) or six (with seconds), in `timezone`. */
  readonly cron: string;
  /** IANA time zone the cron expression is read in. */
  readonly timezone: string;
  readonly selection: string;
  /**
   * The partitions a tick materializes; null skips the tick (e.g. no window closed). Absent: the
   * selection is planned without a partition filter.
   */
  readonly partitions?: (tickTime: Date, context: ScheduleTickContext) => PartitionFilter | null;
  readonly catchUp: CatchUpPolicy;
  readonly enabled: boolean;
  /** How often a failed run of a tick is retried (a new run of the stale steps). */
  readonly retry: { readonly maxRetries: number };
  /** Added to the tags of every run the schedule launches. */
  readonly tags: Readonly<Record<string, string>>;
}

/** One run a sensor asks for. `key` makes it once-only: a key already requested is ignored. */
export interface RunRequest {
  key: string;
  selection: string;
  partitions?: PartitionFilter | null;
  /** `asset[partition]` steps to run even when up to date (e.g. re-reading a re-delivered file). */
  force?: string[];
  tags?: Record<string, string>;
}

/** What a sensor evaluation returns. */
export interface SensorResult {
  runRequests?: RunRequest[];
  /** Stored with the evaluation and handed to the next one. */
  cursor?: string | null;
  /** Why nothing was requested, for `shopflow schedules`. */
  message?: string;
}

export type AlertKind = 'run_failure' | 'check_failure' | 'freshness_breach' | 'tick_failure';

/**
 * A notification: a failed run, a failed blocking check, an overdue asset, a tick that could not
 * be evaluated. `dedupeKey` makes it once-only across daemon restarts.
 */
export interface Alert {
  kind: AlertKind;
  severity: 'error' | 'warning';
  dedupeKey: string;
  /** One line, e.g. `Run 1a2b3c4d failed`. */
  title: string;
  message: string;
  /** ISO time the problem was detected. */
  at: string;
  runId?: string | null;
  assetKey?: string | null;
  partitionKey?: string | null;
  /** The schedule or sensor involved. */
  source?: string | null;
  details?: Record<string, unknown>;
}

/** What a sensor's `evaluate` receives. */
export interface SensorContext {
  name: string;
  now: Date;
  /** The cursor the previous evaluation returned, or null. */
  cursor: string | null;
  lastEvaluatedAt: Date | null;
  store: InstanceStore;
  log: Logger;
  resource<T>(definition: ResourceDefinition<T>): Promise<T>;
  /** Sends an alert unless one with its dedupe key was sent before; returns whether it was sent. */
  alert(alert: Alert): Promise<boolean>;
}

/**
 * A sensor: evaluated every `intervalSeconds` by the daemon; it may request runs and send alerts.
 * Build one with `defineSensor` from `schedules/`.
 */
export interface SensorDefinition {
  readonly kind: 'sensor';
  readonly name: string;
  readonly description: string;
  readonly intervalSeconds: number;
  readonly enabled: boolean;
  readonly retry: { readonly maxRetries: number };
  evaluate(context: SensorContext): Promise<SensorResult> | SensorResult;
}
