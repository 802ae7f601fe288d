import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { failureAlert } from '../../../assets/hooks/notify-on-failure.js';
import type { EventRecord } from '../../../framework/index.js';
import { emfMetricLine, slackMessage } from '../../../resources/notifier/index.js';

function event(patch: Partial<EventRecord>): EventRecord {
  return {
    id: 1,
    runId: '5f0c2a9e-0000-4000-8000-000000000000',
    ts: '2024-01-06T00:00:00.000Z',
    type: 'check_evaluation',
    assetKey: 'readings',
    partitionKey: '2024-01-03',
    message: 'temperature_plausible: FAILED — 3 rows fail',
    data: { check: 'temperature_plausible', severity: 'error', passed: false, failingRows: 3 },
    ...patch,
  };
}

describe('slackMessage', () => {
  test('respects Slack limits: header length and at most 10 fields per section', () => {
    const fields = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, `v${i}`]));
    const message = slackMessage({ severity: 'info', title: 'x'.repeat(400), text: 'a & b', fields });
    const header = message.blocks[0] as { text: { text: string } };
    expect(header.text.text).toHaveLength(150);
    expect(header.text.text.endsWith('…')).toBe(true);
    const sections = message.blocks.filter((b) => Array.isArray(b.fields)) as Array<{ fields: unknown[] }>;
    expect(sections.map((s) => s.fields.length)).toEqual([10, 2]);
    expect(message.blocks[1]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: 'a &amp; b' } });
  });
});

describe('emfMetricLine', () => {
  test('writes one CloudWatch EMF JSON line with the metric, its dimensions and the ShopFlow namespace', () => {
    let written = '';
    const stream = new Writable({
      write(chunk, _e, cb) {
        written += chunk;
        cb();
      },
    });
    const line = emfMetricLine('ShopFlowAlerts', 2, { Env: 'prod', AlertType: 'run_failure' }, stream, {
      timestamp: 1_700_000_000_000,
    });
    expect(written).toBe(`${line}\n`);
    expect(JSON.parse(line)).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'ShopFlow',
            Dimensions: [['AlertType', 'Env']],
            Metrics: [{ Name: 'ShopFlowAlerts', Unit: 'Count' }],
          },
        ],
      },
      AlertType: 'run_failure',
      Env: 'prod',
      ShopFlowAlerts: 2,
    });
  });
});

describe('failureAlert', () => {
  test('only failed blocking checks and failed runs become alerts', () => {
    expect(failureAlert(event({}))).toMatchObject({
      severity: 'error',
      type: 'check_failure',
      title: 'Blocking check failed: readings[2024-01-03] · temperature_plausible',
      fields: {
        Asset: 'readings',
        Partition: '2024-01-03',
        Check: 'temperature_plausible',
        'Failing rows': '3',
      },
    });
    expect(failureAlert(event({ data: { check: 'c', severity: 'warn', passed: false } }))).toBeUndefined();
    expect(failureAlert(event({ data: { check: 'c', severity: 'error', passed: true } }))).toBeUndefined();
    expect(
      failureAlert(
        event({
          type: 'run_failure',
          assetKey: null,
          partitionKey: null,
          message: 'run failed: steps: 1 failed (readings[2024-01-02])',
          data: { steps: 4, failed: 1 },
        }),
      ),
    ).toMatchObject({
      type: 'run_failure',
      title: 'Run 5f0c2a9e failed',
      fields: { Run: '5f0c2a9e-0000-4000-8000-000000000000', Steps: '4', 'Failed steps': '1' },
    });
    expect(failureAlert(event({ type: 'run_success', data: {} }))).toBeUndefined();
  });
});
