import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { notifyOnFailure } from '../../../assets/hooks/notify-on-failure.js';
import { notifier } from '../../../assets/resources/notifier.js';
import { defineDefinitions, ShopflowRuntime } from '../../../framework/index.js';
import { type ExampleOptions, exampleDefinitions } from '../../fixtures/example-graph.js';
import { tempHome, testConfig } from '../../support/example-runtime.js';
import { startWebhookReceiver } from './webhook-receiver.js';

const NOW = new Date('2024-01-06T00:00:00Z');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** The example graph with the notifier resource and the failure hook, as the lead wires ShopFlow's. */
async function open(options: ExampleOptions, webhookUrl: string) {
  const { home, cleanup } = tempHome('shopflow-notify-');
  const logs: string[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _encoding, callback) {
        logs.push(String(chunk));
        callback();
      },
    }),
  );
  const definitions = defineDefinitions({
    assets: exampleDefinitions(options).assets,
    resources: [notifier],
    hooks: [notifyOnFailure],
  });
  const runtime = await ShopflowRuntime.open({
    config: testConfig(home, { resources: { notifier: { webhookUrl, timeoutMs: 2000 } } }),
    definitions,
    log,
    now: () => NOW,
    sleep: async () => {},
  });
  cleanups.push(cleanup, () => runtime.close());
  return { runtime, logs };
}

async function receiver() {
  const webhook = await startWebhookReceiver();
  cleanups.push(() => webhook.close());
  return webhook;
}

const titles = (requests: Array<{ body: any }>) => requests.map((r) => r.body.blocks[0].text.text as string);

describe('notify_on_failure hook', () => {
  test('a run with a failed blocking check sends one alert for the check and one for the run', async () => {
    const webhook = await receiver();
    const { runtime, logs } = await open({ badDays: ['2024-01-03'] }, webhook.url);
    const result = await runtime.execute(await runtime.plan());
    expect(result.status).toBe('failed');

    expect(titles(webhook.requests)).toEqual([
      '🔴 Blocking check failed: readings[2024-01-03] · temperature_plausible',
      `🔴 Run ${result.runId.slice(0, 8)} failed`,
    ]);
    const [check, run] = webhook.requests.map((r) => r.body);
    expect(check.blocks[2].fields).toEqual([
      { type: 'mrkdwn', text: '*Asset*\nreadings' },
      { type: 'mrkdwn', text: '*Partition*\n2024-01-03' },
      { type: 'mrkdwn', text: '*Check*\ntemperature_plausible' },
      { type: 'mrkdwn', text: '*Failing rows*\n3' },
      { type: 'mrkdwn', text: `*Run*\n${result.runId}` },
    ]);
    expect(check.blocks[1].text.text).toContain('3 rows fail');
    expect(run.blocks[1].text.text).toContain(`run failed: ${result.error}`);
    expect(run.blocks[2].fields).toContainEqual({ type: 'mrkdwn', text: `*Run*\n${result.runId}` });
    // No step failed: the alert says what did stop the run, and does not offer a retry that changes nothing.
    const runFields = run.blocks[2].fields.map((f: { text: string }) => f.text);
    expect(runFields).toContain('*Failed a blocking check*\n1');
    expect(runFields.some((text: string) => text.startsWith('*Failed steps*'))).toBe(false);
    expect(run.blocks[1].text.text).toContain('fix what blocked it');
    expect(run.blocks[1].text.text).not.toContain('runs retry');
    // warn checks that fail (three_stations is not evaluated here) and passing checks send nothing
    expect(logs.filter((l) => l.includes('"alert"'))).toHaveLength(2);
    expect(logs.join('')).not.toContain(webhook.secret);
  });

  test('a failed step sends one alert for the run; a successful run sends none', async () => {
    const webhook = await receiver();
    const failing = await open({ failDays: ['2024-01-02'] }, webhook.url);
    const failed = await failing.runtime.execute(await failing.runtime.plan({ selection: 'readings' }));
    expect(failed.status).toBe('failed');
    expect(titles(webhook.requests)).toEqual([`🔴 Run ${failed.runId.slice(0, 8)} failed`]);
    const [alert] = webhook.requests.map((r) => r.body);
    expect(alert.blocks[2].fields).toContainEqual({ type: 'mrkdwn', text: '*Failed steps*\n1' });
    expect(alert.blocks[1].text.text).toContain(`shopflow runs retry ${failed.runId.slice(0, 8)}`);

    const healthy = await open({}, webhook.url);
    const succeeded = await healthy.runtime.execute(await healthy.runtime.plan());
    expect(succeeded.status).toBe('success');
    expect(webhook.requests).toHaveLength(1);
  });

  test('an empty webhook URL still logs the alerts; an unreachable webhook never fails the run', async () => {
    const quiet = await open({ badDays: ['2024-01-03'] }, '');
    expect((await quiet.runtime.execute(await quiet.runtime.plan())).status).toBe('failed');
    expect(quiet.logs.filter((l) => l.includes('"alert"'))).toHaveLength(2);

    const webhook = await receiver();
    await webhook.close();
    const unreachable = await open({ badDays: ['2024-01-03'] }, webhook.url);
    const result = await unreachable.runtime.execute(await unreachable.runtime.plan());
    expect(result.status).toBe('failed');
    expect(result.outcomes.get('daily_stats[2024-01-02]')?.status).toBe('success');
    const warnings = unreachable.logs.filter((l) => l.includes('the webhook did not take alert'));
    expect(warnings).toHaveLength(2);
    expect(unreachable.logs.join('')).not.toContain(webhook.secret);
  });
});
