import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ShopflowRuntime, summarizeAssetStatus } from '../../framework/index.js';
import { createServer } from '../../server/create-server.js';
import { exampleDefinitions } from '../fixtures/example-graph.js';
import { openTestRuntime, silentLog, tempHome } from '../support/example-runtime.js';

const NOW = new Date('2024-01-08T06:00:00.000Z');
const TOKEN = 'e2e-token-0123456789abcdef';
const SCREENSHOTS = join('test-results', 'screenshots');
/** The colours the page must use per status (app.css). */
const COLOURS: Record<string, string> = {
  fresh: 'rgb(22, 163, 74)',
  stale: 'rgb(217, 119, 6)',
  missing: 'rgb(148, 163, 184)',
  failed: 'rgb(220, 38, 38)',
  running: 'rgb(37, 99, 235)',
  overdue: 'rgb(234, 88, 12)',
};

let home: ReturnType<typeof tempHome>;
let runtime: ShopflowRuntime;
let app: FastifyInstance;
let browser: Browser;
let page: Page;
let base: string;
let releaseStations!: () => void;
const stationsHeld = new Promise<void>((resolve) => {
  releaseStations = resolve;
});
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  home = tempHome('shopflow-e2e-');
  // readings[2024-01-05] fails (so daily_stats is stale); stations waits for the test once launched from the page.
  const definitions = exampleDefinitions({
    failDays: ['2024-01-05'],
    gate: async (assetKey) => (assetKey === 'stations' ? stationsHeld : undefined),
  });
  runtime = await openTestRuntime(definitions, home.home, { now: () => NOW });
  await runtime.execute(await runtime.plan({ selection: '+daily_stats' }));
  await runtime.execute(await runtime.plan({ selection: 'notes' }));
  app = createServer({ runtime, token: TOKEN, host: '127.0.0.1', port: 0, log: silentLog, eventPollMs: 100 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
});

afterAll(async () => {
  releaseStations();
  await browser?.close();
  await app?.close();
  await runtime?.close();
  home?.cleanup();
});

const node = (key: string) => page.locator(`[data-testid="graph-node"][data-key="${key}"]`);

describe('the ShopFlow page', () => {
  test('the lineage graph colours every asset by its status', async () => {
    await page.goto(base);
    await expect.poll(() => page.locator('[data-testid="graph-node"]').count()).toBe(6);
    const expected = summarizeAssetStatus(runtime.graph, await runtime.store.listAssetPartitionStates(), NOW);
    expect(new Set([...expected.values()].map((s) => s.status))).toEqual(
      new Set(['fresh', 'failed', 'stale', 'missing']),
    );
    for (const [key, summary] of expected) {
      await expect.poll(() => node(key).getAttribute('data-status')).toBe(summary.status);
      const fill = await node(key)
        .locator('.node-accent')
        .evaluate((el) => getComputedStyle(el).fill);
      expect(fill).toBe(COLOURS[summary.status]);
    }
    expect(await node('daily_stats').locator('title').textContent()).toContain(
      '2024-01-05: never materialized',
    );
    expect(await node('readings').locator('title').textContent()).toContain(
      'source has no file for 2024-01-05',
    );
    expect(await node('readings').textContent()).toContain('6/7 parts');
    expect(await page.locator('[data-testid="graph-group"]').count()).toBe(3);
    await page.screenshot({ path: join(SCREENSHOTS, 'graph.png') });
  });

  test('clicking an asset highlights its lineage; its page shows schema, partitions, history and data', async () => {
    await node('daily_stats').click();
    await expect.poll(() => node('readings').getAttribute('class')).toContain('upstream');
    expect(await node('weekly_stats').getAttribute('class')).toContain('downstream');
    expect(await node('stations').getAttribute('class')).toContain('dim');
    expect(await page.locator('[data-testid="details-status"]').textContent()).toBe('Stale');
    await page.screenshot({ path: join(SCREENSHOTS, 'graph-selected.png') });

    await page.click('[data-testid="open-asset"]');
    await page.waitForSelector('[data-testid="schema-table"]');
    expect(await page.locator('[data-testid="asset-title"]').textContent()).toBe('daily_stats');
    expect(
      await page
        .locator('[data-testid="schema-row"]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-column'))),
    ).toEqual(['station_id', 'min_t', 'max_t', 'mean_t']);
    expect(await page.locator('[data-testid="asset-status"]').getAttribute('data-status')).toBe('stale');
    expect(await page.locator('[data-testid="history-bar"]').count()).toBe(6);
    expect(await page.locator('[data-testid="partition-cell"]').count()).toBe(7);
    expect(
      await page
        .locator('[data-testid="partition-cell"][data-partition="2024-01-05"]')
        .getAttribute('data-state'),
    ).toBe('missing');
    expect(await page.locator('[data-testid="lineage-inputs"] tbody tr').count()).toBe(1);
    await expect.poll(() => page.locator('[data-testid="preview-table"] tbody tr').count()).toBe(3);
    await page.screenshot({ path: join(SCREENSHOTS, 'asset.png'), fullPage: true });
  });

  test('a POST without the token is refused', async () => {
    const status = await page.evaluate(async () => {
      const response = await fetch('/api/runs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"selection":"stations"}',
      });
      return response.status;
    });
    expect(status).toBe(401);
    const wrong = await page.evaluate(async () => {
      const response = await fetch('/api/runs', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer wrong-token-wrong-token' },
        body: '{"selection":"stations"}',
      });
      return (await response.json()).error.code;
    });
    expect(wrong).toBe('SF_UNAUTHORIZED');
    expect(await runtime.store.listRuns()).toHaveLength(2);
  });

  test('launching from the page: preview the plan, launch with the token, watch the run succeed live', async () => {
    await page.goto(`${base}#/`);
    await node('stations').click();
    await page.click('[data-testid="graph-details"] a:has-text("Materialize")');
    await page.waitForSelector('[data-testid="launch-form"]');
    expect(await page.inputValue('[data-testid="launch-selection"]')).toBe('stations');
    expect(await page.isDisabled('[data-testid="launch-run"]')).toBe(true);
    await page.fill('[data-testid="launch-token"]', 'not-the-token-0123456');
    await page.click('[data-testid="preview-plan"]');
    await page.waitForSelector('[data-testid="plan-step"]');
    expect(
      await page
        .locator('[data-testid="plan-step"]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-step'))),
    ).toEqual(['stations']);
    await page.screenshot({ path: join(SCREENSHOTS, 'launch.png'), fullPage: true });

    await page.click('[data-testid="launch-run"]');
    await page.waitForSelector('[data-testid="launch-error"]');
    expect(await page.locator('[data-testid="launch-error"]').textContent()).toContain('SF_UNAUTHORIZED');

    await page.fill('[data-testid="launch-token"]', TOKEN);
    expect(await page.evaluate(() => sessionStorage.getItem('shopflow.token'))).toBe(TOKEN);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await page.click('[data-testid="launch-run"]');
    await page.waitForURL(/#\/runs\/[0-9a-f-]{36}$/);
    const runId = page.url().split('/').at(-1)!;
    await page.waitForSelector('[data-testid="run-status"][data-status="running"]');
    await page.waitForSelector('[data-testid="run-live"]:visible');
    await page.waitForSelector('[data-testid="gantt-row"][data-step="stations"][data-status="running"]');
    await page.screenshot({ path: join(SCREENSHOTS, 'run-running.png'), fullPage: true });

    releaseStations();
    await page.waitForSelector('[data-testid="run-status"][data-status="success"]', { timeout: 20_000 });
    await page.waitForSelector('[data-testid="gantt-row"][data-step="stations"][data-status="success"]');
    await page.waitForSelector('[data-testid="run-live"]', { state: 'hidden' });
    const types = await page
      .locator('[data-testid="run-event"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
    expect(types[0]).toBe('run_start');
    expect(types).toContain('step_success');
    expect(types.at(-1)).toBe('run_success');
    expect((await runtime.store.getRun(runId))!.status).toBe('success');
    await page.screenshot({ path: join(SCREENSHOTS, 'run.png'), fullPage: true });

    await page.goto(`${base}#/runs`);
    await page.waitForSelector(`[data-testid="run-row"][data-run-id="${runId}"]`);
    await page.screenshot({ path: join(SCREENSHOTS, 'runs.png') });
    await page.goto(`${base}#/`);
    await expect.poll(() => node('stations').getAttribute('data-status')).toBe('fresh');
  });

  test('no script errors on any page', () => {
    expect(pageErrors.filter((e) => !e.includes('401'))).toEqual([]);
  });
});
