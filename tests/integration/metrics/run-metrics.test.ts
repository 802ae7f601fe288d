import { writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  EmfMetrics,
  type MetricSample,
  openInstanceStore,
  type ShopflowRuntime,
  type StepSample,
} from '../../../framework/index.js';
import { scheduleSinceCheckpoint } from '../../../schedules/index.js';
import { exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';
import { REPO, runShopflow, spawnShopflow } from '../../support/run-shopflow.js';
import { eventually, openServerFixture, TOKEN } from '../server/server-fixture.js';

const NOW = new Date('2024-01-08T06:00:00.000Z');

describe('metrics of the runs a process executes', () => {
  const home = tempHome('shopflow-metrics-');
  let runtime: ShopflowRuntime;
  const samples: MetricSample[] = [];
  const lines: string[] = [];
  beforeAll(async () => {
    runtime = await openTestRuntime(
      exampleDefinitions({ failDays: ['2024-01-05'], badDays: ['2024-01-03'] }),
      home.home,
      {
        now: () => NOW,
        // NOTE: one step at a time, so "recorded before" is the order the steps ran in.
        config: {
          executor: { concurrency: 1, lockWaitSeconds: 2, heartbeatSeconds: 1, deadAfterSeconds: 30 },
        },
      },
    );
    runtime.metrics.addSink({ record: (sample) => samples.push(sample) });
    runtime.metrics.addSink(new EmfMetrics({ write: (line: string) => lines.push(line) }));
    await runtime.execute(await runtime.plan({ selection: '+daily_stats' }));
    await runtime.execute(
      await runtime.plan({ selection: 'readings', partitions: { keys: ['2024-01-02'] }, force: true }),
    );
    // NOTE: close waits for the metrics still being computed, as a short CLI run does.
    await runtime.close();
  });
  afterAll(() => home.cleanup());

  const steps = (asset: string) =>
    samples.filter((s): s is StepSample => s.kind === 'step' && s.assetKey === asset);

  test('each step: its status, duration, rows and the bytes of the lake files it wrote', () => {
    const readings = steps('readings');
    expect(readings.filter((s) => s.status === 'success')).toHaveLength(7);
    expect(readings.filter((s) => s.status === 'failure').map((s) => s.partitionKey)).toEqual(['2024-01-05']);
    for (const s of readings.filter((r) => r.status === 'success')) {
      expect(s.rowsWritten).toBe(72);
      expect(s.bytesWritten).toBeGreaterThan(0);
      expect(s.durationMs).toBeGreaterThanOrEqual(0);
    }
    // The failed day's downstream partition never ran.
    expect(steps('daily_stats').find((s) => s.partitionKey === '2024-01-05')?.status).not.toBe('success');
  });

  test('the duration ratio needs three earlier durations, then compares against their median', () => {
    const successes = steps('readings').filter((s) => s.status === 'success');
    expect(successes.slice(0, 3).map((s) => s.durationRatio)).toEqual([null, null, null]);
    for (const s of successes.slice(3)) expect(s.durationRatio).toBeGreaterThan(0);
    const forced = successes[successes.length - 1];
    expect(forced.partitionKey).toBe('2024-01-02');
    expect(forced.durationRatio).toBeGreaterThan(0);
  });

  test('failed blocking checks and runs are counted; every sample with a metric is an EMF line', () => {
    const failedChecks = samples.filter((s) => s.kind === 'check' && !s.passed);
    expect(failedChecks).toEqual([
      expect.objectContaining({
        assetKey: 'readings',
        partitionKey: '2024-01-03',
        check: 'temperature_plausible',
      }),
    ]);
    const runs = samples.filter((s) => s.kind === 'run');
    expect(runs.map((r) => r.status)).toEqual(['failure', 'success']);
    for (const run of runs) expect(run.kind === 'run' && run.durationMs).toBeGreaterThanOrEqual(0);
    const emf = lines.map((l) => JSON.parse(l));
    expect(emf.filter((l) => l.CheckFailures === 1)).toHaveLength(1);
    expect(emf.filter((l) => l.StepFailures === 1).map((l) => l.PartitionKey)).toEqual(['2024-01-05']);
    expect(emf.filter((l) => 'RunDurationMs' in l)).toHaveLength(2);
    expect(emf.filter((l) => 'StepDurationRatio' in l).length).toBeGreaterThan(0);
  });
});

describe('GET /metrics of the server', () => {
  test('needs the token like the API; shows the runs launched from the page and the freshness of each asset', async () => {
    const fixture = await openServerFixture({ token: TOKEN, materialize: null });
    try {
      const bearer = { authorization: `Bearer ${TOKEN}` };
      expect((await fixture.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      const launched = await fixture.app.inject({
        method: 'POST',
        url: '/api/runs',
        headers: { ...bearer, 'content-type': 'application/json' },
        payload: JSON.stringify({ selection: 'stations' }),
      });
      expect(launched.statusCode, launched.body).toBeLessThan(300);
      const text = await eventually(async () => {
        const response = await fixture.app.inject({ method: 'GET', url: '/metrics', headers: bearer });
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toContain('text/plain');
        return response.body.includes('shopflow_runs_total{status="success"} 1') ? response.body : undefined;
      });
      expect(text).toContain('shopflow_steps_total{asset="stations",status="success"} 1');
      expect(text).toMatch(/shopflow_asset_freshness_lag_seconds\{asset="stations"\} \d/);
    } finally {
      await fixture.close();
    }
  });
});

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('shopflow daemon --metrics-port', () => {
  const { home, cleanup } = tempHome('shopflow-daemon-metrics-');
  const config = join(home, 'test.yaml');
  const optionsFile = join(home, 'options.json');
  beforeAll(async () => {
    writeFileSync(
      config,
      `env: test\nhome: ${home}\ndefinitions: ${join(REPO, 'tests/fixtures/scheduled-example-graph.ts')}\nexecutor:\n  concurrency: 2\n  heartbeatSeconds: 1\nlogging:\n  level: warn\n`,
    );
    const start = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    writeFileSync(optionsFile, JSON.stringify({ start }));
    // NOTE: "first seen" three minutes back makes the every-minute schedule due at once.
    const store = await openInstanceStore({ type: 'sqlite', path: join(home, 'instance.db') });
    await store.setCheckpoint(
      scheduleSinceCheckpoint('every_minute'),
      new Date(Date.now() - 3 * 60_000).toISOString(),
    );
    await store.close();
  });
  afterAll(() => cleanup());

  test('serves the metrics of the runs it launches', async () => {
    const port = await freePort();
    const child = spawnShopflow(
      ['--config', config, 'daemon', '--interval', '1', '--metrics-port', String(port)],
      {
        EXAMPLE_OPTIONS_FILE: optionsFile,
      },
    );
    let output = '';
    child.stderr!.on('data', (d) => {
      output += d;
    });
    try {
      const text = await eventually(async () => {
        const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
        if (!response) return undefined;
        const body = await response.text();
        return /shopflow_runs_total\{status="success"\} [1-9]/.test(body) ? body : undefined;
      }, 3000).catch((error) => {
        throw new Error(`${error}\n${output}`);
      });
      expect(text).toMatch(/shopflow_steps_total\{asset="readings",status="success"\} [1-9]/);
      expect(text).toMatch(/shopflow_asset_freshness_lag_seconds\{asset="readings"\} \d/);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('close', resolve));
    }
  }, 90_000);

  test('a bad port, or a host other than loopback without a token, is a usage error', async () => {
    const env = { EXAMPLE_OPTIONS_FILE: optionsFile, SHOPFLOW_UI_TOKEN: '' };
    const bad = await runShopflow(['--config', config, 'daemon', '--metrics-port', '70000'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--metrics-port must be a port number from 0 to 65535, got `70000`');
    const open = await runShopflow(
      ['--config', config, 'daemon', '--once', '--metrics-port', '0', '--metrics-host', '0.0.0.0'],
      env,
    );
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('refusing to serve on host `0.0.0.0` without a token');
  }, 60_000);
});
