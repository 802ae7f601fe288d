import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import shopflow from '../../assets/definitions.js';
import { ClickstreamConsumer } from '../../assets/streaming/clickstream-consumer.js';
import { produceClickstream } from '../../assets/streaming/clickstream-producer.js';
import { LiveClickstream } from '../../assets/streaming/clickstream-sources.js';
import type { ShopflowRuntime } from '../../framework/index.js';
import type { StreamTransport } from '../../resources/stream/stream-transport.js';
import { createServer } from '../../server/create-server.js';
import { testStreamSettings } from '../integration/stream/stream-fixture.js';
import { openTestRuntime, silentLog, tempHome } from '../support/example-runtime.js';
import { startTestKinesis, type TestKinesis } from '../support/test-kinesis.js';

const SCREENSHOTS = join('test-results', 'screenshots');
let home: ReturnType<typeof tempHome>;
let kinesis: TestKinesis;
let transport: StreamTransport;
let runtime: ShopflowRuntime;
let app: FastifyInstance;
let browser: Browser;
let page: Page;
let base: string;
let consumer: ClickstreamConsumer;
let consuming: Promise<void> | null = null;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  home = tempHome('shopflow-stream-e2e-');
  kinesis = await startTestKinesis();
  transport = await kinesis.transport('live', 2);
  runtime = await openTestRuntime(shopflow, home.home);
  app = createServer({ runtime, host: '127.0.0.1', port: 0, log: silentLog, eventPollMs: 100 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  consumer?.stop();
  await consuming;
  await browser?.close();
  await app?.close();
  await runtime?.close();
  await kinesis?.stop();
  home?.cleanup();
});

const text = async (testId: string) => (await page.locator(`[data-testid="${testId}"]`).textContent()) ?? '';
const number = async (testId: string) => Number((await text(testId)).replace(/[^0-9.]/g, '') || 'NaN');

describe('the live stream page', () => {
  test('before any consumer ran it says how to start one', async () => {
    await page.goto(`${base}#/stream`);
    await page.waitForSelector('[data-testid="stream-empty"]');
    expect(await page.locator('[data-testid="nav-stream"]').getAttribute('aria-current')).toBe('page');
  });

  test('producing events changes the tiles live, over server-sent events', async () => {
    consumer = new ClickstreamConsumer({
      runtime,
      transport,
      settings: testStreamSettings('live'),
      log: silentLog,
      publishEveryMs: 100,
    });
    await consumer.start();
    consuming = consumer.run();
    await page.waitForSelector('[data-testid="stream-dashboard"] [data-testid="stream-events-total"]');
    expect(await number('stream-events-total')).toBe(0);
    expect(await page.locator('[data-testid="stream-live"]').isHidden()).toBe(false);
    const seqBefore = await text('stream-seq');

    await produceClickstream({
      transport,
      source: new LiveClickstream({ seed: 3, scale: 0.2 }, 400),
      rate: 400,
      durationMs: 2_500,
      behaviour: { disorderShare: 0.05, lateShare: 0, duplicateShare: 0.05, malformedShare: 0.02 },
    });
    await expect.poll(() => number('stream-events-total'), { timeout: 20_000 }).toBeGreaterThan(500);
    expect(await text('stream-seq')).not.toBe(seqBefore);
    expect(await number('stream-active-sessions')).toBeGreaterThan(10);
    await expect.poll(() => number('stream-duplicates'), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await number('stream-dead-letters')).toBeGreaterThan(0);
    expect(
      Number(await page.locator('[data-testid="stream-sparkline"]').getAttribute('data-points')),
    ).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="stream-top-products"] tbody tr').count()).toBeGreaterThan(0);
    expect(await text('stream-watermark-lag')).toMatch(/\d/);
    // Stream health: every shard with its lag and position, the last checkpoint.
    expect(await page.locator('[data-testid="stream-shards"] tbody tr').count()).toBe(2);
    expect(await text('stream-consumer-state')).toBe('Consumer running');
    expect(await text('stream-last-checkpoint')).not.toBe('never');
    await page.screenshot({ path: join(SCREENSHOTS, 'stream.png'), fullPage: true });

    // More events move the numbers again.
    const before = await number('stream-events-total');
    await produceClickstream({
      transport,
      source: new LiveClickstream({ seed: 4, scale: 0.2 }, 400),
      rate: 400,
      durationMs: 1_000,
      behaviour: { disorderShare: 0, lateShare: 0, duplicateShare: 0, malformedShare: 0 },
    });
    await expect
      .poll(() => number('stream-events-total'), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(before + 300);
    expect(pageErrors).toEqual([]);
  });

  test('the Automation page shows the consumer running, then stopped once it ends', async () => {
    await page.goto(`${base}#/automation`);
    const card = page.locator('[data-testid="stream-consumer-health"]');
    await card.waitFor();
    expect(await card.locator('[data-testid="stream-consumer-state"]').getAttribute('data-state')).toBe(
      'running',
    );
    expect(await card.locator('a[href="#/stream"]').count()).toBe(1);
    expect(await card.locator('[data-testid="stream-shard-lag"]').textContent()).toMatch(/\d/);
    expect(await card.locator('[data-testid="stream-last-checkpoint"]').textContent()).not.toBe('none yet');

    consumer.stop();
    await consuming;
    consuming = null;
    await page.reload();
    await card.waitFor();
    expect(await card.locator('[data-testid="stream-consumer-state"]').getAttribute('data-state')).toBe(
      'stopped',
    );
    expect(await card.textContent()).toContain('shopflow stream consume');

    // The stream page agrees.
    await page.goto(`${base}#/stream`);
    await page.waitForSelector('[data-testid="stream-consumer-state"]');
    expect(await text('stream-consumer-state')).toBe('Consumer stopped');
    expect(pageErrors).toEqual([]);
  });
});
