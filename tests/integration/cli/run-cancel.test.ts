import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cancelRun, HOSTNAME, type InstanceStore, openInstanceStore } from '../../../framework/index.js';
import { exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';
import { jsonLines, runShopflow, spawnShopflow, writeTestConfig } from '../../support/run-shopflow.js';

const homes: Array<() => void> = [];
afterAll(() => {
  for (const cleanup of homes) cleanup();
});

function setup() {
  const { home, cleanup } = tempHome('shopflow-cancel-');
  homes.push(cleanup);
  const config = writeTestConfig(home);
  const optionsFile = join(home, 'options.json');
  const start = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
  writeFileSync(optionsFile, JSON.stringify({ start, holdAssets: ['readings'] }));
  return { home, config, optionsFile, hold: join(home, 'hold') };
}

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('shopflow runs cancel', () => {
  test('cancels a run executing in another process: no new step starts, the step in flight finishes, the run ends canceled and retries from there', async () => {
    const { home, config, optionsFile, hold } = setup();
    const env = { EXAMPLE_OPTIONS_FILE: optionsFile, EXAMPLE_HOLD_FILE: hold };
    writeFileSync(hold, '');
    const child = spawnShopflow(
      ['--config', config, 'materialize', '*', '--concurrency', '1', '--json'],
      env,
    );
    let out = '';
    const seen = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (out.includes(text)) {
            child.stdout!.off('data', check);
            resolve();
          }
        };
        child.stdout!.on('data', check);
        check();
      });
    child.stdout!.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await seen('"type":"step_start","assetKey":"readings"');
    const runId = jsonLines(out).find((e) => e.type === 'run_start')!.runId as string;

    const cancel = runShopflow(['--config', config, 'runs', 'cancel', runId.slice(0, 8)], env);
    // The executing process sees the request, skips every waiting step, and waits for the one held.
    await seen('"reason":"canceled"');
    rmSync(hold);
    const cancelled = await cancel;
    expect(cancelled.stderr).toBe('');
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain(`Cancel of run ${runId.slice(0, 8)} requested`);
    expect(cancelled.stdout).toMatch(
      new RegExp(`Run ${runId.slice(0, 8)} canceled by the CLI: \\d+ of \\d+ steps not started\\.`),
    );
    expect(await exited).toBe(1);

    const events = jsonLines(out);
    const started = events.filter((e) => e.type === 'step_start');
    const skipped = events.filter((e) => e.type === 'step_skipped' && e.data.reason === 'canceled');
    // Every step that started before the request finished; none started after it.
    const firstSkip = events.indexOf(skipped[0]);
    expect(skipped.length).toBeGreaterThan(0);
    expect(events.findLastIndex((e) => e.type === 'step_start')).toBeLessThan(firstSkip);
    expect(events.filter((e) => e.type === 'step_success').map((e) => e.assetKey)).toEqual(
      started.map((e) => e.assetKey),
    );
    expect(started.at(-1)!.assetKey).toBe('readings');
    const total = events.find((e) => e.type === 'run_start')!.data.steps;
    expect(started.length + skipped.length).toBe(total);
    expect(events.at(-1)).toMatchObject({ type: 'run_canceled', data: { by: 'the CLI' } });

    const store = await openInstanceStore({ type: 'sqlite', path: join(home, 'instance.db') });
    try {
      const run = (await store.getRun(runId))!;
      expect(run.status).toBe('canceled');
      expect(run.error).toBe(`canceled by the CLI: ${skipped.length} of ${total} steps not started`);
      const requested = await store.listEvents({ runId, types: ['run_cancel_requested'] });
      expect(requested).toHaveLength(1);
      expect(requested[0].message).toBe(
        'cancel requested by the CLI: no new step starts; steps in flight finish',
      );
    } finally {
      await store.close();
    }

    const again = await runShopflow(['--config', config, 'runs', 'cancel', runId], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `error [SF_RUN_NOT_CANCELABLE]: run ${runId} has already finished: canceled`,
    );
    expect(again.stderr).toContain('shopflow runs retry');

    const unknown = await runShopflow(
      ['--config', config, 'runs', 'retry', runId, '--executor', 'lambda'],
      env,
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--executor lambda is not an executor');
    const retry = await runShopflow(
      ['--config', config, 'runs', 'retry', runId, '--executor', 'in-process', '--json'],
      env,
    );
    expect(retry.code).toBe(0);
    const retried = jsonLines(retry.stdout);
    expect(retried.filter((e) => e.type === 'step_start')).toHaveLength(skipped.length);
    expect(retried.at(-1)).toMatchObject({ type: 'run_success' });
  });

  test('a run whose process is gone is canceled at once, ending at its last event', async () => {
    const { home } = setup();
    const runtime = await openTestRuntime(exampleDefinitions(), home);
    try {
      const runId = await deadRun(runtime.store);
      const result = await cancelRun(runtime, (await runtime.store.getRun(runId))!, 'a test');
      expect(result.outcome).toBe('canceled');
      expect(result.run).toMatchObject({ status: 'canceled', finishedAt: '2024-01-08T06:00:05.000Z' });
      expect(result.run.error).toMatch(
        /^canceled by a test; its process \(pid \d+ on .+\) is no longer running/,
      );
      const [last] = await runtime.store.listEvents({ runId, newestFirst: true, limit: 1 });
      expect(last).toMatchObject({ type: 'run_canceled', ts: '2024-01-08T06:00:05.000Z' });
      expect(Date.parse(String(last.data.detectedAt))).toBeGreaterThan(Date.parse('2025-01-01'));
      await expect(cancelRun(runtime, result.run, 'a test')).rejects.toThrow(
        `run ${runId} has already finished: canceled`,
      );
    } finally {
      await runtime.close();
    }
  });
});

describe('a run whose process died', () => {
  test('lasts until its last event, not until the death was noticed', async () => {
    const { home, config, optionsFile } = setup();
    const store = await openInstanceStore({ type: 'sqlite', path: join(home, 'instance.db') });
    const runId = await deadRun(store).finally(() => store.close());
    // `shopflow runs` marks dead runs failed before listing them.
    const listed = await runShopflow(['--config', config, 'runs', '--json'], {
      EXAMPLE_OPTIONS_FILE: optionsFile,
    });
    expect(listed.code).toBe(0);
    const run = jsonLines(listed.stdout).find((r) => r.id === runId)!;
    expect(run).toMatchObject({
      status: 'failed',
      startedAt: '2024-01-08T06:00:00.000Z',
      finishedAt: '2024-01-08T06:00:05.000Z',
    });
    expect(run.error).toMatch(/^run abandoned: its process \(pid \d+ on .+\) is no longer running$/);
    const shown = await runShopflow(['--config', config, 'runs', 'show', runId], {
      EXAMPLE_OPTIONS_FILE: optionsFile,
    });
    expect(shown.stdout).toMatch(/duration\s+5\.0 s/);
  });
});

describe('a run whose process died while waiting without events', () => {
  test('lasts until its last heartbeat when that is later than its last event', async () => {
    const { home } = setup();
    const runtime = await openTestRuntime(exampleDefinitions(), home);
    try {
      const runId = await deadRun(runtime.store);
      // A run waiting on queue workers (or one long step) beats without writing events.
      await runtime.store.updateRun(runId, { heartbeatAt: '2024-01-08T06:00:45.000Z' });
      expect(await runtime.reapDeadRuns()).toEqual([runId]);
      expect(await runtime.store.getRun(runId)).toMatchObject({
        status: 'failed',
        finishedAt: '2024-01-08T06:00:45.000Z',
      });
    } finally {
      await runtime.close();
    }
  });
});

/** A run record left `running` by a process that is gone: started 06:00:00, last event 06:00:05. */
async function deadRun(store: InstanceStore): Promise<string> {
  const run = await store.createRun({
    selection: 'stations',
    plan: null,
    status: 'running',
    pid: deadPid(),
    hostname: HOSTNAME,
  });
  await store.updateRun(run.id, {
    startedAt: '2024-01-08T06:00:00.000Z',
    heartbeatAt: '2024-01-08T06:00:04.000Z',
  });
  await store.appendEvent({ runId: run.id, type: 'run_start', ts: '2024-01-08T06:00:00.000Z' });
  await store.appendEvent({
    runId: run.id,
    type: 'step_start',
    ts: '2024-01-08T06:00:05.000Z',
    assetKey: 'stations',
  });
  return run.id;
}
