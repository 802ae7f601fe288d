import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { isShopflowError } from '../../../framework/index.js';
import { type Alert, createNotifier, type NotifierOptions } from '../../../resources/notifier/index.js';
import { startWebhookReceiver } from './webhook-receiver.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A logger and a metric stream that keep every line, parsed. */
function capture() {
  const logs: Array<Record<string, any>> = [];
  const metrics: Array<Record<string, any>> = [];
  const lines = (into: Array<Record<string, any>>) =>
    new Writable({
      write(chunk, _encoding, callback) {
        for (const line of String(chunk).split('\n')) if (line.trim()) into.push(JSON.parse(line));
        callback();
      },
    });
  const log = pino({ level: 'debug' }, lines(logs));
  return { logs, metrics, log, metricStream: lines(metrics) };
}

async function receiver(behaviour?: Parameters<typeof startWebhookReceiver>[0]) {
  const started = await startWebhookReceiver(behaviour);
  cleanups.push(() => started.close());
  return started;
}

function notifierFor(url: string | undefined, options: Partial<NotifierOptions> = {}) {
  const captured = capture();
  const notifier = createNotifier({
    webhookUrl: url,
    log: captured.log,
    metrics: captured.metricStream,
    retryDelayMs: 5,
    ...options,
  });
  return { notifier, ...captured };
}

const ALERT: Alert = {
  severity: 'error',
  type: 'check_failure',
  title: 'Blocking check failed: readings[2024-01-03] · temperature_plausible',
  text: '3 rows fail `temperature > -90` <see runbook>',
  fields: { Check: 'temperature_plausible', 'Failing rows': '3' },
  runId: '0b7c1d2e-run',
  assetKey: 'readings',
  partitionKey: '2024-01-03',
};

describe('notifier', () => {
  test('posts a Slack-compatible JSON body, logs one line and writes one EMF metric line per alert', async () => {
    const webhook = await receiver();
    const { notifier, logs, metrics } = notifierFor(webhook.url);
    expect(notifier.webhookEnabled).toBe(true);

    expect(await notifier.notify(ALERT)).toEqual({ delivered: true, attempts: 1 });

    expect(webhook.requests).toHaveLength(1);
    const [request] = webhook.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/services/T0SHOP/B0FLOW/xoxb-s3cr3t-webhook-t0ken');
    expect(request.contentType).toBe('application/json');
    expect(request.body.text).toBe(`🔴 ${ALERT.title}: ${ALERT.text}`);
    expect(request.body.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: `🔴 ${ALERT.title}`, emoji: true } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '3 rows fail `temperature &gt; -90` &lt;see runbook&gt;' },
      },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Check*\ntemperature_plausible' },
          { type: 'mrkdwn', text: '*Failing rows*\n3' },
          { type: 'mrkdwn', text: '*Asset*\nreadings' },
          { type: 'mrkdwn', text: '*Partition*\n2024-01-03' },
          { type: 'mrkdwn', text: '*Run*\n0b7c1d2e-run' },
        ],
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'ShopFlow · severity *error* · check_failure' }],
      },
    ]);

    const alertLines = logs.filter((l) => l.alert);
    expect(alertLines).toHaveLength(1);
    expect(alertLines[0]).toMatchObject({
      level: 50,
      msg: `alert: ${ALERT.title} — ${ALERT.text}`,
      alert: { severity: 'error', type: 'check_failure', assetKey: 'readings', partitionKey: '2024-01-03' },
    });
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'ShopFlow',
            Dimensions: [['AlertType']],
            Metrics: [{ Name: 'ShopFlowAlerts', Unit: 'Count' }],
          },
        ],
      },
      AlertType: 'check_failure',
      ShopFlowAlerts: 1,
    });
    expect(typeof metrics[0]._aws.Timestamp).toBe('number');
    expect(JSON.stringify(logs)).not.toContain(webhook.secret);
  });

  test('retries after a 500 and delivers the same body', async () => {
    const webhook = await receiver((i) => (i === 0 ? 500 : 200));
    const { notifier, logs } = notifierFor(webhook.url);
    expect(await notifier.notify(ALERT)).toEqual({ delivered: true, attempts: 2 });
    expect(webhook.requests).toHaveLength(2);
    expect(webhook.requests[1].body).toEqual(webhook.requests[0].body);
    expect(logs.filter((l) => l.level === 40)).toEqual([]);
  });

  test('gives up after 2 retries on 5xx, logs the failure without the URL, and does not throw', async () => {
    const webhook = await receiver(() => 503);
    const { notifier, logs } = notifierFor(webhook.url);
    const result = await notifier.notify(ALERT);
    expect(result).toEqual({ delivered: false, attempts: 3, error: 'HTTP 503' });
    expect(webhook.requests).toHaveLength(3);
    const warnings = logs.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toContain('after 3 attempts: HTTP 503');
    expect(JSON.stringify(logs)).not.toContain(webhook.secret);
    expect(JSON.stringify(logs)).not.toContain('127.0.0.1');
  });

  test('a 4xx answer is not retried', async () => {
    const webhook = await receiver(() => 404);
    const { notifier } = notifierFor(webhook.url);
    expect(await notifier.notify(ALERT)).toEqual({
      delivered: false,
      attempts: 1,
      error: 'HTTP 404 (not retried)',
    });
    expect(webhook.requests).toHaveLength(1);
  });

  test('a receiver that never answers times out; every attempt is abandoned and notify resolves', async () => {
    const webhook = await receiver(() => 'hang');
    const { notifier, logs } = notifierFor(webhook.url, { timeoutMs: 150 });
    const result = await notifier.notify(ALERT);
    expect(result).toEqual({ delivered: false, attempts: 3, error: 'no response within 150 ms' });
    expect(webhook.requests).toHaveLength(3);
    expect(logs.some((l) => l.level === 40 && l.msg.includes('no response within 150 ms'))).toBe(true);
    expect(JSON.stringify(logs)).not.toContain(webhook.secret);
  });

  test('a refused connection is a network error, retried, then logged', async () => {
    // A port that was just free: nothing listens on it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { notifier, logs } = notifierFor(`http://127.0.0.1:${port}/hooks/s3cr3t-path`);
    expect(await notifier.notify(ALERT)).toEqual({
      delivered: false,
      attempts: 3,
      error: 'network error (ECONNREFUSED)',
    });
    expect(JSON.stringify(logs)).not.toContain('s3cr3t-path');
  });

  test('without a webhook, alerts are still logged and counted', async () => {
    for (const url of [undefined, '', '  ']) {
      const { notifier, logs, metrics } = notifierFor(url);
      expect(notifier.webhookEnabled).toBe(false);
      expect(await notifier.notify({ severity: 'warning', title: 'Slow run', text: 'took 2 h' })).toEqual({
        delivered: false,
        attempts: 0,
      });
      expect(logs).toEqual([expect.objectContaining({ level: 40, msg: 'alert: Slow run — took 2 h' })]);
      expect(metrics).toEqual([expect.objectContaining({ AlertType: 'warning', ShopFlowAlerts: 1 })]);
    }
  });

  test('a fetch that throws synchronously never reaches the caller', async () => {
    const { notifier } = notifierFor('https://hooks.example.test/services/x', {
      fetchImpl: (() => {
        throw new TypeError('broken fetch');
      }) as typeof fetch,
    });
    expect(await notifier.notify(ALERT)).toMatchObject({ delivered: false, attempts: 3 });
  });

  test('a webhook URL that is not http(s) is a configuration error that does not quote the secret', () => {
    let error: unknown;
    try {
      createNotifier({ webhookUrl: 'hooks.slack.com/services/s3cr3t', log: capture().log });
    } catch (e) {
      error = e;
    }
    expect(isShopflowError(error, 'SF_CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).not.toContain('s3cr3t');
    expect((error as Error).message).toContain('resources.notifier.webhookUrl');
  });
});
