import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, test } from 'vitest';
import type { Alert } from '../../../framework/index.js';
import { alertMetricLine, logAlertSink, RunQueue } from '../../../schedules/index.js';

const alert: Alert = {
  kind: 'run_failure',
  severity: 'error',
  dedupeKey: 'run_failure:1a2b3c4d',
  title: 'Run 1a2b3c4d failed (nightly)',
  message: 'run failed: steps: 1 failed (readings[2024-01-15])',
  at: '2024-01-16T01:05:00.000Z',
  runId: '1a2b3c4d-0000-0000-0000-000000000000',
  source: 'nightly',
};

describe('alerts', () => {
  test('a metric line is CloudWatch embedded metric format', () => {
    const line = JSON.parse(alertMetricLine(alert));
    expect(line._aws).toEqual({
      Timestamp: Date.parse('2024-01-16T01:05:00.000Z'),
      CloudWatchMetrics: [
        {
          Namespace: 'ShopFlow',
          Dimensions: [['AlertKind']],
          Metrics: [{ Name: 'RunFailures', Unit: 'Count' }],
        },
      ],
    });
    expect(line).toMatchObject({ AlertKind: 'run_failure', RunFailures: 1, source: 'nightly' });
    for (const [kind, metric] of [
      ['check_failure', 'BlockingCheckFailures'],
      ['freshness_breach', 'FreshnessBreaches'],
      ['tick_failure', 'TickFailures'],
    ] as const) {
      const other = JSON.parse(alertMetricLine({ ...alert, kind }));
      expect(other._aws.CloudWatchMetrics[0].Metrics[0].Name).toBe(metric);
      expect(other[metric]).toBe(1);
    }
  });

  test('the log sink writes a log line and a metric line', async () => {
    const logs: string[] = [];
    const metrics: string[] = [];
    const log = pino(
      new Writable({
        write(chunk, _encoding, callback) {
          logs.push(String(chunk));
          callback();
        },
      }),
    );
    await logAlertSink({ log, metrics: { write: (text: string) => metrics.push(text) } }).send(alert);
    expect(JSON.parse(logs[0])).toMatchObject({
      level: 50,
      alert: 'run_failure',
      msg: 'Run 1a2b3c4d failed (nightly): run failed: steps: 1 failed (readings[2024-01-15])',
    });
    expect(JSON.parse(metrics[0]).RunFailures).toBe(1);
  });
});

describe('RunQueue', () => {
  test('runs at most maxConcurrent jobs, first in first out, ignoring duplicate keys', async () => {
    const queue = new RunQueue(2);
    const started: string[] = [];
    let running = 0;
    let peak = 0;
    const gates = new Map<string, () => void>();
    const job = (key: string) => ({
      key,
      start: async () => {
        started.push(key);
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => gates.set(key, resolve));
        running--;
      },
    });
    for (const key of ['a', 'b', 'c', 'd']) queue.enqueue(job(key));
    expect(queue.enqueue(job('c'))).toBe(false);
    await Promise.resolve();
    expect(started).toEqual(['a', 'b']);
    expect(queue.size).toEqual({ waiting: 2, running: 2 });
    const idle = queue.idle();
    for (const key of ['a', 'b', 'c', 'd']) {
      while (!gates.has(key)) await new Promise((r) => setTimeout(r, 1));
      gates.get(key)!();
    }
    await idle;
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    expect(peak).toBe(2);
    expect(queue.size).toEqual({ waiting: 0, running: 0 });
  });
});
