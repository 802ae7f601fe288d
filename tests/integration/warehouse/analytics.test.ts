import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnalyticsQueryName,
  loadAnalyticsQueries,
} from '../../../resources/postgres/analytics-queries.js';
import { applyDdl } from '../../../resources/postgres/apply-ddl.js';
import {
  createPostgresResource,
  type PostgresResource,
} from '../../../resources/postgres/postgres-resource.js';
import {
  loadCustomers,
  loadProducts,
  loadTransactions,
} from '../../../resources/postgres/shopflow-tables.js';
import { startTestPostgres, type TestPostgres } from '../../support/test-postgres.js';
import {
  asText,
  expectedAnalytics,
  fixtureCustomers,
  fixtureProducts,
  fixtureTransactions,
} from './analytics-fixture.js';

let server: TestPostgres;
let postgres: PostgresResource;

beforeAll(async () => {
  server = await startTestPostgres();
  postgres = await createPostgresResource({ mode: 'url', url: server.url });
  await applyDdl(postgres.pool);
  const context = { runId: 'analytics-test', assetKey: 'fixture' };
  await loadCustomers(postgres.pool, fixtureCustomers, context);
  await loadProducts(postgres.pool, fixtureProducts, context);
  const loaded = await loadTransactions(postgres.pool, fixtureTransactions, context);
  expect(loaded.inserted).toBe(fixtureTransactions.length);
});

afterAll(async () => {
  await postgres?.close();
  await server?.stop();
});

/** Runs `sql` with the analytics search path, in a time zone far from UTC. */
async function analyticsQuery(sql: string): Promise<pg.QueryResult> {
  return postgres.withTransaction(async (client) => {
    await client.query(`set local time zone 'Pacific/Kiritimati'`);
    await client.query('set local search_path to shopflow_analytics');
    return client.query(sql);
  });
}

describe('basic analytics on PostgreSQL', () => {
  const queries = loadAnalyticsQueries();
  for (const name of Object.keys(expectedAnalytics) as AnalyticsQueryName[]) {
    it(`${name} returns the hand-computed rows`, async () => {
      const { rows } = await analyticsQuery(queries[name]);
      expect(asText(rows)).toEqual(expectedAnalytics[name]);
    });
  }

  it('exposes the normalized tables in the CSV shape under shopflow_analytics', async () => {
    const { rows } = await analyticsQuery(
      `select customer_id, name, email, registration_date, country, cast(updated_at as text) as updated_at
       from customers where customer_id in (1, 14) order by customer_id`,
    );
    expect(rows).toEqual([
      {
        customer_id: '1',
        name: 'Ann',
        email: 'ann@example.com',
        registration_date: '2023-01-02',
        country: 'US',
        updated_at: '2023-06-01 00:00:00',
      },
      {
        customer_id: '14',
        name: 'Ned',
        email: 'ned@example.com',
        registration_date: '2023-01-15',
        country: 'NZ',
        updated_at: '2023-01-15 00:00:00',
      },
    ]);
    const products = await analyticsQuery(
      'select product_id, name, category, price, supplier from products where product_id = 201',
    );
    expect(products.rows).toEqual([
      { product_id: '201', name: 'Yo-yo', category: 'Toys', price: '3.50', supplier: 'Fun GmbH' },
    ]);
    const transactions = await analyticsQuery(
      `select transaction_id, cast(transaction_ts as text) as transaction_ts, payment_method
       from transactions where transaction_id in (3, 4) order by transaction_id`,
    );
    expect(transactions.rows).toEqual([
      { transaction_id: '3', transaction_ts: '2024-01-31 23:30:00', payment_method: 'credit_card' },
      { transaction_id: '4', transaction_ts: '2024-02-01 00:10:00', payment_method: 'debit_card' },
    ]);
  });
});

describe('warehouse views', () => {
  it('v_customer_spending lists every customer, with zero for those without sales', async () => {
    const { rows } = await postgres.query(
      `select customer_id, transactions, total_spent from shopflow.v_customer_spending
       where customer_id in (1, 14) order by customer_id`,
    );
    expect(rows).toEqual([
      { customer_id: '1', transactions: '1', total_spent: '300.00' },
      { customer_id: '14', transactions: '0', total_spent: '0.00' },
    ]);
  });

  it('v_monthly_revenue, v_category_sales and v_country_aov agree with the analytics', async () => {
    const monthly = await postgres.query(
      'select month, revenue from shopflow.v_monthly_revenue order by month',
    );
    expect(monthly.rows).toEqual(
      expectedAnalytics.monthly_revenue.map(({ month, revenue }) => ({ month, revenue })),
    );
    const categories = await postgres.query(
      'select category, units, revenue from shopflow.v_category_sales order by category collate "C"',
    );
    expect(categories.rows).toEqual([
      { category: 'Books', units: '14', revenue: '154.00' },
      { category: 'Toys', units: '6', revenue: '38.01' },
      { category: 'electronics', units: '1', revenue: '300.00' },
    ]);
    const aov = await postgres.query(
      'select country_code as country, orders, revenue, average_order_value from shopflow.v_country_aov',
    );
    expect(aov.rows.sort((a, b) => (a.country < b.country ? -1 : 1))).toEqual(
      [...expectedAnalytics.aov_by_country].sort((a, b) => (a.country < b.country ? -1 : 1)),
    );
  });
});
