import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ShopflowRuntime } from '../../framework/index.js';
import { createServer } from '../../server/create-server.js';
import { wideExampleDefinitions } from '../fixtures/wide-example-graph.js';
import { launchChromium } from '../support/chromium.js';
import { openTestRuntime, silentLog, tempHome } from '../support/example-runtime.js';

const TOKEN = 'big-run-token-0123456789abcdef';
const SCREENSHOTS = join('test-results', 'screenshots');
const ONE_MB = 1024 * 1024;
// NOTE: 90 daily partitions up to yesterday, on the real clock (event times are real).
const START = new Date(Date.now() - 90 * 86_400_000).toISOString().slice(0, 10);

let home: ReturnType<typeof tempHome>;
let runtime: ShopflowRuntime;
let app: FastifyInstance;
let browser: Browser;
let base: string;
let release!: () => void;
const held = new Promise<void>((resolve) => {
  release = resolve;
});

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  home = tempHome('shopflow-big-run-');
  runtime = await openTestRuntime(wideExampleDefinitions({ start: START, gate: () => held }), home.home, {
    config: { executor: { concurrency: 4, lockWaitSeconds: 2, heartbeatSeconds: 1, deadAfterSeconds: 30 } },
  });
  app = createServer({ runtime, token: TOKEN, host: '127.0.0.1', port: 0, log: silentLog, eventPollMs: 200 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/`;
  browser = await launchChromium();
});

afterAll(async () => {
  release();
  await browser?.close();
  await app?.close();
  await runtime?.close();
  home?.cleanup();
});

test('a run of 1,350 steps watched live: counts equal the run, the axis ends at its end, and it costs under 1 MB', async () => {
  const plan = await runtime.plan({ selection: '*' });
  expect(plan.steps.length).toBeGreaterThanOrEqual(1300);
  const runId = crypto.randomUUID();
  // NOTE: started outside the server (as the CLI would); every step waits until the page watches.
  const execution = runtime.execute(plan, { runId, concurrency: 4 });
  await expect.poll(async () => (await runtime.store.getRun(runId))?.status).toBe('running');

  // A new browser with no cache, signed in: everything it loads for the run page is counted.
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const errors: string[] = [];
  try {
    const response = await context.request.post(`${base}api/session`, { data: { token: TOKEN } });
    expect(response.status()).toBe(200);
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const received = new Map<string, number>();
    const finished = new Map<string, number>();
    const urls = new Map<string, string>();
    cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
    cdp.on('Network.dataReceived', (e) =>
      received.set(e.requestId, (received.get(e.requestId) ?? 0) + e.encodedDataLength),
    );
    cdp.on('Network.loadingFinished', (e) => finished.set(e.requestId, e.encodedDataLength));
    cdp.on('Network.loadingFailed', (e) => finished.set(e.requestId, received.get(e.requestId) ?? 0));
    const transferred = () => {
      let total = 0;
      for (const id of new Set([...received.keys(), ...finished.keys()]))
        total += Math.max(finished.get(id) ?? 0, received.get(id) ?? 0);
      return total;
    };

    await page.goto(`${base}#/runs/${runId}`);
    await page.waitForSelector('[data-testid="run-status"][data-status="running"]');
    await page.waitForSelector('[data-testid="run-live"]:visible');
    await expect.poll(() => [...urls.values()].some((u) => u.includes('/stream'))).toBe(true);
    release();
    const result = await execution;
    expect(result.status).toBe('success');
    await page.waitForSelector('[data-testid="run-status"][data-status="success"]', { timeout: 60_000 });
    await page.waitForSelector('[data-testid="run-live"]', { state: 'hidden' });
    // the closing fetch of the step table has landed when the header shows the final counts
    const counts = page.locator('[data-testid="run-step-counts"]');
    await expect
      .poll(() => counts.getAttribute('data-success'), { timeout: 20_000 })
      .toBe(String(plan.steps.length));
    await page.waitForLoadState('networkidle');

    // step counts equal the run's: every planned step succeeded, none is left waiting or running
    const stepEvents = await runtime.store.listEvents({ runId, types: ['step_success'] });
    expect(stepEvents).toHaveLength(plan.steps.length);
    for (const status of ['running', 'pending', 'failed', 'check-failed', 'skipped'])
      expect(await counts.getAttribute(`data-${status}`), status).toBe('0');
    expect(await counts.textContent()).toBe(`${plan.steps.length} succeeded`);
    expect((await runtime.store.listEvents({ runId })).length).toBeGreaterThan(5000);

    // the axis ends at the run's end: its duration by the run's own events, as the header says
    const [start] = await runtime.store.listEvents({ runId, types: ['run_start'] });
    const [end] = await runtime.store.listEvents({ runId, types: ['run_success'] });
    const duration = Date.parse(end.ts) - Date.parse(start.ts);
    const gantt = page.locator('[data-testid="run-gantt"]');
    expect(Number(await gantt.getAttribute('data-axis-end-ms'))).toBe(duration);
    expect(Number(await page.locator('[data-testid="run-duration"]').getAttribute('data-ms'))).toBe(duration);
    expect(await page.locator('[data-testid="axis-end"]').textContent()).toBe(
      await page.locator('[data-testid="run-duration"]').textContent(),
    );
    // one row per asset (15), not one per step; every bar inside the axis
    expect(await page.locator('[data-testid="timeline-asset"]').count()).toBe(15);
    expect(await page.locator('[data-testid="timeline-bar"]').count()).toBe(plan.steps.length);
    const box = (await gantt.boundingBox())!;
    expect(box.height).toBeLessThan(1000);
    const axisX = Number(await page.locator('[data-testid="axis-end-line"]').getAttribute('x1'));
    const rightmost = await page
      .locator('[data-testid="timeline-bar"]')
      .evaluateAll((bars) =>
        Math.max(...bars.map((b) => Number(b.getAttribute('x')) + Number(b.getAttribute('width')))),
      );
    expect(rightmost).toBeLessThanOrEqual(axisX + 1e-6);
    expect(rightmost).toBeGreaterThan(axisX - 20);

    // the page applied the stream: events it never fetched as a page are listed, newest first
    const shown = await page.locator('[data-testid="run-event"]').count();
    expect(shown).toBeGreaterThan(100);
    expect(await page.locator('[data-testid="run-event"]').first().getAttribute('data-type')).toBe(
      'run_success',
    );
    // expanding an asset shows its 90 steps
    await page
      .locator('[data-testid="timeline-asset"][data-asset="c1_s2"] [data-testid="timeline-toggle"]')
      .click();
    expect(await page.locator('[data-testid="gantt-row"][data-status="success"]').count()).toBe(
      plan.steps.length / 15,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'big-run.png'), fullPage: true });

    const bytes = transferred();
    const stream = [...urls]
      .filter(([, u]) => u.includes('/stream'))
      .map(([id]) => Math.max(finished.get(id) ?? 0, received.get(id) ?? 0));
    console.info(
      `watched a run of ${plan.steps.length} steps and ${(await runtime.store.listEvents({ runId })).length} events live: ${bytes} bytes transferred in ${urls.size} requests (event stream ${stream.join(' + ')} bytes)`,
    );
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(ONE_MB);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});
