import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import shopflow from '../../../assets/definitions.js';
import { postgresWarehouse } from '../../../assets/resources/postgres-warehouse.js';
import { shopflowDays } from '../../../assets/shopflow-calendar.js';
import { type JsonRow, type ShopflowRuntime, schemaColumns } from '../../../framework/index.js';
import { loadAnalyticsQueries } from '../../../resources/postgres/analytics-queries.js';
import { applyDdl } from '../../../resources/postgres/apply-ddl.js';
import { stopEmbeddedPostgres } from '../../../resources/postgres/embedded-postgres-server.js';
import { type ShopflowTestHome, shopflowTestHome } from '../../support/shopflow-test-home.js';

let t: ShopflowTestHome;
let runtime: ShopflowRuntime;

beforeAll(async () => {
  t = shopflowTestHome();
  runtime = await t.open();
  const result = await runtime.execute(await runtime.plan());
  if (result.status !== 'success') throw new Error(`pipeline failed: ${result.error}`);
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

const file = (asset: string, partition?: string) =>
  join(runtime.lakeRoot, asset, ...(partition ? [`partition=${partition}`] : []), 'data.parquet');
const lake = (asset: string) =>
  `read_parquet('${join(runtime.lakeRoot, asset, '**', 'data.parquet')}', hive_partitioning = false)`;

/** A money value as whole cents (exact: from its decimal text). */
function cents(value: unknown): bigint {
  const [whole, fraction = ''] = String(value).replace('-', '').split('.');
  const magnitude = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
  return String(value).startsWith('-') ? -magnitude : magnitude;
}

/** total / count to the cent, half away from zero, in integers. */
function average(total: bigint, count: bigint): bigint {
  const magnitude = (2n * (total < 0n ? -total : total) + count) / (2n * count);
  return total < 0n ? -magnitude : magnitude;
}

/** Force-materializes one partition and returns its `check` evaluation of that run. */
async function recheck(assetKey: string, partition: string | null, check = 'layers_agree') {
  const plan = await runtime.plan({
    selection: assetKey,
    partitions: partition === null ? null : { keys: [partition] },
    force: true,
  });
  expect(plan.steps.map((s) => s.key)).toEqual([partition === null ? assetKey : `${assetKey}[${partition}]`]);
  const result = await runtime.execute(plan);
  const [evaluation] = await runtime.store.listCheckEvaluations({
    assetKey,
    checkName: check,
    runId: result.runId,
  });
  return { status: result.status, passed: evaluation.passed, message: String(evaluation.metadata.message) };
}

/**
 * Commits a copy of a lake partition whose matching row has `column` one cent higher; returns an
 * undo. It goes through the lake's commit (its size and SHA-256 recorded) like any write, so the
 * wrong cent reaches the reconciliation checks instead of the lake's own integrity check.
 */
async function corruptLake(asset: string, partition: string | undefined, column: string, where: string) {
  const path = file(asset, partition);
  const ref = { assetKey: asset, partitionKey: partition ?? null };
  const backup = `${path}.orig`;
  copyFileSync(path, backup);
  await rows(
    `copy (select * replace (case when ${where} then ${column} + 0.01 else ${column} end as ${column})
       from read_parquet('${path}')) to '${path}.bad' (format parquet)`,
  );
  const commit = async (staged: string) =>
    await runtime.lake.commit(ref, {
      runId: 'money-test',
      data: { kind: 'replace', file: staged },
      base: await runtime.lake.head(ref),
    });
  await commit(`${path}.bad`);
  return () => commit(backup);
}

describe('money is exact to the cent', () => {
  test('every money column is stored with its declared decimal type, in the lake and in PostgreSQL', async () => {
    const evaluations = await runtime.store.latestCheckEvaluations();
    const typeChecks = evaluations.filter((e) => e.checkName === 'stored_types_match_schema');
    const checked = new Set(typeChecks.map((e) => e.assetKey));
    for (const key of [
      'silver_transactions',
      'gold_sales_daily',
      'customer_clv',
      'customer_features',
      'fact_sales',
      'pg_transactions',
      'pg_products',
      'dim_product',
      'lake_fact_sales',
    ])
      expect(checked, key).toContain(key);
    expect(typeChecks.filter((e) => !e.passed).map((e) => e.metadata.message)).toEqual([]);
    // The declarations are what the engines hold.
    const [aov] = await rows(
      `select typeof(average_order_value) as t from ${lake('gold_sales_daily')} limit 1`,
    );
    expect(aov.t).toBe('DECIMAL(18,2)');
    const [monetary] = await rows(`select typeof(monetary) as t from ${lake('customer_features')} limit 1`);
    expect(monetary.t).toBe('DECIMAL(18,2)');
    const declared = Object.fromEntries(
      schemaColumns(shopflow.graph.get('fact_sales').schema).map((c) => [c.name, c.type]),
    );
    expect([declared.unit_price, declared.amount]).toEqual(['DECIMAL(12,2)', 'DECIMAL(14,2)']);
    const pg = await runtime.resources.get(postgresWarehouse);
    const { rows: types } = await pg.query(
      `select column_name, numeric_precision, numeric_scale from information_schema.columns
       where table_schema = 'shopflow_dw' and table_name = 'fact_sales' and column_name in ('unit_price', 'amount') order by 1`,
    );
    expect(types).toEqual([
      { column_name: 'amount', numeric_precision: 14, numeric_scale: 2 },
      { column_name: 'unit_price', numeric_precision: 12, numeric_scale: 2 },
    ]);
  });

  test('a PostgreSQL column whose type no longer matches the declaration fails the stored-type check', async () => {
    const pg = await runtime.resources.get(postgresWarehouse);
    // NOTE: the analysts' masked view reads the column; PostgreSQL retypes no column a view uses.
    await pg.query('drop view shopflow_masked.fact_sales');
    await pg.query('alter table shopflow_dw.fact_sales alter column amount type numeric(18, 2)');
    try {
      const broken = await recheck('fact_sales', '2024-01-11', 'stored_types_match_schema');
      expect(broken.passed).toBe(false);
      expect(broken.message).toBe('`amount` is stored as DECIMAL(18,2) but declared DECIMAL(14,2)');
    } finally {
      await pg.query('alter table shopflow_dw.fact_sales alter column amount type numeric(14, 2)');
      await applyDdl(pg.pool);
    }
    expect((await recheck('fact_sales', '2024-01-11', 'stored_types_match_schema')).passed).toBe(true);
  });

  test('every published average order value is the total over the count, to the cent, half away from zero', async () => {
    let halves = 0;
    const verify = (label: string, total: unknown, count: unknown, published: unknown) => {
      const totalCents = cents(total);
      const n = BigInt(String(count));
      if ((2n * totalCents) % (2n * n) === n) halves++;
      expect(cents(published), `${label}: ${total} / ${count}`).toBe(average(totalCents, n));
    };
    for (const r of await rows(
      `select delivery_date::VARCHAR as d, category, revenue::VARCHAR as revenue, transactions, average_order_value::VARCHAR as aov from ${lake('gold_sales_daily')}`,
    ))
      verify(`gold_sales_daily ${r.d} ${r.category}`, r.revenue, r.transactions, r.aov);
    for (const asset of ['gold_sales_weekly', 'gold_sales_monthly'])
      for (const r of await rows(
        `select category, revenue::VARCHAR as revenue, transactions, average_order_value::VARCHAR as aov from ${lake(asset)}`,
      ))
        verify(`${asset} ${r.category}`, r.revenue, r.transactions, r.aov);
    for (const r of await rows(
      `select customer_id, historical_value::VARCHAR as total, orders, average_order_value::VARCHAR as aov from ${lake('customer_clv')}`,
    ))
      verify(`customer ${r.customer_id}`, r.total, r.orders, r.aov);
    // On PostgreSQL, through the same analytics file the lake asset runs.
    const pg = await runtime.resources.get(postgresWarehouse);
    const onPostgres = await pg.withTransaction(async (client) => {
      await client.query('set local search_path to shopflow_analytics');
      return (await client.query(loadAnalyticsQueries().aov_by_country)).rows;
    });
    const inLake = await rows(
      `select country, orders, revenue::VARCHAR as revenue, average_order_value::VARCHAR as average_order_value from ${lake('aov_by_country')}`,
    );
    expect(onPostgres.map((r) => ({ ...r, orders: Number(r.orders) }))).toEqual(
      inLake.map((r) => ({ ...r, orders: Number(r.orders) })),
    );
    for (const r of onPostgres)
      verify(`aov_by_country ${r.country}`, r.revenue, r.orders, r.average_order_value);
    // The data has exact half cents, the case the double formula got wrong.
    expect(halves).toBeGreaterThan(0);
  });
});

describe('weekly and monthly summaries cover every delivered day', () => {
  test('the open week and month are partitions, flagged incomplete with the days they cover', async () => {
    const days = runtime.definitions.resolvePartitions(shopflowDays).keys();
    const lastDay = days.at(-1)!;
    const [silver] = await rows(`select sum(amount)::VARCHAR as revenue from ${lake('silver_transactions')}`);
    for (const [asset, start] of [
      ['gold_sales_weekly', 'week_start'],
      ['gold_sales_monthly', 'month_start'],
    ]) {
      const windows = await rows(
        `select ${start}::VARCHAR as start, sum(revenue)::VARCHAR as revenue, min(days_covered)::INTEGER as days,
           max(days_covered)::INTEGER as days_max, min(covered_through)::VARCHAR as through,
           bool_and(complete) as complete, bool_or(complete) as any_complete
         from ${lake(asset)} group by all order by start`,
      );
      const total = windows.reduce((sum, w) => sum + cents(w.revenue), 0n);
      expect(total, asset).toBe(cents(silver.revenue));
      const open = windows.at(-1)!;
      expect(open.through).toBe(lastDay);
      expect(open.complete).toBe(false);
      expect(open.any_complete).toBe(false);
      expect(open.days).toBe(days.filter((d) => d >= String(open.start)).length);
      for (const closed of windows.slice(0, -1)) {
        expect(closed.complete, `${asset} ${closed.start}`).toBe(true);
        expect(closed.days_max).toBe(closed.days);
      }
    }
    const [march] = await rows(
      `select any_value(days_covered)::INTEGER as days, any_value(complete) as complete from ${lake('gold_sales_monthly')} where month_start = '2024-03-01'`,
    );
    expect(march).toEqual({ days: 30, complete: false });
  });
});

describe('reconciliation checks hold the layers together exactly', () => {
  test('they run in the default graph and pass for every day, week, month and month of sale', async () => {
    const evaluations = (await runtime.store.latestCheckEvaluations()).filter(
      (e) => e.checkName === 'layers_agree',
    );
    const byAsset = (key: string) => evaluations.filter((e) => e.assetKey === key);
    expect(byAsset('sales_reconciliation_daily')).toHaveLength(
      runtime.definitions.resolvePartitions(shopflowDays).keys().length,
    );
    expect(byAsset('sales_reconciliation_weekly')).toHaveLength(13);
    expect(byAsset('sales_reconciliation_monthly')).toHaveLength(3);
    expect(byAsset('monthly_revenue_reconciliation')).toHaveLength(1);
    expect(evaluations.filter((e) => !e.passed).map((e) => e.metadata.message)).toEqual([]);
    const [daily] = await rows(
      `select count(*)::INTEGER as n, count(distinct layer)::INTEGER as layers from ${lake('sales_reconciliation_daily')}`,
    );
    expect(daily).toEqual({
      n: 4 * runtime.definitions.resolvePartitions(shopflowDays).keys().length,
      layers: 4,
    });
  });

  test('a corrupted row in PostgreSQL fails the day naming the layer and the cents', async () => {
    const day = '2024-01-11';
    const pg = await runtime.resources.get(postgresWarehouse);
    const [{ transaction_id: fact }] = (
      await pg.query(
        'select min(transaction_id) as transaction_id from shopflow_dw.fact_sales where delivery_date = $1',
        [day],
      )
    ).rows;
    await pg.query('update shopflow_dw.fact_sales set amount = amount + 0.01 where transaction_id = $1', [
      fact,
    ]);
    const facts = await recheck('sales_reconciliation_daily', day);
    expect(facts.status).toBe('failed');
    expect(facts.passed).toBe(false);
    expect(facts.message).toMatch(
      /^1 comparison differs — 2024-01-11: fact_sales differs from silver_transactions: revenue \+1 cent \(/,
    );
    await pg.query('update shopflow_dw.fact_sales set amount = amount - 0.01 where transaction_id = $1', [
      fact,
    ]);

    const [{ transaction_id: sale }] = (
      await pg.query(
        'select min(transaction_id) as transaction_id from shopflow.transactions where delivery_date = $1 and quantity = 1',
        [day],
      )
    ).rows;
    await pg.query(
      'update shopflow.transactions set unit_price = unit_price - 0.01 where transaction_id = $1',
      [sale],
    );
    const warehouse = await recheck('sales_reconciliation_daily', day);
    expect(warehouse.passed).toBe(false);
    expect(warehouse.message).toContain(
      '2024-01-11: pg_transactions differs from silver_transactions: revenue −1 cent',
    );
    await pg.query(
      'update shopflow.transactions set unit_price = unit_price + 0.01 where transaction_id = $1',
      [sale],
    );
    expect((await recheck('sales_reconciliation_daily', day)).passed).toBe(true);
  });

  test('a corrupted row in the lake fails the day, the week, the month or the month of sale it belongs to', async () => {
    const cases = [
      {
        asset: 'gold_sales_daily',
        partition: '2024-01-11',
        check: ['sales_reconciliation_daily', '2024-01-11'],
        label: '2024-01-11: gold_sales_daily',
      },
      {
        asset: 'lake_fact_sales',
        partition: '2024-01-11',
        check: ['sales_reconciliation_daily', '2024-01-11'],
        label: '2024-01-11: lake_fact_sales',
        column: 'amount',
        key: 'transaction_id',
      },
      {
        asset: 'gold_sales_weekly',
        partition: '2024-01-08',
        check: ['sales_reconciliation_weekly', '2024-01-08'],
        label: '2024-01-08: gold_sales_weekly',
      },
      {
        asset: 'gold_sales_monthly',
        partition: '2024-02-01',
        check: ['sales_reconciliation_monthly', '2024-02-01'],
        label: '2024-02-01: gold_sales_monthly',
      },
      {
        asset: 'monthly_revenue',
        partition: undefined,
        check: ['monthly_revenue_reconciliation', null],
        label: '2024-03-01: monthly_revenue',
        where: "month = '2024-03-01'",
      },
    ] as const;
    for (const c of cases) {
      const column = 'column' in c ? c.column : 'revenue';
      // one row: the first category of the partition (or transaction, or month)
      const key = 'key' in c ? c.key : 'category';
      const where =
        'where' in c
          ? c.where
          : `${key} = (select min(${key}) from read_parquet('${file(c.asset, c.partition)}'))`;
      const undo = await corruptLake(c.asset, c.partition, column, where);
      try {
        const result = await recheck(c.check[0], c.check[1]);
        expect(result.passed, c.asset).toBe(false);
        expect(result.message).toContain(`${c.label} differs from`);
        expect(result.message).toMatch(/revenue \+1 cent \(\d+\.\d\d, expected \d+\.\d\d\)/);
      } finally {
        await undo();
      }
      expect((await recheck(c.check[0], c.check[1])).passed, `${c.asset} restored`).toBe(true);
    }
  });
});
