import {
  type Alert,
  type LeaseRecord,
  type ScheduleDefinition,
  type SensorDefinition,
  ShopflowError,
  type ShopflowRuntime,
  selectAssets,
  type TickRecord,
  WakeableSleep,
} from '../framework/index.js';
import { type AlertSink, logAlertSink } from './alert-sink.js';
import { DaemonLease, leaseHeldError } from './daemon-lease.js';
import { type FreshnessBreach, FreshnessMonitor } from './freshness-monitor.js';
import { RUN_FAILURE_SENSOR, runFailureSensor } from './run-failure-sensor.js';
import { RunMonitor } from './run-monitor.js';
import { RunQueue } from './run-queue.js';
import { ScheduleTicker } from './schedule-ticker.js';
import { SensorTicker } from './sensor-ticker.js';
import { type CrashPoint, type LaunchOutcome, TickLauncher } from './tick-launcher.js';

/** Something the daemon did, for the CLI to print. */
export type DaemonEvent =
  | { type: 'lease'; state: 'acquired' | 'lost' | 'waiting'; holder: LeaseRecord | null }
  | { type: 'tick'; tick: TickRecord }
  | { type: 'recovered'; tick: TickRecord }
  | { type: 'launched'; tick: TickRecord; runId: string }
  | { type: 'finished'; tick: TickRecord; outcome: LaunchOutcome }
  | { type: 'settled'; tick: TickRecord }
  | { type: 'retry'; tick: TickRecord }
  | { type: 'reaped'; runId: string }
  | { type: 'alert'; alert: Alert }
  | { type: 'error'; message: string };

/** What one {@link ShopflowDaemon.tick} did. */
export interface DaemonTickReport {
  /** Whether this daemon holds the lease; when not, it did nothing else. */
  leader: boolean;
  /** The lease holder when this daemon is not the leader. */
  holder: LeaseRecord | null;
  /** Ticks, sensor evaluations and run requests recorded by this tick. */
  ticks: TickRecord[];
  /** Claimed ticks left by an earlier daemon, launched (or marked launched) now. */
  recovered: TickRecord[];
  retries: TickRecord[];
  settled: TickRecord[];
  /** Runs found dead (process gone or heartbeat stale) and marked failed. */
  reaped: string[];
  /** Freshness breaches found, or null when not checked on this tick. */
  breaches: FreshnessBreach[] | null;
}

export interface DaemonOptions {
  runtime: ShopflowRuntime;
  /** Default: the runtime's definitions. */
  schedules?: readonly ScheduleDefinition[];
  sensors?: readonly SensorDefinition[];
  /** Where alerts go; default a log line and a CloudWatch EMF metric line on stdout. */
  alerts?: AlertSink;
  /** Runs executing at once; further claimed ticks wait in the queue (default 2). */
  maxConcurrentRuns?: number;
  /** How long the lease lasts without renewal (default 60 s); renewed on every tick. */
  leaseSeconds?: number;
  /** How often freshness policies are checked (default 60 s). */
  freshnessIntervalSeconds?: number;
  /** Adds the run-failure sensor unless the sensors have one named `run_failure_alerts` (default true). */
  alertOnRunFailures?: boolean;
  /** The daemon's clock (default the runtime's). Tests inject one and call {@link ShopflowDaemon.tick}. */
  now?: () => Date;
  /** Test hook: where to die; `onCrash` does the dying (default: throw). */
  crashAt?: CrashPoint;
  onCrash?: (point: CrashPoint) => void;
  onEvent?: (event: DaemonEvent) => void;
}

/** The error the default crash hook throws. */
export class DaemonCrash extends Error {
  constructor(readonly point: CrashPoint) {
    super(`simulated daemon crash at ${point}`);
    this.name = 'DaemonCrash';
  }
}

function validate(
  runtime: ShopflowRuntime,
  schedules: readonly ScheduleDefinition[],
  sensors: readonly SensorDefinition[],
) {
  const seen = new Set<string>();
  for (const item of [...schedules, ...sensors]) {
    if (seen.has(item.name)) {
      throw new ShopflowError('SF_INVALID_SCHEDULE', `two schedules or sensors are named \`${item.name}\``, {
        hint: 'give every schedule and sensor its own name: their ticks are kept by name',
      });
    }
    seen.add(item.name);
  }
  for (const schedule of schedules) {
    try {
      selectAssets(runtime.graph, schedule.selection);
    } catch (error) {
      throw new ShopflowError(
        'SF_INVALID_SCHEDULE',
        `schedule \`${schedule.name}\` selects \`${schedule.selection}\`: ${(error as Error).message}`,
        { hint: 'fix the selection of the schedule', cause: error },
      );
    }
  }
}

function queueKey(tick: TickRecord): string {
  return `${tick.name}\u0000${tick.tickKey}`;
}

/**
 * The daemon: evaluates schedules and sensors, records every tick in the instance store, launches
 * runs in this process through a queue (at most `maxConcurrentRuns` at once), watches runs (dead
 * workers are marked failed and retried where the policy allows) and sends alerts (failed runs,
 * failed blocking checks, freshness breaches). One daemon per instance leads, through a lease.
 *
 * `tick(now)` is one unit of work, so tests drive it with an injected clock; `run()` loops on real
 * time. Exactly once: a tick row is claimed (unique per schedule and scheduled time) with a new run
 * id before the run exists; a restarted daemon launches a claimed tick's run under that same id only
 * if no run has it yet, and marks the tick launched otherwise.
 *
 * @example
 * const daemon = new ShopflowDaemon({ runtime, maxConcurrentRuns: 2 });
 * await daemon.start();
 * await daemon.run({ intervalSeconds: 10 });
 */
export class ShopflowDaemon {
  readonly lease: DaemonLease;
  readonly schedules: readonly ScheduleDefinition[];
  readonly sensors: readonly SensorDefinition[];
  private readonly runtime: ShopflowRuntime;
  private readonly queue: RunQueue;
  private readonly launcher: TickLauncher;
  private readonly monitor: RunMonitor;
  private readonly scheduleTickers: ScheduleTicker[];
  private readonly sensorTickers: SensorTicker[];
  private readonly freshness: FreshnessMonitor;
  private readonly sink: AlertSink;
  private readonly now: () => Date;
  private leader = false;
  private stopping = false;
  private readonly pause = new WakeableSleep();

  constructor(private readonly options: DaemonOptions) {
    const { runtime } = options;
    this.runtime = runtime;
    this.now = options.now ?? (() => runtime.services.now());
    this.schedules = options.schedules ?? runtime.definitions.schedules ?? [];
    const sensors = [...(options.sensors ?? runtime.definitions.sensors ?? [])];
    if (options.alertOnRunFailures !== false && !sensors.some((s) => s.name === RUN_FAILURE_SENSOR)) {
      sensors.push(runFailureSensor());
    }
    this.sensors = sensors;
    validate(runtime, this.schedules, this.sensors);
    this.lease = new DaemonLease({ store: runtime.store, ttlMs: (options.leaseSeconds ?? 60) * 1000 });
    this.queue = new RunQueue(options.maxConcurrentRuns ?? 2);
    this.sink = options.alerts ?? logAlertSink({ log: runtime.log });
    this.launcher = new TickLauncher({
      runtime,
      crashPoint: (point) => this.crash(point),
      onLaunched: (tick, runId) => this.emit({ type: 'launched', tick, runId }),
    });
    const retries = new Map([...this.schedules, ...this.sensors].map((d) => [d.name, d.retry.maxRetries]));
    this.monitor = new RunMonitor({ runtime, maxRetriesOf: (name) => retries.get(name) ?? 0 });
    this.scheduleTickers = this.schedules.map(
      (s) =>
        new ScheduleTicker(s, runtime.store, (definition) =>
          runtime.definitions.resolvePartitions(definition),
        ),
    );
    const alert = (a: Alert) => this.alert(a);
    this.sensorTickers = this.sensors.map((s) => new SensorTicker(s, runtime, alert));
    this.freshness = new FreshnessMonitor({
      store: runtime.store,
      graph: runtime.graph,
      alert,
      intervalSeconds: options.freshnessIntervalSeconds ?? 60,
    });
  }

  private emit(event: DaemonEvent): void {
    this.options.onEvent?.(event);
  }

  private crash(point: CrashPoint): void {
    if (this.options.crashAt !== point) return;
    if (this.options.onCrash) this.options.onCrash(point);
    else throw new DaemonCrash(point);
  }

  /** Sends an alert once per dedupe key; a sink failure forgets the key so a later tick retries. */
  async alert(alert: Alert): Promise<boolean> {
    const { store } = this.runtime;
    const fresh = await store.recordAlertSent({
      dedupeKey: alert.dedupeKey,
      kind: alert.kind,
      sentAt: this.now().toISOString(),
      alert: alert as unknown as Record<string, unknown>,
    });
    if (!fresh) return false;
    try {
      await this.sink.send(alert);
    } catch (error) {
      await store.forgetAlertSent(alert.dedupeKey);
      throw error;
    }
    this.emit({ type: 'alert', alert });
    return true;
  }

  /**
   * Takes the lease, or throws `SF_DAEMON_LEASE_HELD` naming the holder; with `wait`, polls until
   * the holder stops (or its lease expires).
   */
  async start(options: { wait?: boolean; pollMs?: number; sleep?: (ms: number) => Promise<void> } = {}) {
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    let waitingFor: string | undefined;
    for (;;) {
      const result = await this.lease.acquire(this.now());
      if (result.acquired) {
        this.leader = true;
        this.emit({ type: 'lease', state: 'acquired', holder: null });
        return;
      }
      if (!options.wait || this.stopping) throw leaseHeldError(result.holder);
      // NOTE: said once per holder, as soon as this daemon starts waiting.
      if (waitingFor !== result.holder.holder) {
        waitingFor = result.holder.holder;
        this.emit({ type: 'lease', state: 'waiting', holder: result.holder });
      }
      await sleep(options.pollMs ?? 2_000);
    }
  }

  /** One unit of the daemon's work at `now` (see the class description). */
  async tick(now: Date = this.now()): Promise<DaemonTickReport> {
    return await this.pass(now, true);
  }

  private async pass(now: Date, evaluate: boolean): Promise<DaemonTickReport> {
    const report: DaemonTickReport = {
      leader: false,
      holder: null,
      ticks: [],
      recovered: [],
      retries: [],
      settled: [],
      reaped: [],
      breaches: null,
    };
    const lease = await this.lease.acquire(now);
    if (!lease.acquired) {
      if (this.leader) this.emit({ type: 'lease', state: 'lost', holder: lease.holder });
      this.leader = false;
      report.holder = lease.holder;
      return report;
    }
    if (!this.leader) {
      // NOTE: another daemon may have claimed ticks while this one was not leading.
      for (const ticker of this.scheduleTickers) ticker.reset();
      for (const ticker of this.sensorTickers) ticker.reset();
      this.emit({ type: 'lease', state: 'acquired', holder: null });
    }
    this.leader = true;
    report.leader = true;

    const monitored = await this.monitor.check(now, (runId) => this.launcher.isLaunching(runId));
    report.reaped = monitored.reaped;
    report.settled = monitored.settled;
    report.retries = monitored.retries;
    for (const runId of monitored.reaped) this.emit({ type: 'reaped', runId });
    for (const tick of monitored.settled) this.emit({ type: 'settled', tick });
    for (const tick of monitored.retries) {
      this.emit({ type: 'retry', tick });
      this.enqueue(tick);
    }
    report.recovered = await this.recoverClaimed();
    if (!evaluate) return report;

    const tickers = [...this.scheduleTickers, ...this.sensorTickers];
    for (const ticker of tickers) {
      let recorded: TickRecord[];
      try {
        recorded = await ticker.evaluate(now);
      } catch (error) {
        const message = `evaluating ${ticker instanceof ScheduleTicker ? 'schedule' : 'sensor'} failed: ${(error as Error).message}`;
        this.runtime.log.error({ err: error }, message);
        this.emit({ type: 'error', message });
        continue;
      }
      for (const tick of recorded) {
        report.ticks.push(tick);
        this.emit({ type: 'tick', tick });
        if (tick.status === 'claimed') {
          this.crash('claimed');
          this.enqueue(tick);
        } else if (tick.status === 'failed') {
          await this.alertTickFailure(tick);
        }
      }
    }
    try {
      report.breaches = await this.freshness.evaluate(now);
    } catch (error) {
      this.runtime.log.error({ err: error }, `checking freshness failed: ${(error as Error).message}`);
    }
    return report;
  }

  private async alertTickFailure(tick: TickRecord): Promise<void> {
    try {
      await this.alert({
        kind: 'tick_failure',
        severity: 'error',
        dedupeKey: `tick_failure:${tick.name}:${tick.tickKey}`,
        title: `${tick.kind === 'schedule' ? 'Schedule' : 'Sensor'} ${tick.name} failed at ${tick.scheduledTime}`,
        message: tick.message ?? 'the tick failed',
        at: this.now().toISOString(),
        source: tick.name,
      });
    } catch (error) {
      this.runtime.log.error({ err: error }, `sending an alert failed: ${(error as Error).message}`);
    }
  }

  /** Claimed ticks nobody is launching: launched if their run exists, else launched now under their run id. */
  private async recoverClaimed(): Promise<TickRecord[]> {
    const { store } = this.runtime;
    const recovered: TickRecord[] = [];
    for (const tick of await store.listTicks({ status: ['claimed'] })) {
      if (this.queue.has(queueKey(tick))) continue;
      const expect = { status: ['claimed' as const], runId: tick.runId };
      if (!tick.runId) {
        await store.updateTick(
          tick.name,
          tick.tickKey,
          { status: 'failed', message: 'claimed without a run id' },
          expect,
        );
        continue;
      }
      if (await store.getRun(tick.runId)) {
        if (await store.updateTick(tick.name, tick.tickKey, { status: 'launched' }, expect)) {
          recovered.push({ ...tick, status: 'launched' });
        }
        continue;
      }
      recovered.push(tick);
      this.enqueue(tick);
    }
    for (const tick of recovered) this.emit({ type: 'recovered', tick });
    return recovered;
  }

  private enqueue(tick: TickRecord): void {
    this.queue.enqueue({
      key: queueKey(tick),
      start: async () => {
        const outcome = await this.launcher.launch(tick);
        this.emit({ type: 'finished', tick, outcome });
        if (outcome.status === 'failed') await this.alertTickFailure({ ...tick, message: outcome.message });
      },
    });
  }

  /** Resolves when no run is queued or running. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Runs waiting and running in this daemon. */
  get queued(): { waiting: number; running: number } {
    return this.queue.size;
  }

  /**
   * One tick, then waits for the runs it launched and settles them, retrying failures the policies
   * allow, until nothing is left to do (for cron-driven or one-shot use).
   */
  async runOnce(): Promise<DaemonTickReport[]> {
    const reports = [await this.tick(this.now())];
    for (;;) {
      await this.queue.idle();
      const report = await this.pass(this.now(), false);
      reports.push(report);
      if (!report.leader || (report.retries.length === 0 && report.recovered.length === 0)) break;
    }
    return reports;
  }

  /** Ticks every `intervalSeconds` of real time until {@link stop}; then waits for runs and releases the lease. */
  async run(options: { intervalSeconds: number }): Promise<void> {
    while (!this.stopping) {
      try {
        await this.tick(this.now());
      } catch (error) {
        if (error instanceof DaemonCrash) throw error;
        this.runtime.log.error({ err: error }, `daemon tick failed: ${(error as Error).message}`);
        this.emit({ type: 'error', message: (error as Error).message });
      }
      if (this.stopping) break;
      await this.pause.sleep(options.intervalSeconds * 1000);
    }
    await this.queue.idle();
    await this.close();
  }

  /** Stops the loop of {@link run} after the current tick. */
  stop(): void {
    this.stopping = true;
    this.pause.wake();
  }

  /** Releases the lease (if held) and stops listening to the runtime's events. */
  async close(): Promise<void> {
    this.launcher.close();
    if (this.lease.held) await this.lease.release();
    this.leader = false;
  }
}
