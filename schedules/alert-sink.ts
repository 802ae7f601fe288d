import type { Logger } from 'pino';
import type { Alert } from '../framework/index.js';
import { alertMetricLine } from './alert-metric-line.js';

/**
 * Where the daemon sends alerts (run failures, failed blocking checks, freshness breaches, ticks
 * that could not be evaluated). The daemon dedupes before calling `send`; a `send` that throws is
 * retried on a later daemon tick.
 */
export interface AlertSink {
  send(alert: Alert): Promise<void>;
}

/**
 * An alert sink that writes a log line (error or warn) and a CloudWatch EMF metric line
 * ({@link alertMetricLine}) to `metrics` (stdout by default). The notifier resource (webhook) is
 * wired in by wrapping it in an `AlertSink` of its own.
 *
 * @example
 * const sink = logAlertSink({ log });
 * await sink.send({ kind: 'run_failure', severity: 'error', dedupeKey: 'run_failure:1a2b', title: 'Run 1a2b failed', message: '…', at: new Date().toISOString() });
 */
export function logAlertSink(options: {
  log: Logger;
  metrics?: { write(text: string): unknown };
}): AlertSink {
  const metrics = options.metrics ?? process.stdout;
  return {
    async send(alert) {
      const level = alert.severity === 'error' ? 'error' : 'warn';
      options.log[level](
        {
          alert: alert.kind,
          dedupeKey: alert.dedupeKey,
          runId: alert.runId ?? undefined,
          assetKey: alert.assetKey ?? undefined,
          partitionKey: alert.partitionKey ?? undefined,
          source: alert.source ?? undefined,
        },
        `${alert.title}: ${alert.message}`,
      );
      metrics.write(`${alertMetricLine(alert)}\n`);
    },
  };
}
