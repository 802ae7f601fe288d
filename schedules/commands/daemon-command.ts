import {
  type CommandContext,
  type CommandDefinition,
  loadAssetStatus,
  PrometheusMetrics,
  ShopflowError,
  type ShopflowRuntime,
  serveMetrics,
} from '../../framework/index.js';
import type { AlertSink } from '../alert-sink.js';
import { ShopflowDaemon } from '../daemon.js';
import type { CrashPoint } from '../tick-launcher.js';
import { daemonEventLine } from './daemon-event-line.js';
import { onInterrupt } from './interrupt-signals.js';
import { positiveNumberOption } from './positive-number-option.js';

/** Something that runs beside the daemon's ticks until stopped. */
export interface BackgroundService {
  name: string;
  run(): Promise<void>;
  /** Asks `run` to finish. */
  stop(): void;
}

/** How a code location customizes `shopflow daemon`. */
export interface DaemonCommandOptions {
  /** The alert sink (e.g. the notifier resource wrapped as an `AlertSink`); default log + EMF lines. */
  alerts?: (context: CommandContext) => Promise<AlertSink> | AlertSink;
  /**
   * Whether the daemon alerts on failed runs and failed blocking checks (default true). Turn it off
   * when an event hook already notifies them in the process that runs them; runs whose process
   * died are then not notified.
   */
  alertOnRunFailures?: boolean;
  /**
   * Long-running work the daemon also runs while it holds the lease (e.g. a stream consumer):
   * started after the lease is taken, stopped with the daemon.
   */
  services?: (context: CommandContext) => Promise<BackgroundService[]> | BackgroundService[];
  /** Test hook: die at this point (`onCrash`, default `process.exit(137)`). */
  crashAt?: CrashPoint;
  onCrash?: (point: CrashPoint) => void;
}

/**
 * Builds `shopflow daemon`: evaluates the definitions' schedules and sensors, records every tick,
 * launches runs (at most `--max-concurrent-runs` at once), marks dead runs failed and retries them
 * where allowed, and sends alerts. One daemon per instance: a second one exits naming the holder
 * of the lease, or waits with `--wait`. SIGINT/SIGTERM stop it after the runs in flight (a second
 * signal exits at once). `--once` evaluates once, waits for its runs and exits.
 *
 * @example
 * defineDefinitions({ assets, schedules, commands: [createDaemonCommand({ alerts: notifierSink })] });
 */
export function createDaemonCommand(options: DaemonCommandOptions = {}): CommandDefinition {
  return {
    name: 'daemon',
    description: 'evaluate schedules and sensors, launch and watch their runs, send alerts',
    options: [
      { flags: '--max-concurrent-runs <n>', description: 'runs executing at once', defaultValue: '2' },
      { flags: '--interval <seconds>', description: 'seconds between ticks', defaultValue: '10' },
      {
        flags: '--lease-seconds <seconds>',
        description:
          'lease lifetime without renewal (at least 3 × --interval: a lease renewed every tick must outlive a late tick)',
        defaultValue: '60',
      },
      { flags: '--once', description: 'tick once, wait for the runs it launched, exit' },
      { flags: '--wait', description: 'wait for a running daemon to stop instead of exiting' },
      {
        flags: '--metrics-port <port>',
        description: 'serve Prometheus metrics on GET /metrics at this port (0: any free port)',
      },
      {
        flags: '--metrics-host <host>',
        description: 'address of the metrics endpoint; other than loopback it needs SHOPFLOW_UI_TOKEN',
        defaultValue: '127.0.0.1',
      },
    ],
    async run(context, _args, flags) {
      const maxConcurrentRuns = positiveNumberOption('--max-concurrent-runs', flags.maxConcurrentRuns);
      const intervalSeconds = positiveNumberOption('--interval', flags.interval, { fraction: true })!;
      const leaseSeconds = positiveNumberOption('--lease-seconds', flags.leaseSeconds, { fraction: true })!;
      const metricsPort = portOption('--metrics-port', flags.metricsPort);
      const runtime = await context.runtime();
      const machine = context.json || context.stdout.isTTY !== true;
      const daemon = new ShopflowDaemon({
        runtime,
        maxConcurrentRuns,
        leaseSeconds: Math.max(leaseSeconds, intervalSeconds * 3),
        alerts: options.alerts ? await options.alerts(context) : undefined,
        alertOnRunFailures: options.alertOnRunFailures,
        crashAt: options.crashAt,
        onCrash: options.onCrash ?? (() => process.exit(137)),
        onEvent(event) {
          const line = daemonEventLine(event);
          context.stdout.write(
            machine
              ? `${JSON.stringify({ ...line.json, at: new Date().toISOString() })}\n`
              : `${new Date().toISOString().slice(11, 19)} ${line.text}\n`,
          );
        },
      });
      const services = options.services && flags.once !== true ? await options.services(context) : [];
      const dispose = onInterrupt(() => {
        daemon.stop();
        for (const service of services) service.stop();
      });
      const running: Array<Promise<void>> = [];
      let metrics: Awaited<ReturnType<typeof serveDaemonMetrics>> | undefined;
      try {
        await daemon.start({ wait: flags.wait === true });
        if (metricsPort !== undefined) {
          metrics = await serveDaemonMetrics(runtime, String(flags.metricsHost ?? '127.0.0.1'), metricsPort);
          context.log.info({ url: metrics.url }, 'metrics endpoint listening');
        }
        for (const service of services) {
          running.push(
            service
              .run()
              .catch((error) =>
                context.log.error({ err: error, service: service.name }, `${service.name} stopped`),
              ),
          );
        }
        if (flags.once === true) {
          const reports = await daemon.runOnce();
          await daemon.close();
          const failed = reports.some(
            (r) =>
              r.settled.some((t) => t.runStatus === 'failed') || r.ticks.some((t) => t.status === 'failed'),
          );
          return failed ? 1 : 0;
        }
        await daemon.run({ intervalSeconds });
        return 0;
      } finally {
        for (const service of services) service.stop();
        await Promise.all(running);
        await metrics?.close();
        dispose();
      }
    },
  };
}

/** A TCP port option (0 to 65535), or undefined when not given. */
function portOption(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ShopflowError(
      'SF_BAD_USAGE',
      `${flag} must be a port number from 0 to 65535, got \`${String(value)}\``,
      {
        hint: `e.g. ${flag} 9464`,
      },
    );
  }
  return port;
}

/**
 * Prometheus metrics of the runs this daemon executes and every asset's freshness lag, on
 * `GET /metrics`.
 */
async function serveDaemonMetrics(runtime: ShopflowRuntime, host: string, port: number) {
  const prometheus = new PrometheusMetrics({
    freshness: async () => {
      const now = runtime.services.now();
      const { statuses } = await loadAssetStatus(runtime.store, runtime.graph, now);
      return [...statuses]
        .filter(([, s]) => s.lastMaterializedAt)
        .map(([assetKey, s]) => ({
          assetKey,
          ageSeconds: Math.max(0, (now.getTime() - Date.parse(s.lastMaterializedAt!)) / 1000),
        }));
    },
  });
  const remove = runtime.metrics.addSink(prometheus);
  const endpoint = await serveMetrics({
    metrics: prometheus,
    host,
    port,
    token: process.env.SHOPFLOW_UI_TOKEN,
  }).catch((error: unknown) => {
    remove();
    throw error;
  });
  return {
    url: endpoint.url,
    close: async () => {
      remove();
      await endpoint.close();
    },
  };
}

/** `shopflow daemon` with the default alert sink (log line + CloudWatch EMF metric line). */
export const daemonCommand: CommandDefinition = createDaemonCommand();
