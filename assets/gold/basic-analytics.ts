import { z } from 'zod';
import { layerSuite, roundedAverage } from '../../checks/index.js';
import { type AnyAsset, type AssetCheck, decimal, defineAsset, sql } from '../../framework/index.js';
import { type AnalyticsQueryName, loadAnalyticsQueries } from '../../resources/postgres/analytics-queries.js';
import { money } from '../money.js';
import { simulatorNameVocabulary } from '../raw/simulator/name-vocabulary.js';
import { postgresWarehouse } from '../resources/postgres-warehouse.js';
import { silverCustomers } from '../silver/silver-customers.js';
import { silverProducts } from '../silver/silver-products.js';
import { silverTransactions } from '../silver/silver-transactions.js';

const queries = loadAnalyticsQueries();

/**
 * The relational shape `sql/analytics/basic_analytics.sql` is written against (the current version
 * of each customer and product, every transaction), built from silver. The PostgreSQL warehouse
 * exposes the same shape as the `shopflow_analytics` views, so the file runs unchanged on both.
 */
function analyticsShape(deps: {
  customers: { toSql(): string };
  products: { toSql(): string };
  transactions: { toSql(): string };
}): string {
  return `customers as (
      select customer_id, name, email, registration_date, country, updated_at from ${deps.customers.toSql()}
      qualify row_number() over (partition by customer_id order by updated_at desc) = 1),
    products as (
      select product_id, name, category, price, supplier, updated_at from ${deps.products.toSql()}
      qualify row_number() over (partition by product_id order by updated_at desc) = 1),
    transactions as (
      select transaction_id, customer_id, product_id, quantity, unit_price,
        transaction_ts::TIMESTAMP as transaction_ts, payment_method, delivery_date
      from ${deps.transactions.toSql()})`;
}

function analyticsAsset(
  name: AnalyticsQueryName,
  description: string,
  schema: z.ZodObject,
  grain: string[],
  checks: AssetCheck[] = [],
): AnyAsset {
  const query = queries[name].trim().replace(/;\s*$/, '');
  return defineAsset({
    key: name,
    group: 'gold',
    description,
    deps: { customers: silverCustomers, products: silverProducts, transactions: silverTransactions },
    schema,
    tags: ['analytics'],
    owners: ['analytics'],
    checks: [...layerSuite('gold', { key: grain, piiNames: simulatorNameVocabulary }), ...checks],
    // NOTE: the nightly schedule refreshes them; more than 26 h without a refresh is a breach.
    freshness: { maxLagMinutes: 26 * 60 },
    // NOTE: the plan of each refresh is kept with it and shown on the asset page.
    explain: true,
    // NOTE: the same query runs unchanged on the warehouse (`shopflow explain NAME --on postgres`).
    explainOn: {
      postgres: async ({ analyze, resource }) => {
        const warehouse = await resource(postgresWarehouse);
        return await warehouse.withTransaction(async (client) => {
          await client.query('set local search_path to shopflow_analytics');
          const { rows } = await client.query(
            `explain (${analyze ? 'analyze, buffers, ' : ''}format text) ${query}`,
          );
          return rows.map((row) => String(row['QUERY PLAN'])).join('\n');
        });
      },
    },
    materialize: ({ deps }) => sql`with ${sql.raw(analyticsShape(deps))} select * from (${sql.raw(query)})`,
  });
}

export const topCustomers = analyticsAsset(
  'top_customers',
  'Top 10 customers by total spending (sql/analytics/basic_analytics.sql).',
  z.object({
    customer_id: z.int(),
    name: z.string().meta({ pii: 'name' }),
    country: z.string(),
    transactions: z.int(),
    units: z.int(),
    total_spent: money().describe('Sum of quantity × unit price, EUR'),
  }),
  ['customer_id'],
);

export const bestSellersByCategory = analyticsAsset(
  'best_sellers_by_category',
  'Top 3 products by units sold in each category.',
  z.object({
    category: z.string(),
    category_rank: z.int(),
    product_id: z.int(),
    name: z.string(),
    units: z.int(),
    revenue: money().describe('Sum of quantity × unit price, EUR'),
  }),
  ['category', 'product_id'],
);

export const monthlyRevenue = analyticsAsset(
  'monthly_revenue',
  'Revenue per UTC month with the change against the previous month.',
  z.object({
    month: z.iso.date(),
    transactions: z.int(),
    units: z.int(),
    revenue: money().describe('Sum of quantity × unit price, EUR'),
    revenue_change: money().nullable().describe('revenue − revenue of the previous month with sales, EUR'),
    revenue_change_pct: decimal(18, 2)
      .nullable()
      .describe('revenue_change in percent of the previous month, rounded half away from zero'),
  }),
  ['month'],
);

export const aovByCountry = analyticsAsset(
  'aov_by_country',
  'Average order value by customer country.',
  z.object({
    country: z.string(),
    orders: z.int(),
    revenue: money().describe('Sum of quantity × unit price, EUR'),
    average_order_value: money().describe(
      'revenue / orders in EUR, rounded to the cent half away from zero (exact, on whole cents)',
    ),
  }),
  ['country'],
  [roundedAverage('average_order_value', { total: 'revenue', count: 'orders' })],
);
