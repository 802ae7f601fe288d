import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import shopflow, { shopflowAssets } from '../../../assets/definitions.js';
import { CUSTOMER_FEATURE_SET_VERSION } from '../../../assets/features/customer-features.js';
import { featureCatalog } from '../../../assets/features/feature-catalog.js';
import { snapshotDates } from '../../../assets/features/training-dataset.js';
import { derivedAssets } from '../../../assets/gold/derived.js';
import { landingStore } from '../../../assets/resources/landing-store.js';
import { shopflowMonths, shopflowWeeks } from '../../../assets/shopflow-calendar.js';
import { streamTables } from '../../../assets/streaming/stream-tables.js';
import { defineDefinitions, type JsonRow, type ShopflowRuntime } from '../../../framework/index.js';
import { landingKey } from '../../../resources/object-store/landing-keys.js';
import { type ShopflowTestHome, shopflowTestHome } from '../../support/shopflow-test-home.js';
import {
  type Click,
  knownAt,
  type ProductVersion,
  referenceClv,
  referenceFeatures,
  type Sale,
} from './reference-model.js';

const SELECTION =
  '+gold_sales_weekly,+gold_sales_monthly,+customer_clv,+product_affinity,+customer_features,+training_dataset';
const DAY = 86_400_000;

let t: ShopflowTestHome;
let runtime: ShopflowRuntime;

beforeAll(async () => {
  t = shopflowTestHome({ scale: 0.2 });
  runtime = await t.open(
    defineDefinitions({
      // NOTE: the features also read the sessions the stream builds (none here).
      assets: [...shopflowAssets, ...streamTables, ...derivedAssets],
      resources: shopflow.resources,
      commands: shopflow.commands,
    }),
  );
  const result = await runtime.execute(await runtime.plan({ selection: SELECTION }));
  if (result.status !== 'success') throw new Error(`pipeline failed: ${result.error}`);
}, 120_000);

afterAll(async () => {
  await runtime?.close();
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

const lake = (asset: string, partition?: string) =>
  partition === undefined
    ? `read_parquet('${join(runtime.lakeRoot, asset, '**', 'data.parquet')}', hive_partitioning = false)`
    : `read_parquet('${join(runtime.lakeRoot, asset, `partition=${partition}`, 'data.parquet')}', hive_partitioning = false)`;

const cents = (value: unknown) => Math.round(Number(value) * 100);

async function sales(): Promise<Sale[]> {
  return (
    await rows(`select transaction_id, customer_id, product_id, amount::VARCHAR as amount,
      epoch_ms(transaction_ts) as ts, delivery_date::VARCHAR as delivery_date from ${lake('silver_transactions')}`)
  ).map((r) => ({
    transactionId: Number(r.transaction_id),
    customerId: Number(r.customer_id),
    productId: Number(r.product_id),
    cents: cents(r.amount),
    ts: Number(r.ts),
    deliveryDate: String(r.delivery_date),
  }));
}

describe('derived data in the lake', () => {
  test('after the run every derived asset and its checks are up to date', async () => {
    expect((await runtime.plan({ selection: SELECTION })).steps).toEqual([]);
    const evaluations = await runtime.store.listCheckEvaluations({ limit: 100_000 });
    const derived = new Set(derivedAssets.map((a) => a.key));
    const failing = evaluations.filter((e) => derived.has(e.assetKey) && !e.passed);
    expect(failing.map((e) => `${e.assetKey}[${e.partitionKey}]:${e.checkName}`)).toEqual([]);
    expect(evaluations.filter((e) => derived.has(e.assetKey)).length).toBeGreaterThan(0);
  });

  test('weekly and monthly sales equal the sums of their daily partitions and of silver', async () => {
    const periods = [
      {
        asset: 'gold_sales_weekly',
        column: 'week_start',
        partitions: runtime.definitions.resolvePartitions(shopflowWeeks),
      },
      {
        asset: 'gold_sales_monthly',
        column: 'month_start',
        partitions: runtime.definitions.resolvePartitions(shopflowMonths),
      },
    ];
    for (const { asset, column, partitions } of periods) {
      expect(partitions.keys().length).toBeGreaterThan(0);
      for (const key of partitions.keys()) {
        const end = partitions.partition(key).end!.toISOString().slice(0, 10);
        const rolled = await rows(
          `select ${column}::VARCHAR as period, category, transactions, units, revenue::VARCHAR as revenue, customers
           from ${lake(asset, key)} order by category`,
        );
        const fromDaily = await rows(
          `select '${key}' as period, category, sum(transactions)::BIGINT as transactions, sum(units)::BIGINT as units,
             sum(revenue)::DECIMAL(18, 2)::VARCHAR as revenue,
             (select count(distinct c) from (select unnest(customer_ids) as c from ${lake('gold_sales_daily')} d2
               where d2.category = d.category and d2.delivery_date >= '${key}' and d2.delivery_date < '${end}'))::BIGINT as customers
           from ${lake('gold_sales_daily')} d
           where delivery_date >= '${key}' and delivery_date < '${end}'
           group by category order by category`,
        );
        expect(rolled).toEqual(fromDaily);
        const [silver] = await rows(
          `select count(*)::BIGINT as transactions, sum(amount)::DECIMAL(18, 2)::VARCHAR as revenue
           from ${lake('silver_transactions')} where delivery_date >= '${key}' and delivery_date < '${end}'`,
        );
        const [rolledTotal] = await rows(
          `select sum(transactions)::BIGINT as transactions, sum(revenue)::DECIMAL(18, 2)::VARCHAR as revenue from ${lake(asset, key)}`,
        );
        expect(rolledTotal).toEqual(silver);
      }
    }
  });

  test('customer_clv equals the documented model recomputed in TypeScript from silver', async () => {
    const all = await sales();
    const asOf = Date.parse(
      `${addDays(
        all
          .map((s) => s.deliveryDate)
          .sort()
          .at(-1)!,
        1,
      )}T00:00:00Z`,
    );
    const expected = referenceClv(all, asOf);
    const actual = await rows(
      `select customer_id, epoch_ms(as_of) as as_of, orders, historical_value::VARCHAR as historical_value,
         purchase_frequency_per_month, monthly_churn_rate, expected_lifetime_months, predicted_clv
       from ${lake('customer_clv')} order by customer_id`,
    );
    expect(actual.map((r) => Number(r.customer_id))).toEqual([...expected.keys()].sort((a, b) => a - b));
    for (const r of actual) {
      const e = expected.get(Number(r.customer_id))!;
      expect(Number(r.as_of)).toBe(asOf);
      expect(Number(r.orders)).toBe(e.orders);
      expect(cents(r.historical_value)).toBe(e.historicalCents);
      expect(Number(r.monthly_churn_rate)).toBeCloseTo(e.monthlyChurnRate, 4);
      expect(Number(r.expected_lifetime_months)).toBeCloseTo(e.expectedLifetimeMonths, 3);
      expect(Number(r.purchase_frequency_per_month)).toBeCloseTo(e.purchaseFrequencyPerMonth, 4);
      expect(Math.abs(Number(r.predicted_clv) - e.predictedClv)).toBeLessThanOrEqual(0.005 + 1e-9);
    }
    // The churn estimate is a real one: some customers of the cohort were lost, not all.
    const churn = [...expected.values()][0].monthlyChurnRate;
    expect(churn).toBeGreaterThan(0);
    expect(churn).toBeLessThan(1);
  });

  test('customer_features carries every catalog feature, the feature set version and per-feature versions', async () => {
    const [row] = await rows(`select * from ${lake('customer_features')} limit 1`);
    for (const feature of featureCatalog()) expect(row).toHaveProperty(feature.name);
    const versions = await rows(`select distinct feature_set_version from ${lake('customer_features')}`);
    expect(versions).toEqual([{ feature_set_version: CUSTOMER_FEATURE_SET_VERSION }]);
    const [latest] = await runtime.store.listMaterializations({ assetKey: 'customer_features', limit: 1 });
    expect(latest.metadata.featureVersions).toEqual(
      Object.fromEntries(featureCatalog().map((f) => [f.name, f.version])),
    );
    const [counts] = await rows(
      `select count(*)::INTEGER as n, count(distinct customer_id)::INTEGER as customers from ${lake('customer_features')}`,
    );
    const [silver] = await rows(
      `select count(distinct customer_id)::INTEGER as customers from ${lake('silver_customers')}`,
    );
    expect(counts).toEqual({ n: silver.customers, customers: silver.customers });
  });

  test('training_dataset: every row recomputed from data strictly before its snapshot matches (no leakage)', async () => {
    const all = await sales();
    const versions: ProductVersion[] = (
      await rows(`select product_id, category, epoch_ms(updated_at) as ts from ${lake('silver_products')}`)
    ).map((r) => ({
      productId: Number(r.product_id),
      category: String(r.category),
      updatedAt: Number(r.ts),
    }));
    const clicks: Click[] = (
      await rows(
        `select event_id, session_id, customer_id, event_type, timestamp from ${lake('raw_clickstream')}`,
      )
    ).map((r) => ({
      eventId: String(r.event_id),
      sessionId: String(r.session_id),
      customerId: r.customer_id === null ? null : Number(r.customer_id),
      eventType: String(r.event_type),
      ts: Date.parse(String(r.timestamp)),
    }));
    const training = await rows(
      `select customer_id, snapshot_date::VARCHAR as snapshot_date, recency_days, frequency, monetary::VARCHAR as monetary,
         predicted_clv, preferred_category, sessions, product_views, add_to_cart_rate, conversion_rate,
         epoch_ms(max_feature_event_ts) as max_ts, max_feature_delivery_date::VARCHAR as max_delivery,
         label_purchased_30d, label_spend_30d::VARCHAR as label_spend_30d
       from ${lake('training_dataset')} order by snapshot_date, customer_id`,
    );
    expect([...new Set(training.map((r) => r.snapshot_date))]).toEqual(
      snapshotDates('2024-03-30', '2024-01-01'),
    );

    // A late transaction that happened before a snapshot but arrived on or after it must be invisible.
    const straddling = snapshotDates('2024-03-30', '2024-01-01').flatMap((day) => {
      const at = Date.parse(`${day}T00:00:00Z`);
      return all.filter((s) => s.ts < at && s.deliveryDate >= day).map((s) => ({ day, sale: s }));
    });
    expect(straddling.length).toBeGreaterThan(0);

    for (const day of snapshotDates('2024-03-30', '2024-01-01')) {
      const asOf = Date.parse(`${day}T00:00:00Z`);
      const clv = referenceClv(all, asOf);
      const population = [...new Set(knownAt(all, asOf).map((s) => s.customerId))].sort((a, b) => a - b);
      const snapshot = training.filter((r) => r.snapshot_date === day);
      expect(snapshot.map((r) => Number(r.customer_id))).toEqual(population);
      for (const r of snapshot) {
        const customerId = Number(r.customer_id);
        const e = referenceFeatures(customerId, asOf, { sales: all, versions, clicks });
        expect({
          recency_days: Number(r.recency_days),
          frequency: Number(r.frequency),
          monetaryCents: cents(r.monetary),
          preferred_category: r.preferred_category,
          sessions: Number(r.sessions),
          product_views: Number(r.product_views),
        }).toEqual({
          recency_days: e.recency_days,
          frequency: e.frequency,
          monetaryCents: e.monetaryCents,
          preferred_category: e.preferred_category,
          sessions: e.sessions,
          product_views: e.product_views,
        });
        expectRate(r.add_to_cart_rate, e.add_to_cart_rate);
        expectRate(r.conversion_rate, e.conversion_rate);
        expect(Math.abs(Number(r.predicted_clv) - clv.get(customerId)!.predictedClv)).toBeLessThanOrEqual(
          0.005 + 1e-9,
        );
        expect(Number(r.max_ts)).toBe(e.maxInputTs);
        expect(Number(r.max_ts)).toBeLessThan(asOf);
        expect(String(r.max_delivery) < day).toBe(true);
        const future = all.filter(
          (s) => s.customerId === customerId && s.ts >= asOf && s.ts < asOf + 30 * DAY,
        );
        expect(r.label_purchased_30d).toBe(future.length > 0);
        expect(cents(r.label_spend_30d)).toBe(future.reduce((sum, s) => sum + s.cents, 0));
      }
    }
    for (const { day, sale } of straddling) {
      const row = training.find((r) => r.snapshot_date === day && Number(r.customer_id) === sale.customerId);
      const happenedBefore = all.filter(
        (s) => s.customerId === sale.customerId && s.ts < Date.parse(`${day}T00:00:00Z`),
      ).length;
      expect(row === undefined ? 0 : Number(row.frequency)).toBeLessThan(happenedBefore);
    }
  });

  test('re-materializing one day with changed data makes exactly one week and one month stale', async () => {
    const day = '2024-02-14';
    // The same data again: nothing downstream becomes stale.
    const same = await runtime.execute(
      await runtime.plan({ selection: 'gold_sales_daily', partitions: { keys: [day] }, force: true }),
    );
    expect(same.status).toBe('success');
    expect((await runtime.plan({ selection: 'gold_sales_weekly,gold_sales_monthly' })).steps).toEqual([]);

    // A transaction delivered late into the day's landed file: re-run that day from bronze to gold.
    const [buyer] = await rows(
      `select customer_id, product_id, payment_method from ${lake('silver_transactions', day)} order by transaction_id limit 1`,
    );
    const store = await runtime.resources.get(landingStore);
    const key = landingKey({ date: day, dataset: 'transactions', file: 'transactions.csv' });
    const landed = (await store.get(key)).toString('utf8');
    await store.put(
      key,
      `${landed}9000001,${buyer.customer_id},${buyer.product_id},2,10.50,${day}T12:00:00Z,${buyer.payment_method},${day}\n`,
    );
    const rerun = await runtime.execute(
      await runtime.plan({
        selection: 'bronze_transactions,raw_transactions,silver_transactions,gold_sales_daily',
        partitions: { keys: [day] },
        force: true,
      }),
    );
    expect(rerun.status).toBe('success');

    const plan = await runtime.plan({ selection: SELECTION });
    const rollups = plan.steps.filter((s) => s.assetKey.startsWith('gold_sales_'));
    expect(rollups.map((s) => s.key)).toEqual([
      'gold_sales_monthly[2024-02-01]',
      'gold_sales_weekly[2024-02-12]',
    ]);
    for (const step of rollups) {
      expect(step.reasons).toEqual([
        expect.objectContaining({ code: 'upstream_changed', upstream: `gold_sales_daily[${day}]` }),
      ]);
    }

    const before = await rows(
      `select sum(revenue)::VARCHAR as revenue from ${lake('gold_sales_weekly', '2024-02-12')}`,
    );
    const result = await runtime.execute(
      await runtime.plan({ selection: 'gold_sales_weekly,gold_sales_monthly' }),
    );
    expect(result.status).toBe('success');
    const after = await rows(
      `select sum(revenue)::VARCHAR as revenue from ${lake('gold_sales_weekly', '2024-02-12')}`,
    );
    expect(cents(after[0].revenue) - cents(before[0].revenue)).toBe(2100);
    expect((await runtime.plan({ selection: 'gold_sales_weekly,gold_sales_monthly' })).steps).toEqual([]);
  });
});

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

function expectRate(actual: unknown, expected: number | null) {
  if (expected === null) expect(actual).toBeNull();
  else expect(Number(actual)).toBeCloseTo(expected, 4);
}
