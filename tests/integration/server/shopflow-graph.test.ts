import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, test } from 'vitest';
import shopflow from '../../../assets/definitions.js';
import type { ShopflowRuntime } from '../../../framework/index.js';
import { createServer } from '../../../server/create-server.js';
import { type ShopflowTestHome, shopflowTestHome } from '../../support/shopflow-test-home.js';

const homes: ShopflowTestHome[] = [];
const runtimes: ShopflowRuntime[] = [];
afterAll(async () => {
  for (const runtime of runtimes) await runtime.close();
  for (const home of homes) home.cleanup();
});

async function graphOf(calendar: { start: string; historyDays?: number } | undefined, now: Date) {
  const home = shopflowTestHome(calendar ? { calendar } : {});
  homes.push(home);
  const runtime = await home.open(shopflow, () => now);
  runtimes.push(runtime);
  const app = createServer({
    runtime,
    host: '127.0.0.1',
    port: 0,
    log: pino({ level: 'silent' }, new Writable({ write: (_c, _e, cb) => cb() })),
  });
  await app.ready();
  const response = await app.inject({ url: '/api/graph' });
  await app.close();
  expect(response.statusCode).toBe(200);
  return response.json() as {
    nodes: Array<{ key: string; group: string; partitions: { total: number } }>;
    edges: Array<{ from: string; to: string }>;
  };
}

describe("the web page's graph", () => {
  test('shows one path: source, landing zone, bronze, validation, silver; the change log feeds the audit', async () => {
    const graph = await graphOf(undefined, new Date('2024-06-01T00:00:00Z'));
    const edges = new Set(graph.edges.map((e) => `${e.from} → ${e.to}`));
    expect(graph.edges.filter((e) => e.from === 'source_files').map((e) => e.to)).toEqual(['s3_raw_landing']);
    for (const step of [
      's3_raw_landing → bronze_transactions',
      'bronze_transactions → raw_transactions',
      'bronze_customers → raw_customers',
      'bronze_clickstream → raw_clickstream',
      'raw_transactions → silver_transactions',
      'silver_transactions → pg_transactions',
      'silver_transactions → gold_sales_daily',
      'pg_customers → operational_customer_changes',
      'operational_customer_changes → customer_profile_audit',
    ]) {
      expect(edges, step).toContain(step);
    }
    // The fixed 2024 quarter of the test configuration: 90 days.
    expect(graph.nodes.find((n) => n.key === 'bronze_transactions')!.partitions.total).toBe(90);
  });

  test('counts the partitions of the live calendar as of the clock', async () => {
    const graph = await graphOf({ start: '2024-01-01', historyDays: 90 }, new Date('2026-12-01T03:00:00Z'));
    // 2026-08-18 (the snapshot day at least 90 days back) … 2026-11-30.
    expect(graph.nodes.find((n) => n.key === 'silver_transactions')!.partitions.total).toBe(105);
  });
});
