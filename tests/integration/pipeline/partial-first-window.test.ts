import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { JsonRow, ShopflowRuntime } from '../../../framework/index.js';
import { stopEmbeddedPostgres } from '../../../resources/postgres/embedded-postgres-server.js';
import { type ShopflowTestHome, shopflowTestHome } from '../../support/shopflow-test-home.js';

// A calendar that starts on a Wednesday in mid-month, as the live calendar usually does: the week
// and the month of its first day are roll-up partitions too, covering the days they have.

let t: ShopflowTestHome;
let runtime: ShopflowRuntime;

beforeAll(async () => {
  t = shopflowTestHome({ scale: 0.2, calendar: { start: '2024-01-10', days: 12 } });
  runtime = await t.open();
  const plan = await runtime.plan({
    selection: '+sales_reconciliation_weekly,+sales_reconciliation_monthly',
  });
  const result = await runtime.execute(plan);
  if (result.status !== 'success') throw new Error(`the run failed: ${result.error}`);
}, 180_000);

afterAll(async () => {
  await runtime?.close();
  if (t) await stopEmbeddedPostgres(join(t.home, 'postgres'));
  t?.cleanup();
});

async function rows(sql: string): Promise<JsonRow[]> {
  const session = await runtime.engine.session();
  try {
    return await session.query(sql);
  } finally {
    session.close();
  }
}

const lake = (asset: string) =>
  `read_parquet('${join(runtime.lakeRoot, asset, '**', 'data.parquet')}', hive_partitioning = false)`;

test('the first week and month of a calendar that starts mid-week roll up the days they have, flagged incomplete', async () => {
  const weeks = await rows(
    `select week_start::VARCHAR as start, any_value(days_covered)::INTEGER as days,
       any_value(complete) as complete, sum(transactions)::BIGINT as transactions
     from ${lake('gold_sales_weekly')} group by all order by start`,
  );
  expect(weeks.map((w) => [w.start, w.days, w.complete])).toEqual([
    ['2024-01-08', 5, false],
    ['2024-01-15', 7, true],
  ]);
  const months = await rows(
    `select month_start::VARCHAR as start, any_value(days_covered)::INTEGER as days,
       sum(transactions)::BIGINT as transactions from ${lake('gold_sales_monthly')} group by all`,
  );
  expect(months.map((m) => [m.start, m.days])).toEqual([['2024-01-01', 12]]);
  const [daily] = await rows(
    `select sum(transactions)::BIGINT as transactions from ${lake('gold_sales_daily')}`,
  );
  const weekly = weeks.reduce((sum, w) => sum + Number(w.transactions), 0);
  expect(weekly).toBe(Number(daily.transactions));
  expect(Number(months[0].transactions)).toBe(Number(daily.transactions));
  const checks = (await runtime.store.latestCheckEvaluations()).filter((e) =>
    e.assetKey.startsWith('sales_reconciliation_'),
  );
  expect(checks.length).toBeGreaterThan(0);
  expect(checks.filter((e) => !e.passed)).toEqual([]);
});
