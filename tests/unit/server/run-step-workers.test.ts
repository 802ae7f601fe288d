import { describe, expect, test } from 'vitest';
import type { EventRecord } from '../../../framework/index.js';
// @ts-expect-error: a browser module without type declarations
import { StepTable } from '../../../server/public/run-steps.js';
import { RunStepTable } from '../../../server/views/run-step-table.js';

const event = (id: number, type: EventRecord['type'], data: Record<string, unknown> = {}): EventRecord => ({
  id,
  runId: 'run-1',
  ts: `2024-01-08T06:00:0${id}.000Z`,
  type,
  assetKey: 'readings',
  partitionKey: '2024-01-01',
  message: null,
  data,
});

describe('the worker of each step (queue executor)', () => {
  test('the server and the page take it from the step_start of the step’s last attempt', () => {
    const events = [
      event(1, 'step_start', { worker: 'host-a:11' }),
      event(2, 'step_retry', { attempt: 1 }),
      event(3, 'step_start', { worker: 'host-b:22' }),
      event(4, 'step_success', { rowCount: 72 }),
    ];
    const server = new RunStepTable(null);
    for (const e of events) server.apply(e);
    expect(server.rows[0]).toMatchObject({
      key: 'readings[2024-01-01]',
      worker: 'host-b:22',
      status: 'success',
    });

    const page = new StepTable({ assets: [], steps: [], messages: {}, window: { startedAt: events[0].ts } });
    for (const e of events) page.apply(e);
    expect(page.rows[0]).toMatchObject({ worker: 'host-b:22', status: 'success' });

    // Built from the API's table, the page reads `workers`; a step run in process has none.
    const loaded = new StepTable({
      assets: ['readings', 'stations'],
      steps: [
        [0, '2024-01-01', 'success', 0, 10, 1, 72],
        [1, null, 'success', 0, 5, 1, 3],
      ],
      messages: {},
      workers: { 'readings[2024-01-01]': 'host-b:22' },
      window: { startedAt: events[0].ts },
    });
    expect(loaded.rows.map((r: { worker: string | null }) => r.worker)).toEqual(['host-b:22', null]);
    const inProcess = new RunStepTable(null);
    inProcess.apply(event(1, 'step_start'));
    expect(inProcess.rows[0].worker).toBeNull();
  });
});

describe('skipped steps', () => {
  test('the server and the page count a step with nothing to do as up to date, apart from one that could not run', () => {
    const skip = (id: number, partitionKey: string, reason: string): EventRecord => ({
      ...event(id, 'step_skipped', { reason }),
      partitionKey,
    });
    const events = [
      skip(1, '2024-01-01', 'upstream_unchanged'),
      skip(2, '2024-01-02', 'change_outside_window'),
      skip(3, '2024-01-03', 'blocked'),
    ];
    const server = new RunStepTable(null);
    for (const e of events) server.apply(e);
    expect(server.rows.map((r) => r.status)).toEqual(['up_to_date', 'up_to_date', 'skipped']);
    expect(server.counts()).toMatchObject({ up_to_date: 2, skipped: 1 });

    const page = new StepTable({ assets: [], steps: [], messages: {}, window: { startedAt: events[0].ts } });
    for (const e of events) page.apply(e);
    expect(page.rows.map((r: { status: string }) => r.status)).toEqual([
      'up_to_date',
      'up_to_date',
      'skipped',
    ]);
    expect(page.counts()).toMatchObject({ up_to_date: 2, skipped: 1 });
  });
});
