import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildQualityReport, PII_MASK, readPauseState, type ShopflowRuntime } from '../../framework/index.js';
import { serverAutomation } from '../../schedules/index.js';
import { createServer } from '../../server/create-server.js';
import {
  type OperationsState,
  operationsDefinitions,
  prepareOperationsState,
} from '../fixtures/operations-state.js';
import { launchChromium } from '../support/chromium.js';
import { openTestRuntime, silentLog, tempHome } from '../support/example-runtime.js';

const TOKEN = 'operations-token-0123456789abcdef';
const SCREENSHOTS = join('test-results', 'screenshots');
const clock = { now: new Date('2024-01-08T06:00:00.000Z') };

let home: ReturnType<typeof tempHome>;
let runtime: ShopflowRuntime;
let state: OperationsState;
let app: FastifyInstance;
let kiosk: FastifyInstance;
let base: string;
let kioskBase: string;
let browser: Browser;
let page: Page;
let hold: Promise<void> | undefined;
let release = () => {};
const holdReadings = {
  hold: () => {
    hold = new Promise<void>((resolve) => {
      release = resolve;
    });
  },
  release: () => release(),
};
const pageErrors: string[] = [];

async function listen(options: { publicRead?: boolean } = {}): Promise<[FastifyInstance, string]> {
  const server = createServer({
    runtime,
    token: TOKEN,
    host: '127.0.0.1',
    port: 0,
    log: silentLog,
    eventPollMs: 100,
    automation: serverAutomation,
    ...options,
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  return [server, `http://127.0.0.1:${(server.server.address() as { port: number }).port}/`];
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  home = tempHome('shopflow-operations-e2e-');
  runtime = await openTestRuntime(operationsDefinitions({ hold: () => hold }), home.home, {
    now: () => clock.now,
  });
  state = await prepareOperationsState(runtime, clock, holdReadings);
  [app, base] = await listen();
  [kiosk, kioskBase] = await listen({ publicRead: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await page.goto(`${base}#/sign-in`);
  await page.fill('[data-testid="sign-in-token"]', TOKEN);
  await page.click('[data-testid="sign-in-submit"]');
  await page.waitForSelector('[data-testid="sign-out"]');
});

afterAll(async () => {
  release();
  await browser?.close();
  await app?.close();
  await kiosk?.close();
  await state?.daemon.close();
  await runtime?.close();
  home?.cleanup();
});

const row = (name: string) => page.locator(`[data-testid="schedule-row"][data-name="${name}"]`);

describe('the operations pages against real state', () => {
  test('Automation: the daemon, schedules with next and recent ticks (runs and skip reasons), sensors; pause and resume', async () => {
    await page.click('[data-testid="nav-automation"]');
    await page.waitForSelector('[data-testid="schedule-row"]');
    expect(await page.locator('[data-testid="daemon-state"]').getAttribute('data-state')).toBe('running');
    expect(await page.locator('[data-testid="schedule-row"]').count()).toBe(2);
    expect(await row('nightly').locator('[data-testid="schedule-next"] div').count()).toBe(3);
    expect(
      await page.locator('[data-testid="sensor-row"][data-name="landing_watch"]').textContent(),
    ).toContain('no new objects');

    await row('nightly').locator('[data-testid="automation-ticks-toggle"]').click();
    const ticks = await runtime.store.listTicks({ name: 'nightly', kinds: ['schedule'] });
    const launched = page.locator('[data-testid="tick-row"][data-status="launched"]');
    await expect.poll(() => launched.count()).toBe(ticks.filter((t) => t.status === 'launched').length);
    const runLink = launched.first().locator('[data-testid="tick-run"]');
    expect(await runLink.getAttribute('href')).toBe(`#/runs/${ticks[0].runId}`);
    await row('hourly_notes').locator('[data-testid="automation-ticks-toggle"]').click();
    await expect
      .poll(() =>
        page
          .locator('[data-testid="tick-row"][data-status="skipped"] [data-testid="tick-reason"]')
          .first()
          .textContent(),
      )
      .toMatch(/^nothing to do/);
    await page.screenshot({ path: join(SCREENSHOTS, 'automation.png'), fullPage: true });

    await row('hourly_notes').locator('[data-testid="automation-pause"]').click();
    await expect
      .poll(() => row('hourly_notes').locator('[data-state]').getAttribute('data-state'))
      .toBe('paused');
    expect(await readPauseState(runtime.store, 'hourly_notes')).toMatchObject({
      paused: true,
      by: 'the web page',
    });
    // Paused, the daemon claims none of its ticks.
    const before = (await runtime.store.listTicks({ name: 'hourly_notes' })).length;
    clock.now = new Date('2024-01-09T04:00:30Z');
    await state.daemon.tick(clock.now);
    await state.daemon.idle();
    expect((await runtime.store.listTicks({ name: 'hourly_notes' })).length).toBe(before);
    await row('hourly_notes').locator('[data-testid="automation-resume"]').click();
    await expect
      .poll(() => row('hourly_notes').locator('[data-state]').getAttribute('data-state'))
      .toBe('running');
    expect(await readPauseState(runtime.store, 'hourly_notes')).toMatchObject({ paused: false });
  });

  test('without the token (a public-read screen) pausing and canceling are offered disabled and refused', async () => {
    const other = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    try {
      await other.goto(`${kioskBase}#/automation`);
      await other.waitForSelector('[data-testid="schedule-row"]');
      expect(await other.locator('[data-testid="automation-pause"]').first().isDisabled()).toBe(true);
      const status = await other.evaluate(async () => {
        const response = await fetch('/api/schedules/nightly/pause', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        return response.status;
      });
      expect(status).toBe(401);
      await other.goto(`${kioskBase}#/backfills`);
      await other.waitForSelector('[data-testid="backfill-row"]');
      const buttons = other.locator('[data-testid="backfill-cancel"], [data-testid="backfill-resume"]');
      expect(await buttons.count()).toBeGreaterThan(0);
      for (const button of await buttons.all()) expect(await button.isDisabled()).toBe(true);
      expect(await readPauseState(runtime.store, 'nightly')).toBeNull();
    } finally {
      await other.close();
    }
  });

  test('Backfills: progress and every partition; cancel, then resume until it ends', async () => {
    await page.click('[data-testid="nav-backfills"]');
    const listed = page.locator(`[data-testid="backfill-row"][data-id="${state.backfillId}"]`);
    await listed.waitFor();
    expect(await listed.getAttribute('data-status')).toBe('interrupted');
    const partitions = await runtime.store.listBackfillPartitions(state.backfillId);
    const done = partitions.filter((p) => p.status === 'success').length;
    expect(await listed.locator('[data-testid="backfill-progress"]').getAttribute('data-done')).toBe(
      String(done),
    );

    await listed.locator('a').first().click();
    await page.waitForSelector('[data-testid="backfill-partition-row"]');
    const cells = page.locator('[data-testid="backfill-partition-cell"]');
    expect(await cells.count()).toBe(7);
    for (const p of partitions)
      expect(
        await page
          .locator(`[data-testid="backfill-partition-cell"][data-partition="${p.partitionKey}"]`)
          .getAttribute('data-status'),
      ).toBe(p.status);
    await page.screenshot({ path: join(SCREENSHOTS, 'backfill.png'), fullPage: true });

    await page.click('[data-testid="backfill-cancel"]');
    await expect
      .poll(() => page.locator('[data-testid="backfill-status"]').getAttribute('data-status'))
      .toBe('canceled');
    expect((await runtime.store.getBackfill(state.backfillId))!.status).toBe('canceled');
    await page.click('[data-testid="backfill-resume"]');
    await expect
      .poll(async () => (await runtime.store.getBackfill(state.backfillId))!.status, { timeout: 30_000 })
      .toBe('failed');
    await expect
      .poll(() => page.locator('[data-testid="backfill-status"]').getAttribute('data-status'), {
        timeout: 15_000,
      })
      .toBe('failed');
    expect(
      await page
        .locator('[data-testid="backfill-partition-cell"][data-partition="2024-01-05"]')
        .getAttribute('data-status'),
    ).toBe('failed');
  });

  test('Data quality: failing first, trends, the same numbers as `checks --report`, personal data masked', async () => {
    await page.click('[data-testid="nav-quality"]');
    await page.waitForSelector('[data-testid="quality-asset"]');
    const report = await buildQualityReport({ store: runtime.store, graph: runtime.graph, runs: 20 });
    expect(await page.locator('[data-testid="quality-count-fail"]').textContent()).toBe(
      `${report.counts.fail} failing`,
    );
    expect(await page.locator('[data-testid="quality-count-pass"]').textContent()).toBe(
      `${report.counts.pass} passing`,
    );
    const outcomes = await page.$$eval('[data-testid="quality-asset"]', (els) =>
      els.map((el) => el.getAttribute('data-outcome')),
    );
    const rank = (o: string | null) => ['fail', 'warn', 'pass', 'none'].indexOf(o ?? 'none');
    expect(outcomes).toEqual([...outcomes].sort((a, b) => rank(a) - rank(b)));
    expect(outcomes[0]).toBe('fail');

    const contacts = page.locator('[data-testid="quality-asset"][data-asset="contacts"]');
    const sample = contacts.locator('[data-testid="check-sample"]');
    await sample.waitFor();
    expect(await sample.textContent()).toContain(PII_MASK);
    expect(await page.content()).not.toContain('south.example.com');
    const trend = await contacts.locator('[data-testid="check-trend"]').getAttribute('data-outcomes');
    const expected = report.assets
      .find((a) => a.assetKey === 'contacts')!
      .checks[0].trend.map((p) => p.outcome);
    expect(trend).toBe(expected.join(','));
    await page.screenshot({ path: join(SCREENSHOTS, 'quality.png'), fullPage: true });

    await page.check('[data-testid="quality-only-problems"]');
    const shown = await page.$$eval('[data-testid="quality-check"]', (els) =>
      els.map((el) => el.getAttribute('data-outcome')),
    );
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.filter((o) => o !== 'fail' && o !== 'warn')).toEqual([]);
  });

  test('Catalog: every asset; filters by group, owner, tag and status; sorted by last materialization', async () => {
    await page.click('[data-testid="nav-catalog"]');
    await page.waitForSelector('[data-testid="catalog-row"]');
    expect(await page.locator('[data-testid="catalog-row"]').count()).toBe(runtime.graph.keys.length);
    const contacts = page.locator('[data-testid="catalog-row"][data-key="contacts"]');
    expect(await contacts.locator('[data-testid="catalog-personal-data"]').textContent()).toBe('email');
    expect(await contacts.locator('[data-testid="catalog-rows"]').textContent()).toMatch(/^\d[\d,]*$/);
    expect(await contacts.locator('[data-testid="catalog-location"]').textContent()).toMatch(/contacts$/);
    const stamps = await page.$$eval('[data-testid="catalog-row"] td[data-at]', (tds) =>
      tds.map((td) => td.getAttribute('data-at') ?? ''),
    );
    expect(stamps).toEqual([...stamps].sort().reverse());
    await page.selectOption('[data-testid="catalog-filter-group"]', 'reference');
    const keys = () =>
      page.$$eval('[data-testid="catalog-row"]', (rows) =>
        rows.map((r) => r.getAttribute('data-key')).sort(),
      );
    expect(await keys()).toEqual(['contacts', 'notes', 'stations']);
    await page.selectOption('[data-testid="catalog-filter-owner"]', 'operations');
    expect(await keys()).toEqual(['contacts']);
    expect(page.url()).toContain('group=reference');
    await page.selectOption('[data-testid="catalog-filter-group"]', '');
    await page.selectOption('[data-testid="catalog-filter-owner"]', '');
    await page.selectOption('[data-testid="catalog-filter-tag"]', 'report');
    expect(await keys()).toEqual(['station_summary']);
    await page.selectOption('[data-testid="catalog-filter-tag"]', '');
    await page.selectOption('[data-testid="catalog-filter-status"]', 'failed');
    const failed = await page.$$eval('[data-testid="catalog-row"]', (rows) =>
      rows.map((r) => r.getAttribute('data-status')),
    );
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((s) => s === 'failed')).toBe(true);
    await page.selectOption('[data-testid="catalog-filter-status"]', '');
    await page.screenshot({ path: join(SCREENSHOTS, 'catalog.png'), fullPage: true });
  });

  test('a running run is canceled from its page: no new step starts, the step in flight finishes, it ends canceled', async () => {
    holdReadings.hold();
    const plan = await runtime.plan({
      selection: 'readings,daily_stats',
      partitions: { keys: ['2024-01-01', '2024-01-02'] },
      force: true,
    });
    const runId = crypto.randomUUID();
    // NOTE: started outside the server, as the CLI or the daemon would.
    const execution = runtime.execute(plan, { runId, concurrency: 1, cancelPollMs: 100 });
    await expect.poll(async () => (await runtime.store.getRun(runId))?.status).toBe('running');
    await page.goto(`${base}#/runs/${runId}`);
    await page.waitForSelector('[data-testid="run-cancel"]');
    const skipped = new Promise<void>((resolve) => {
      const stop = runtime.onEvent((event) => {
        if (event.runId === runId && event.type === 'step_skipped' && event.data.reason === 'canceled') {
          stop();
          resolve();
        }
      });
    });
    await page.click('[data-testid="run-cancel"]');
    await page.waitForSelector('[data-testid="run-canceling"]');
    await skipped;
    holdReadings.release();
    const result = await execution;
    expect(result.status).toBe('canceled');
    await expect
      .poll(() => page.locator('[data-testid="run-status"]').getAttribute('data-status'))
      .toBe('canceled');
    expect(await page.locator('[data-testid="run-error"]').textContent()).toBe(
      'canceled by the web page: 3 of 4 steps not started',
    );
    await expect
      .poll(() => page.locator('[data-testid="run-event"][data-type="run_cancel_requested"]').count())
      .toBe(1);
    expect(await page.locator('[data-testid="run-retry"]').isEnabled()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'run-canceled.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
