import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { ShopflowError } from '../../framework/index.js';
import type { Alert } from './alert.js';
import { emfMetricLine } from './emf-metric-line.js';
import { slackMessage } from './slack-message.js';

export interface NotifierOptions {
  /** Slack-compatible incoming webhook. A secret: never logged. Absent or empty: alerts are only logged. */
  webhookUrl?: string;
  log: Logger;
  /** The `fetch` to post with (default: the global one). */
  fetchImpl?: typeof fetch;
  /** How long one attempt may take, response included (default 10 s). */
  timeoutMs?: number;
  /** Retries after a network error, a timeout, HTTP 429 or 5xx (default 2, so 3 attempts). */
  retries?: number;
  /** Wait before the first retry; doubles for each further one (default 500 ms). */
  retryDelayMs?: number;
  /**
   * Where the `ShopFlowAlerts` EMF metric line goes (default stderr, which reaches CloudWatch Logs
   * like stdout but leaves stdout to command output); `false` writes none.
   */
  metrics?: NodeJS.WritableStream | false;
  sleep?: (ms: number) => Promise<void>;
}

/** What happened to one alert. `notify` never throws; this says whether the webhook took it. */
export interface NotifyResult {
  /** Whether the webhook answered 2xx. */
  delivered: boolean;
  /** HTTP attempts made (0 when the webhook is disabled). */
  attempts: number;
  /** Why delivery failed, without the URL. */
  error?: string;
}

/** Sends alerts: one log line each, one EMF metric line each, and a post to the webhook if set. */
export interface Notifier {
  /** Whether alerts are posted to a webhook (otherwise only logged). */
  readonly webhookEnabled: boolean;
  notify(alert: Alert): Promise<NotifyResult>;
}

const LEVEL = { error: 'error', warning: 'warn', info: 'info' } as const;

class TransientFailure extends Error {}

/**
 * Creates a notifier. `notify` logs the alert, writes a `ShopFlowAlerts` metric line and posts a
 * Slack-compatible message to the webhook with a timeout and retries (backoff on network errors,
 * timeouts, 429 and 5xx). It never throws: delivery failures are logged, without the URL.
 *
 * @example
 * const notifier = createNotifier({ webhookUrl: process.env.SHOPFLOW_WEBHOOK_URL, log });
 * await notifier.notify({ severity: 'error', title: 'Run failed', text: 'steps: 1 failed', runId });
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const webhookUrl = options.webhookUrl?.trim() || undefined;
  if (webhookUrl !== undefined) {
    let protocol = '';
    try {
      protocol = new URL(webhookUrl).protocol;
    } catch {
      protocol = '';
    }
    if (protocol !== 'https:' && protocol !== 'http:') {
      // NOTE: the value is a secret, so the message describes it instead of quoting it.
      throw new ShopflowError('SF_CONFIG_INVALID', 'the notifier webhook URL is not an http(s) URL', {
        hint: 'set `resources.notifier.webhookUrl` (SHOPFLOW_WEBHOOK_URL) to the full https://… address, or to an empty string to only log alerts',
      });
    }
  }
  const log = options.log;
  const fetchImpl = options.fetchImpl ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const metrics = options.metrics === undefined ? process.stderr : options.metrics;
  const hide = (text: string) => (webhookUrl ? text.split(webhookUrl).join('[webhook]') : text);

  async function post(body: string): Promise<void> {
    let response: Response;
    try {
      response = await fetchImpl(webhookUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer();
    } catch (error) {
      throw new TransientFailure(describeNetworkError(error, timeoutMs));
    }
    if (response.ok) return;
    const failure = `HTTP ${response.status}`;
    if (response.status === 429 || response.status >= 500) throw new TransientFailure(failure);
    throw new Error(`${failure} (not retried)`);
  }

  async function deliver(alert: Alert): Promise<NotifyResult> {
    const body = JSON.stringify(slackMessage(alert));
    for (let attempt = 1; ; attempt++) {
      try {
        await post(body);
        return { delivered: true, attempts: attempt };
      } catch (error) {
        const reason = hide(error instanceof Error ? error.message : String(error));
        if (!(error instanceof TransientFailure) || attempt > retries) {
          log.warn(
            { alertTitle: alert.title, attempts: attempt, reason },
            `notifier: the webhook did not take alert "${alert.title}" after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${reason}`,
          );
          return { delivered: false, attempts: attempt, error: reason };
        }
        const wait = retryDelayMs * 2 ** (attempt - 1);
        log.debug({ attempt, reason, waitMs: wait }, `notifier: webhook attempt ${attempt} failed; retrying`);
        await sleep(wait);
      }
    }
  }

  return {
    webhookEnabled: webhookUrl !== undefined,
    async notify(alert) {
      try {
        log[LEVEL[alert.severity] ?? 'info'](
          {
            alert: {
              severity: alert.severity,
              type: alert.type ?? alert.severity,
              title: alert.title,
              fields: alert.fields,
              runId: alert.runId,
              assetKey: alert.assetKey,
              partitionKey: alert.partitionKey ?? undefined,
            },
          },
          `alert: ${alert.title} — ${alert.text}`,
        );
        if (metrics) emfMetricLine('ShopFlowAlerts', 1, { AlertType: alert.type ?? alert.severity }, metrics);
        if (!webhookUrl) return { delivered: false, attempts: 0 };
        return await deliver(alert);
      } catch (error) {
        const reason = hide(error instanceof Error ? error.message : String(error));
        try {
          log.warn({ reason }, `notifier: alert "${alert.title}" could not be sent: ${reason}`);
        } catch {
          // NOTE: a logger that throws must not turn a notification into a failure of the caller.
        }
        return { delivered: false, attempts: 0, error: reason };
      }
    },
  };
}

/** Why a request got no response, in words; never the URL (undici's messages can carry it). */
function describeNetworkError(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no response within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string } })?.cause;
  if (cause?.code) return `network error (${cause.code})`;
  return 'network error';
}
