import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import shopflow from '../../assets/definitions.js';
import type { ShopflowRuntime } from '../../framework/index.js';
import { createServer } from '../../server/create-server.js';
import { openTestRuntime, silentLog, tempHome } from '../support/example-runtime.js';

let home: ReturnType<typeof tempHome>;
let runtime: ShopflowRuntime;
let app: FastifyInstance;
let browser: Browser;
let page: Page;
let base: string;

beforeAll(async () => {
  home = tempHome('shopflow-e2e-money-');
  runtime = await openTestRuntime(shopflow, home.home);
  app = createServer({ runtime, host: '127.0.0.1', port: 0, log: silentLog, readOnly: true });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await runtime?.close();
  home?.cleanup();
});

/** The schema table of an asset page as column → type, read from the rendered page. */
async function schemaTypes(asset: string): Promise<Record<string, string>> {
  await page.goto(`${base}#/assets/${asset}`);
  await page.waitForSelector('[data-testid="schema-table"]');
  const rows = await page
    .locator('[data-testid="schema-row"]')
    .evaluateAll((trs) =>
      trs.map((tr) => [tr.getAttribute('data-column'), tr.querySelector('code.type')?.textContent]),
    );
  return Object.fromEntries(rows);
}

describe('the asset page shows money as stored', () => {
  test('PostgreSQL and lake facts show their DECIMAL precision and scale, not DOUBLE', async () => {
    const facts = await schemaTypes('fact_sales');
    expect([facts.unit_price, facts.amount]).toEqual(['DECIMAL(12,2)', 'DECIMAL(14,2)']);
    const lakeFacts = await schemaTypes('lake_fact_sales');
    expect([lakeFacts.unit_price, lakeFacts.amount]).toEqual(['DECIMAL(12,2)', 'DECIMAL(18,2)']);
    const daily = await schemaTypes('gold_sales_daily');
    expect([daily.revenue, daily.average_order_value]).toEqual(['DECIMAL(18,2)', 'DECIMAL(18,2)']);
    const features = await schemaTypes('customer_features');
    expect(features.monetary).toBe('DECIMAL(18,2)');
  });
});
