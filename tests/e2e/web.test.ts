import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PII_MASK, type ShopflowRuntime, summarizeAssetStatus } from '../../framework/index.js';
import { createServer } from '../../server/create-server.js';
import { exampleDefinitions } from '../fixtures/example-graph.js';
import { launchChromium } from '../support/chromium.js';
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
let kiosk: FastifyInstance;
let browser: Browser;
let page: Page;
let base: string;
let kioskBase: string;
let failedRunId: string;
let releaseStations!: () => void;
const stationsHeld = new Promise<void>((resolve) => {
  releaseStations = resolve;
});
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  home = tempHome('shopflow-e2e-');
  // readings[2024-01-05] fails (so daily_stats is stale); stations waits for the test once launched
  // from the page; station names are personal data.
  const definitions = exampleDefinitions({
    failDays: ['2024-01-05'],
    piiNames: true,
    explainStats: true,
    gate: async (assetKey) => (assetKey === 'stations' ? stationsHeld : undefined),
  });
  runtime = await openTestRuntime(definitions, home.home, { now: () => NOW });
  failedRunId = (await runtime.execute(await runtime.plan({ selection: '+daily_stats' }))).runId;
  await runtime.execute(await runtime.plan({ selection: 'notes' }));
  app = createServer({ runtime, token: TOKEN, host: '127.0.0.1', port: 0, log: silentLog, eventPollMs: 100 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/`;
  kiosk = createServer({
    runtime,
    token: TOKEN,
    publicRead: true,
    host: '127.0.0.1',
    port: 0,
    log: silentLog,
  });
  await kiosk.listen({ host: '127.0.0.1', port: 0 });
  kioskBase = `http://127.0.0.1:${(kiosk.server.address() as { port: number }).port}/`;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('response', (r) => {
    if (r.status() >= 400) pageErrors.push(`HTTP ${r.status()} ${r.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
});

afterAll(async () => {
  releaseStations();
  await browser?.close();
  await app?.close();
  await kiosk?.close();
  await runtime?.close();
  home?.cleanup();
});

const node = (key: string) => page.locator(`[data-testid="graph-node"][data-key="${key}"]`);

describe('the ShopFlow page', () => {
  test('asks for the token first; a wrong one is refused; the session lives in an HttpOnly cookie', async () => {
    await page.goto(base);
    await page.waitForSelector('[data-testid="sign-in-form"]');
    expect(await page.locator('[data-testid="graph-node"]').count()).toBe(0);
    await page.fill('[data-testid="sign-in-token"]', 'not-the-token-0123456789');
    await page.click('[data-testid="sign-in-submit"]');
    await page.waitForSelector('[data-testid="sign-in-error"]');
    await page.screenshot({ path: join(SCREENSHOTS, 'sign-in.png') });
    await page.fill('[data-testid="sign-in-token"]', TOKEN);
    await page.click('[data-testid="sign-in-submit"]');
    await page.waitForSelector('[data-testid="graph-node"]');
    await page.waitForSelector('[data-testid="sign-out"]');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'shopflow_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    expect(stored).not.toContain(TOKEN);
  });

  test('the lineage graph colours every asset by its status', async () => {
    await page.goto(base);
    await expect.poll(() => page.locator('[data-testid="graph-node"]').count()).toBe(6);
    const expected = summarizeAssetStatus(runtime.graph, await runtime.store.listPlannerStates(), NOW);
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

  test('"Materialize stale and missing" opens the launch page with every asset that has something to do', async () => {
    const planned = [
      ...summarizeAssetStatus(runtime.graph, await runtime.store.listPlannerStates(), NOW).values(),
    ]
      .filter((s) => s.planned > 0)
      .map((s) => s.assetKey);
    await page.click('[data-testid="materialize-stale"]');
    await page.waitForSelector('[data-testid="launch-form"]');
    expect((await page.inputValue('[data-testid="launch-selection"]')).split(',').sort()).toEqual(
      planned.sort(),
    );
    await page.click('[data-testid="preview-plan"]');
    await page.waitForSelector('[data-testid="plan-step"]');
    const plan = await runtime.plan({ selection: planned.join(',') });
    expect(await page.locator('[data-testid="plan-step"]').count()).toBe(plan.steps.length);
  });

  test('clicking an asset highlights its lineage; its page shows schema, partitions, history and data', async () => {
    await page.goto(`${base}#/`);
    await node('daily_stats').click();
    await expect.poll(() => node('readings').getAttribute('class')).toContain('upstream');
    expect(await node('weekly_stats').getAttribute('class')).toContain('downstream');
    expect(await node('stations').getAttribute('class')).toContain('dim');
    expect(await page.locator('[data-testid="details-status"]').textContent()).toBe('Stale');

    await page.click('[data-testid="open-asset"]');
    await page.waitForSelector('[data-testid="schema-table"]');
    expect(await page.locator('[data-testid="asset-title"]').textContent()).toBe('daily_stats');
    expect(await page.locator('[data-testid="asset-status"]').getAttribute('data-status')).toBe('stale');
    expect(await page.locator('[data-testid="history-bar"]').count()).toBe(6);
    expect(await page.locator('[data-testid="partition-cell"]').count()).toBe(7);
    expect(
      await page
        .locator('[data-testid="partition-cell"][data-partition="2024-01-05"]')
        .getAttribute('data-state'),
    ).toBe('missing');
    // the header and the legend say the same, in the same words
    const header = await page.locator('[data-testid="asset-partition-counts"]').textContent();
    const legend = await page.locator('[data-testid="heat-materialized"]').textContent();
    expect(header).toContain('Materialized 6 of 7');
    expect(legend).toContain('Materialized 6 of 7');
    expect(header).toContain('Fresh 6 · Missing 1');
    expect(await page.locator('[data-testid="heat-count-fresh"]').textContent()).toBe('Fresh 6');
    expect(await page.locator('[data-testid="heat-count-missing"]').textContent()).toBe('Missing 1');
    await expect.poll(() => page.locator('[data-testid="preview-table"] tbody tr').count()).toBe(3);
    await page.screenshot({ path: join(SCREENSHOTS, 'asset.png'), fullPage: true });
  });

  test("the schema shows each column's class and the upstream columns it is computed from, linked", async () => {
    await page.goto(`${base}#/assets/station_summary`);
    await page.waitForSelector('[data-testid="schema-table"]');
    const row = (column: string) => page.locator(`[data-testid="schema-row"][data-column="${column}"]`);
    expect(await row('name').locator('[data-testid="column-class"]').textContent()).toBe(
      'confidential · other',
    );
    expect(await row('name').locator('[data-testid="column-lineage"]').textContent()).toBe('stations.name');
    expect(await row('max_t').locator('[data-testid="column-class"]').textContent()).toBe('internal');
    expect(await row('max_t').locator('[data-testid="column-lineage"]').textContent()).toBe(
      'daily_stats.max_t (aggregation)',
    );
    await row('max_t').locator('[data-testid="column-lineage"] a').click();
    await expect.poll(() => page.locator('[data-testid="asset-title"]').textContent()).toBe('daily_stats');
  });

  test('the partition strip of a 90-partition asset fits its card at 1600 px', async () => {
    const wide = await openTestRuntime(exampleDefinitions({ start: '2023-10-10' }), join(home.home, 'wide'), {
      now: () => NOW,
    });
    const server = createServer({ runtime: wide, token: TOKEN, host: '127.0.0.1', port: 0, log: silentLog });
    try {
      await wide.execute(await wide.plan({ selection: 'readings' }));
      await server.listen({ host: '127.0.0.1', port: 0 });
      const wideBase = `http://127.0.0.1:${(server.server.address() as { port: number }).port}/`;
      const other = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      try {
        await other.goto(`${wideBase}#/sign-in`);
        await other.fill('[data-testid="sign-in-token"]', TOKEN);
        await other.click('[data-testid="sign-in-submit"]');
        await other.waitForSelector('[data-testid="graph-node"]');
        await other.goto(`${wideBase}#/assets/readings`);
        await other.waitForSelector('[data-testid="partition-heat-strip"]');
        const cells = await other.locator('[data-testid="partition-cell"]').count();
        expect(cells).toBeGreaterThanOrEqual(90);
        const strip = (await other.locator('[data-testid="partition-heat-strip"]').boundingBox())!;
        const card = (await other.locator('[data-testid="asset-partitions"]').boundingBox())!;
        expect(strip.x).toBeGreaterThanOrEqual(card.x);
        expect(strip.x + strip.width).toBeLessThanOrEqual(card.x + card.width);
        const last = (await other.locator('[data-testid="partition-cell"]').last().boundingBox())!;
        expect(last.x + last.width).toBeLessThanOrEqual(card.x + card.width);
        await other.screenshot({ path: join(SCREENSHOTS, 'asset-90-partitions.png'), fullPage: true });
      } finally {
        await other.close();
      }
    } finally {
      await server.close();
      await wide.close();
    }
  });

  test('a failed run offers "Re-execute from failure", which starts a retry of it', async () => {
    await page.goto(`${base}#/runs/${failedRunId}`);
    await page.waitForSelector('[data-testid="run-status"][data-status="failed"]');
    const counts = page.locator('[data-testid="run-step-counts"]');
    expect(await counts.getAttribute('data-failed')).toBe('1');
    const expanded = page.locator(
      '[data-testid="timeline-asset"][data-asset="readings"] [data-testid="timeline-toggle"]',
    );
    await expanded.click();
    await page.waitForSelector(
      '[data-testid="gantt-row"][data-step="readings[2024-01-05]"][data-status="failed"]',
    );
    await page.click('[data-testid="run-retry"]');
    await page.waitForURL(
      (url) => /#\/runs\/[0-9a-f-]{36}$/.test(url.hash) && !url.hash.includes(failedRunId),
    );
    const retryId = page.url().split('/').at(-1)!;
    await page.waitForSelector(`a[href="#/runs/${failedRunId}"]`);
    await expect.poll(async () => (await runtime.store.getRun(retryId))?.parentRunId).toBe(failedRunId);
  });

  test('launching from the page: preview the plan, launch with the session, watch the run succeed live, see its data masked', async () => {
    await page.goto(`${base}#/`);
    await node('stations').click();
    await page.click('[data-testid="graph-details"] a:has-text("Materialize")');
    await page.waitForSelector('[data-testid="launch-form"]');
    expect(await page.inputValue('[data-testid="launch-selection"]')).toBe('stations');
    expect(await page.isDisabled('[data-testid="launch-run"]')).toBe(true);
    await page.click('[data-testid="preview-plan"]');
    await page.waitForSelector('[data-testid="plan-step"]');
    expect(
      await page
        .locator('[data-testid="plan-step"]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-step'))),
    ).toEqual(['stations']);
    await page.screenshot({ path: join(SCREENSHOTS, 'launch.png'), fullPage: true });

    await page.click('[data-testid="launch-run"]');
    await page.waitForURL(/#\/runs\/[0-9a-f-]{36}$/);
    const runId = page.url().split('/').at(-1)!;
    await page.waitForSelector('[data-testid="run-status"][data-status="running"]');
    await page.waitForSelector('[data-testid="run-live"]:visible');
    await page.waitForSelector('[data-testid="timeline-bar"][data-step="stations"][data-status="running"]');
    await page.screenshot({ path: join(SCREENSHOTS, 'run-running.png'), fullPage: true });

    releaseStations();
    await page.waitForSelector('[data-testid="run-status"][data-status="success"]', { timeout: 20_000 });
    await page.waitForSelector('[data-testid="timeline-bar"][data-step="stations"][data-status="success"]');
    await page.waitForSelector('[data-testid="run-live"]', { state: 'hidden' });
    const types = await page
      .locator('[data-testid="run-event"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
    expect(types[0]).toBe('run_success');
    expect(types).toContain('step_success');
    expect(types.at(-1)).toBe('run_start');
    expect((await runtime.store.getRun(runId))!.status).toBe('success');
    await page.screenshot({ path: join(SCREENSHOTS, 'run.png'), fullPage: true });

    await page.goto(`${base}#/runs`);
    await page.waitForSelector(`[data-testid="run-row"][data-run-id="${runId}"]`);
    await page.screenshot({ path: join(SCREENSHOTS, 'runs.png') });
    await page.goto(`${base}#/`);
    await expect.poll(() => node('stations').getAttribute('data-status')).toBe('fresh');

    // daily_stats records its DuckDB plan (explain: true): the asset page shows the latest one.
    await page.goto(`${base}#/assets/daily_stats`);
    await page.waitForSelector(
      '[data-testid="asset-page"][data-key="daily_stats"] [data-testid="asset-plan"] pre',
    );
    expect(await page.locator('[data-testid="asset-plan"] pre').textContent()).toMatch(/HASH_GROUP_BY/);
    await page.goto(`${base}#/assets/stations`);
    await page.waitForSelector(
      '[data-testid="asset-page"][data-key="stations"] [data-testid="preview-table"]',
    );
    expect(await page.locator('[data-testid="preview-table"] tbody tr').count()).toBe(3);
    // stations returns rows, not a statement: no plan card.
    expect(await page.locator('[data-testid="asset-plan"]').count()).toBe(0);
    expect(
      await page.locator('[data-testid="preview-table"] th[data-column="name"]').getAttribute('data-masked'),
    ).toBe('true');
    const table = await page.locator('[data-testid="preview-table"]').textContent();
    expect(table).toContain(PII_MASK);
    expect(table).not.toContain('North');
  });

  test('signing out returns to the sign-in screen and the API refuses the old cookie', async () => {
    await page.click('[data-testid="sign-out"]');
    await page.waitForSelector('[data-testid="sign-in-form"]');
    const status = await page.evaluate(async () => (await fetch('/api/graph')).status);
    expect(status).toBe(401);
  });

  test('a public-read server shows its data without the token, says so, and asks for it only to launch', async () => {
    const visitor = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await visitor.goto(kioskBase);
      await visitor.waitForSelector('[data-testid="graph-node"]');
      await visitor.waitForSelector('[data-testid="public-read-badge"]');
      await visitor.waitForSelector('[data-testid="sign-in-link"]');
      await visitor.goto(`${kioskBase}#/launch?selection=stations`);
      await visitor.waitForSelector('[data-testid="launch-sign-in"]');
      await visitor.click('[data-testid="preview-plan"]');
      await visitor.waitForSelector('[data-testid="plan-summary"]');
      expect(await visitor.isDisabled('[data-testid="launch-run"]')).toBe(true);
      await visitor.screenshot({ path: join(SCREENSHOTS, 'public-read.png') });
    } finally {
      await visitor.close();
    }
  });

  test('no script errors on any page', () => {
    expect(pageErrors.filter((e) => !e.includes('401') && !e.includes('Unauthorized'))).toEqual([]);
  });
});
