import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANALYTICS_QUERY_NAMES,
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
  latestCustomers,
} from './analytics-fixture.js';

let server: TestPostgres;
let postgres: PostgresResource;
let duckdb: DuckDBInstance;
let duck: DuckDBConnection;

/** The same rows as DuckDB tables of the analytics shape (what the silver layer provides). */
async function loadDuckDb(connection: DuckDBConnection): Promise<void> {
  await connection.run(`create table customers (customer_id bigint, name varchar, email varchar,
    registration_date date, country varchar, updated_at timestamp)`);
  await connection.run(`create table products (product_id bigint, name varchar, category varchar,
    price decimal(12,2), supplier varchar, updated_at timestamp)`);
  await connection.run(`create table transactions (transaction_id bigint, customer_id bigint, product_id bigint,
    quantity integer, unit_price decimal(12,2), transaction_ts timestamp, payment_method varchar, delivery_date date)`);
  const utc = (iso: string) => new Date(iso).toISOString().replace('T', ' ').replace('Z', '');
  for (const c of latestCustomers()) {
    await connection.run(
      `insert into customers values (cast($1 as bigint), $2, $3, cast($4 as date), $5, cast($6 as timestamp))`,
      [String(c.customer_id), c.name, c.email, c.registration_date, c.country, utc(c.updated_at)],
    );
  }
  for (const p of fixtureProducts) {
    await connection.run(
      `insert into products values (cast($1 as bigint), $2, $3, cast($4 as decimal(12,2)), $5, cast($6 as timestamp))`,
      [String(p.product_id), p.name, p.category, p.price, p.supplier, utc(p.updated_at)],
    );
  }
  for (const t of fixtureTransactions) {
    await connection.run(
      `insert into transactions values (cast($1 as bigint), cast($2 as bigint), cast($3 as bigint),
        cast($4 as integer), cast($5 as decimal(12,2)), cast($6 as timestamp), $7, cast($8 as date))`,
      [
        String(t.transaction_id),
        String(t.customer_id),
        String(t.product_id),
        String(t.quantity),
        t.unit_price,
        utc(t.timestamp),
        t.payment_method,
        t.delivery_date,
      ],
    );
  }
}

beforeAll(async () => {
  server = await startTestPostgres();
  postgres = await createPostgresResource({ mode: 'url', url: server.url });
  await applyDdl(postgres.pool);
  const context = { runId: 'engines-test', assetKey: 'fixture' };
  await loadCustomers(postgres.pool, fixtureCustomers, context);
  await loadProducts(postgres.pool, fixtureProducts, context);
  await loadTransactions(postgres.pool, fixtureTransactions, context);
  duckdb = await DuckDBInstance.create(':memory:');
  duck = await duckdb.connect();
  await loadDuckDb(duck);
});

afterAll(async () => {
  duck?.closeSync();
  duckdb?.closeSync();
  await postgres?.close();
  await server?.stop();
});

async function onPostgres(sql: string): Promise<Array<Record<string, unknown>>> {
  return postgres.withTransaction(async (client) => {
    await client.query('set local search_path to shopflow_analytics');
    return (await client.query(sql)).rows;
  });
}

async function onDuckDb(sql: string): Promise<Array<Record<string, unknown>>> {
  const reader = await duck.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Array<Record<string, unknown>>;
}

describe('the analytics SQL runs unchanged on PostgreSQL and DuckDB', () => {
  const queries = loadAnalyticsQueries();
  for (const name of ANALYTICS_QUERY_NAMES) {
    it(`${name}: identical rows, in the same order, on both engines`, async () => {
      const fromPostgres = asText(await onPostgres(queries[name]));
      const fromDuckDb = asText(await onDuckDb(queries[name]));
      expect(fromDuckDb).toEqual(fromPostgres);
      expect(fromPostgres).toEqual(expectedAnalytics[name]);
    });
  }

  it('returns the same column names on both engines', async () => {
    for (const name of ANALYTICS_QUERY_NAMES) {
      const pgColumns = Object.keys((await onPostgres(queries[name]))[0]);
      const duckColumns = (await duck.runAndReadAll(queries[name])).columnNames();
      expect(duckColumns).toEqual(pgColumns);
    }
  });
});
