import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
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
import { loadTable } from '../../../resources/postgres/table-loader.js';
import type { TableSpec } from '../../../resources/postgres/table-spec.js';
import { queryWithUniqueFallback } from '../../../resources/postgres/with-transaction.js';
import { startTestPostgres, type TestPostgres } from '../../support/test-postgres.js';

let server: TestPostgres;
let postgres: PostgresResource;
let scratch: string;
const context = { runId: 'run-1', assetKey: 'pg_test', partitionKey: '2024-03-01' };

beforeAll(async () => {
  server = await startTestPostgres();
  postgres = await createPostgresResource({ mode: 'url', url: server.url });
  scratch = mkdtempSync(join(tmpdir(), 'shopflow-loader-'));
});

afterAll(async () => {
  await postgres?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

beforeEach(async () => {
  await postgres.query(
    'drop schema if exists shopflow cascade; drop schema if exists shopflow_analytics cascade',
  );
  await applyDdl(postgres.pool);
});

type Row = Record<string, unknown>;

const customer = (id: number, overrides: Row = {}): Row => ({
  customer_id: id,
  name: `Customer ${id}`,
  email: `c${id}@example.com`,
  registration_date: '2024-01-01',
  country: 'US',
  updated_at: '2024-01-01T00:00:00Z',
  ...overrides,
});

const product = (id: number, overrides: Row = {}): Row => ({
  product_id: id,
  name: `Product ${id}`,
  category: 'Books',
  price: '10.00',
  supplier: 'Paper Co',
  updated_at: '2024-01-01T00:00:00Z',
  ...overrides,
});

const transaction = (id: number, overrides: Row = {}): Row => ({
  transaction_id: id,
  customer_id: 1,
  product_id: 1,
  quantity: 1,
  unit_price: '10.00',
  timestamp: '2024-03-01T10:00:00Z',
  payment_method: 'credit_card',
  delivery_date: '2024-03-01',
  ...overrides,
});

/** All rows of the warehouse tables (load_audit excluded), in key order. */
async function warehouse(): Promise<Record<string, Row[]>> {
  const tables = {
    countries: 'country_code',
    categories: 'category_id',
    suppliers: 'supplier_id',
    payment_methods: 'payment_method_id',
    customers: 'customer_id',
    products: 'product_id',
    transactions: 'transaction_id',
  };
  const out: Record<string, Row[]> = {};
  for (const [table, key] of Object.entries(tables)) {
    out[table] = (await postgres.query(`select * from shopflow.${table} order by ${key}`)).rows;
  }
  return out;
}

async function audit(): Promise<Row[]> {
  return (await postgres.query('select * from shopflow.load_audit order by id')).rows;
}

async function seedCatalog(): Promise<void> {
  await loadCustomers(postgres.pool, [customer(1), customer(2), customer(3, { country: 'DE' })], context);
  await loadProducts(postgres.pool, [product(1), product(2, { category: 'Toys', price: '3.50' })], context);
}

describe('loadTable: inserts, updates, unchanged', () => {
  it('counts inserted, updated and unchanged rows exactly', async () => {
    const first = await loadCustomers(postgres.pool, [customer(1), customer(2), customer(3)], context);
    expect(first).toMatchObject({
      staged: 3,
      inserted: 3,
      updated: 0,
      unchanged: 0,
      rejected: 0,
      rejectedSample: [],
      earliestChange: '2024-01-01T00:00:00.000Z',
    });

    const second = await loadCustomers(
      postgres.pool,
      [
        customer(1),
        customer(2, { email: 'new@example.com', updated_at: '2024-02-01T00:00:00Z' }),
        customer(4, { updated_at: '2024-02-03T00:00:00Z' }),
      ],
      context,
    );
    // The earliest source time among the rows written (customer 1 was unchanged).
    expect(second).toMatchObject({
      staged: 3,
      inserted: 1,
      updated: 1,
      unchanged: 1,
      rejected: 0,
      earliestChange: '2024-02-01T00:00:00.000Z',
    });
    const { rows } = await postgres.query(
      'select customer_id, email, version from shopflow.customers order by 1',
    );
    expect(rows).toEqual([
      { customer_id: '1', email: 'c1@example.com', version: 1 },
      { customer_id: '2', email: 'new@example.com', version: 2 },
      { customer_id: '3', email: 'c3@example.com', version: 1 },
      { customer_id: '4', email: 'c4@example.com', version: 1 },
    ]);
  });

  it('loading the same data twice changes nothing but the audit', async () => {
    const customers = [customer(1), customer(2, { country: 'FR' }), customer(3)];
    const products = [product(1), product(2, { category: 'Toys' })];
    const transactions = [transaction(1), transaction(2, { customer_id: 2, product_id: 2, quantity: 3 })];
    await loadCustomers(postgres.pool, customers, context);
    await loadProducts(postgres.pool, products, context);
    await loadTransactions(postgres.pool, transactions, context);
    const before = await warehouse();
    const auditBefore = await audit();

    const again = [
      await loadCustomers(postgres.pool, customers, context),
      await loadProducts(postgres.pool, products, context),
      await loadTransactions(postgres.pool, transactions, context),
    ];
    expect(
      again.map(({ inserted, updated, unchanged, rejected }) => ({ inserted, updated, unchanged, rejected })),
    ).toEqual([
      { inserted: 0, updated: 0, unchanged: 3, rejected: 0 },
      { inserted: 0, updated: 0, unchanged: 2, rejected: 0 },
      { inserted: 0, updated: 0, unchanged: 2, rejected: 0 },
    ]);
    expect(await warehouse()).toEqual(before);
    const auditAfter = await audit();
    expect(auditAfter).toHaveLength(auditBefore.length + 3);
    expect(auditAfter.slice(-3)).toEqual([
      expect.objectContaining({
        target_table: 'shopflow.customers',
        inserted: '0',
        updated: '0',
        unchanged: '3',
      }),
      expect.objectContaining({
        target_table: 'shopflow.products',
        inserted: '0',
        updated: '0',
        unchanged: '2',
      }),
      expect.objectContaining({
        target_table: 'shopflow.transactions',
        inserted: '0',
        updated: '0',
        unchanged: '2',
      }),
    ]);
  });

  it('a changed email bumps version, updated_at and loaded_at but not created_at', async () => {
    await loadCustomers(postgres.pool, [customer(1)], context);
    const [before] = (await postgres.query('select * from shopflow.customers')).rows;
    await loadCustomers(
      postgres.pool,
      [customer(1, { email: 'moved@example.com', updated_at: '2024-05-01T00:00:00Z' })],
      context,
    );
    const [after] = (await postgres.query('select * from shopflow.customers')).rows;
    expect(after.email).toBe('moved@example.com');
    expect(after.version).toBe(before.version + 1);
    expect(after.created_at).toEqual(before.created_at);
    expect(after.updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime());
    expect(after.loaded_at.getTime()).toBeGreaterThan(before.loaded_at.getTime());
    expect(after.source_updated_at.toISOString()).toBe('2024-05-01T00:00:00.000Z');
  });

  it('keeps the newest version per key within a load, whatever the input order', async () => {
    const result = await loadCustomers(
      postgres.pool,
      [
        customer(1, { email: 'v2@example.com', updated_at: '2024-02-01T00:00:00Z' }),
        customer(1, { email: 'v3@example.com', country: 'DE', updated_at: '2024-03-01T00:00:00Z' }),
        customer(1, { email: 'v1@example.com', updated_at: '2024-01-01T00:00:00Z' }),
      ],
      context,
    );
    expect(result).toMatchObject({ staged: 3, inserted: 1, updated: 0, unchanged: 2 });
    const { rows } = await postgres.query('select email, country_code, version from shopflow.customers');
    expect(rows).toEqual([{ email: 'v3@example.com', country_code: 'DE', version: 1 }]);
  });

  it('never lets an older source version overwrite a newer stored one', async () => {
    await loadCustomers(
      postgres.pool,
      [customer(1, { email: 'new@example.com', updated_at: '2024-06-01T00:00:00Z' })],
      context,
    );
    const late = await loadCustomers(
      postgres.pool,
      [customer(1, { email: 'old@example.com', updated_at: '2024-01-01T00:00:00Z' })],
      context,
    );
    expect(late).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
    const { rows } = await postgres.query('select email, version from shopflow.customers');
    expect(rows).toEqual([{ email: 'new@example.com', version: 1 }]);
  });

  it('fills lookup dimensions and rounds prices to the cent', async () => {
    await loadProducts(
      postgres.pool,
      [
        product(1, { category: 'Toys', price: '4.005' }),
        product(2, { category: 'Books', supplier: 'Ink Ltd' }),
      ],
      context,
    );
    const { rows } =
      await postgres.query(`select p.product_id, c.name as category, s.name as supplier, p.price
      from shopflow.products p join shopflow.categories c using (category_id) join shopflow.suppliers s using (supplier_id)
      order by 1`);
    expect(rows).toEqual([
      { product_id: '1', category: 'Toys', supplier: 'Paper Co', price: '4.01' },
      { product_id: '2', category: 'Books', supplier: 'Ink Ltd', price: '10.00' },
    ]);
    const moved = await loadProducts(
      postgres.pool,
      [product(1, { category: 'Games', price: '4.01', updated_at: '2024-02-01T00:00:00Z' })],
      context,
    );
    expect(moved).toMatchObject({ inserted: 0, updated: 1 });
    const categories = await postgres.query('select name from shopflow.categories order by name');
    expect(categories.rows.map((row) => row.name)).toEqual(['Books', 'Games', 'Toys']);
  });

  it('computes amount and the UTC transaction date of transactions', async () => {
    await seedCatalog();
    await loadTransactions(
      postgres.pool,
      [transaction(1, { quantity: 3, unit_price: '2.50', timestamp: '2024-03-01T01:30:00+02:00' })],
      context,
    );
    const { rows } = await postgres.query(
      'select amount, transaction_date, transaction_ts, delivery_date from shopflow.transactions',
    );
    expect(rows).toEqual([
      {
        amount: '7.50',
        transaction_date: '2024-02-29',
        transaction_ts: new Date('2024-02-29T23:30:00Z'),
        delivery_date: '2024-03-01',
      },
    ]);
  });

  it('loads any table described by a spec, mapping incoming columns to themselves', async () => {
    await postgres.query(`create table shopflow.things (thing_id bigint primary key, label text, weight numeric,
      created_at timestamptz not null default now(), updated_at timestamptz not null default now(),
      loaded_at timestamptz not null default now(), version integer not null default 1)`);
    const spec: TableSpec = {
      table: 'shopflow.things',
      key: ['thing_id'],
      columns: [
        { name: 'thing_id', type: 'bigint' },
        { name: 'label', type: 'text' },
        { name: 'weight', type: 'numeric' },
      ],
      compare: ['label', 'weight'],
    };
    const rows = [
      { thing_id: 1, label: 'a', weight: 1.5 },
      { thing_id: 2, label: '', weight: null },
      { thing_id: 2, label: 'later wins', weight: 2 },
    ];
    expect(await loadTable(postgres.pool, spec, rows, context)).toMatchObject({ inserted: 2, unchanged: 1 });
    const stored = await postgres.query('select thing_id, label, weight from shopflow.things order by 1');
    expect(stored.rows).toEqual([
      { thing_id: '1', label: 'a', weight: '1.5' },
      { thing_id: '2', label: 'later wins', weight: '2' },
    ]);
  });
});

describe('loadTable: rejected rows', () => {
  it('sets aside orphans and non-positive values with reasons, loading the rest', async () => {
    await seedCatalog();
    const before = await warehouse();
    const result = await loadTransactions(
      postgres.pool,
      [
        transaction(1),
        transaction(2, { customer_id: 99 }),
        transaction(3, { product_id: 77, payment_method: 'crypto' }),
        transaction(4, { quantity: 0 }),
        transaction(5, { unit_price: '-1.00' }),
        transaction(6, { transaction_id: null }),
        transaction(7, { customer_id: 2, product_id: 2 }),
      ],
      context,
    );
    expect(result).toMatchObject({ staged: 7, inserted: 2, updated: 0, unchanged: 0, rejected: 5 });
    expect(result.rejectedSample.map(({ row, reason }) => ({ row, reason }))).toEqual([
      { row: 2, reason: 'customer_id not found in shopflow.customers' },
      { row: 3, reason: 'product_id not found in shopflow.products' },
      { row: 4, reason: 'quantity is missing or not positive' },
      { row: 5, reason: 'unit_price is missing or negative' },
      { row: 6, reason: 'transaction_id is missing' },
    ]);
    expect(result.rejectedSample[0].values).toMatchObject({ transaction_id: 2, customer_id: 99 });
    const { rows } = await postgres.query('select transaction_id from shopflow.transactions order by 1');
    expect(rows.map((row) => row.transaction_id)).toEqual(['1', '7']);
    // A value seen only on a rejected row does not enter a lookup dimension.
    expect((await warehouse()).payment_methods.map((row) => row.name)).toEqual(['credit_card']);
    expect(before.payment_methods).toEqual([]);
    expect((await audit()).at(-1)).toMatchObject({ status: 'success', inserted: '2', rejected: '5' });
  });

  it('rejects products without a positive price and limits the sample', async () => {
    const result = await loadProducts(
      postgres.pool,
      [
        product(1, { price: '0' }),
        product(2, { price: '-5' }),
        product(3, { price: '0.004' }),
        product(4),
        product(5, { price: null }),
      ],
      context,
      { rejectedSampleSize: 2 },
    );
    expect(result).toMatchObject({ staged: 5, inserted: 1, rejected: 4 });
    expect(result.rejectedSample).toEqual([
      {
        row: 1,
        reason: 'price is not positive',
        values: expect.objectContaining({ product_id: 1, price: 0 }),
      },
      {
        row: 2,
        reason: 'price is not positive',
        values: expect.objectContaining({ product_id: 2, price: -5 }),
      },
    ]);
  });
});

describe('loadTable: one session, many loads', () => {
  it('numbers each load from its first row and keeps nothing staged or rejected from the one before', async () => {
    await seedCatalog();
    // One connection: every load below runs in the same session, which keeps its staging tables.
    const session = new pg.Pool({ connectionString: server.url, max: 1 });
    try {
      const first = await loadTransactions(
        session,
        [transaction(1), transaction(2, { customer_id: 99 }), transaction(3)],
        context,
      );
      expect(first).toMatchObject({ staged: 3, inserted: 2, rejected: 1 });
      const failed = await loadTransactions(
        session,
        [transaction(8), transaction(9, { quantity: 'many' })],
        context,
      ).catch((error: unknown) => error);
      expect(isShopflowError(failed) && failed.code).toBe('SF_INPUT_INVALID');
      const second = await loadTransactions(
        session,
        [transaction(4, { product_id: 77 }), transaction(5), transaction(6, { quantity: 0 })],
        context,
      );
      expect(second).toMatchObject({ staged: 3, inserted: 1, updated: 0, unchanged: 0, rejected: 2 });
      expect(second.rejectedSample.map(({ row, values }) => ({ row, id: values.transaction_id }))).toEqual([
        { row: 1, id: 4 },
        { row: 3, id: 6 },
      ]);
      const { rows } = await session.query('select transaction_id from shopflow.transactions order by 1');
      expect(rows.map((row) => row.transaction_id)).toEqual(['1', '3', '5']);
    } finally {
      await session.end();
    }
  });
});

describe('loadTable: replacing a slice', () => {
  const day = (value: string) => ({ replacing: { column: 'delivery_date', value } });

  it('deletes the stored rows of the replaced day that the input no longer holds, and only those', async () => {
    await seedCatalog();
    const march2 = { delivery_date: '2024-03-02' };
    await loadTransactions(
      postgres.pool,
      [transaction(1), transaction(2), transaction(3)],
      context,
      day('2024-03-01'),
    );
    await loadTransactions(postgres.pool, [transaction(10, march2)], context, day('2024-03-02'));

    // The day re-delivered without transaction 2, and transaction 3 changed.
    const again = await loadTransactions(
      postgres.pool,
      [transaction(1), transaction(3, { quantity: 2 })],
      context,
      day('2024-03-01'),
    );
    expect(again).toMatchObject({
      staged: 2,
      inserted: 0,
      updated: 1,
      unchanged: 1,
      rejected: 0,
      deleted: 1,
    });
    const stored = (await warehouse()).transactions.map((row) => [row.transaction_id, row.quantity]);
    expect(stored).toEqual([
      ['1', 1],
      ['3', 2],
      ['10', 1],
    ]);
    expect((await audit()).at(-1)).toMatchObject({ deleted: '1', status: 'success' });

    // An empty delivery empties its day; the other day keeps its row.
    const empty = await loadTransactions(postgres.pool, [], context, day('2024-03-01'));
    expect(empty).toMatchObject({ staged: 0, deleted: 2 });
    expect((await warehouse()).transactions.map((row) => row.transaction_id)).toEqual(['10']);
  });

  it('keeps the stored version of a row rejected by the new input, and deletes nothing without `replacing`', async () => {
    await seedCatalog();
    await loadTransactions(postgres.pool, [transaction(1), transaction(2)], context, day('2024-03-01'));

    const rejectedNow = await loadTransactions(
      postgres.pool,
      [transaction(1), transaction(2, { customer_id: 99 })],
      context,
      day('2024-03-01'),
    );
    expect(rejectedNow).toMatchObject({ rejected: 1, deleted: 0 });
    expect((await warehouse()).transactions.map((row) => [row.transaction_id, row.customer_id])).toEqual([
      ['1', '1'],
      ['2', '1'],
    ]);

    const upsertOnly = await loadTransactions(postgres.pool, [transaction(1)], context);
    expect(upsertOnly.deleted).toBe(0);
    expect((await warehouse()).transactions).toHaveLength(2);
  });

  it('rolls the deletion back with the rest when the load fails', async () => {
    await seedCatalog();
    await loadTransactions(postgres.pool, [transaction(1), transaction(2)], context, day('2024-03-01'));
    const before = await warehouse();
    const file = join(scratch, 'bad-replace.csv');
    writeFileSync(
      file,
      'transaction_id,customer_id,product_id,quantity,unit_price,timestamp,payment_method,delivery_date\n1,1,1,not-a-number,10.00,2024-03-01T10:00:00Z,credit_card,2024-03-01\n',
    );
    await expect(loadTransactions(postgres.pool, file, context, day('2024-03-01'))).rejects.toThrow(
      /not-a-number/,
    );
    expect(await warehouse()).toEqual(before);
    expect((await audit()).at(-1)).toMatchObject({ status: 'failed', deleted: '0' });
  });
});

describe('loadTable: CSV files', () => {
  it('streams a CSV file whose header lists the columns in any order, with quoted fields', async () => {
    const path = join(scratch, 'products.csv');
    writeFileSync(
      path,
      [
        'supplier,product_id,price,name,category,updated_at',
        '"Smith, ""Bob"" & Co",1,12.50,"Two\nlines",Books,2024-01-01T00:00:00Z',
        'Ink Ltd,2,3.00,Plain,"",2024-01-01T00:00:00Z',
        'Ink Ltd,3,3.00,No category,,2024-01-01T00:00:00Z',
        '',
      ].join('\r\n'),
    );
    const result = await loadProducts(postgres.pool, path, context);
    expect(result).toMatchObject({ staged: 3, inserted: 1, rejected: 2 });
    expect(result.rejectedSample.map((rejected) => [rejected.row, rejected.reason])).toEqual([
      [2, 'category is missing'],
      [3, 'category is missing'],
    ]);
    const { rows } = await postgres.query(`select p.name, s.name as supplier from shopflow.products p
      join shopflow.suppliers s using (supplier_id)`);
    expect(rows).toEqual([{ name: 'Two\nlines', supplier: 'Smith, "Bob" & Co' }]);
  });

  it('names an unexpected or missing header column and writes a failed audit row', async () => {
    const path = join(scratch, 'customers-typo.csv');
    writeFileSync(
      path,
      'customer_id,name,emial,registration_date,country,updated_at\n1,A,a@x,2024-01-01,US,\n',
    );
    const error = await loadCustomers(postgres.pool, path, context).catch((caught: unknown) => caught);
    expect(isShopflowError(error, 'SF_INPUT_INVALID')).toBe(true);
    expect((error as Error).message).toContain('unexpected column `emial`');
    expect((error as Error).message).toContain('did you mean `email`?');
    expect((await audit()).at(-1)).toMatchObject({ status: 'failed', target_table: 'shopflow.customers' });

    writeFileSync(path, 'customer_id,name,registration_date,country,updated_at\n');
    await expect(loadCustomers(postgres.pool, path, context)).rejects.toThrow('lacks the column(s) email');
    await expect(loadCustomers(postgres.pool, join(scratch, 'absent.csv'), context)).rejects.toMatchObject({
      code: 'SF_IO',
    });
  });
});

describe('loadTable: failures', () => {
  it('a value COPY cannot read leaves every table as it was and audits the failure', async () => {
    await seedCatalog();
    await loadTransactions(postgres.pool, [transaction(1)], context);
    const before = await warehouse();
    const rows = Array.from({ length: 2000 }, (_, i) =>
      transaction(i + 2, { payment_method: 'crypto', quantity: i === 1500 ? 'abc' : 1 }),
    );
    const error = await loadTransactions(postgres.pool, rows, {
      ...context,
      partitionKey: '2024-03-02',
    }).catch((caught: unknown) => caught);
    expect(isShopflowError(error, 'SF_INPUT_INVALID')).toBe(true);
    expect((error as Error).message).toContain('shopflow.transactions for pg_test[2024-03-02]');
    expect((error as Error).message).toContain('invalid input syntax for type integer: "abc"');
    expect((error as Error).message).toContain('line 1501, column quantity');
    expect(await warehouse()).toEqual(before);
    expect((await audit()).at(-1)).toMatchObject({
      run_id: 'run-1',
      asset_key: 'pg_test',
      partition_key: '2024-03-02',
      status: 'failed',
      inserted: '0',
      error: expect.stringContaining('invalid input syntax'),
    });
    // The pool is healthy afterwards.
    expect(await loadTransactions(postgres.pool, [transaction(2)], context)).toMatchObject({ inserted: 1 });
  });

  it('an input that fails while streaming rolls back and is audited', async () => {
    await seedCatalog();
    const before = await warehouse();
    async function* broken() {
      for (let id = 1; id <= 100; id++) yield customer(id + 10);
      throw new Error('silver partition unreadable');
    }
    const error = await loadCustomers(postgres.pool, broken(), context).catch((caught: unknown) => caught);
    expect(isShopflowError(error, 'SF_IO')).toBe(true);
    expect((error as Error).message).toContain('silver partition unreadable');
    expect(await warehouse()).toEqual(before);
    expect((await audit()).at(-1)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('unreadable'),
    });
    expect(await loadCustomers(postgres.pool, [customer(50)], context)).toMatchObject({ inserted: 1 });
  });
});

describe('loadTable: missing schema', () => {
  it('says to apply the DDL when the warehouse tables do not exist', async () => {
    await postgres.query('drop schema shopflow cascade');
    const error = await loadCustomers(postgres.pool, [customer(1)], context).catch(
      (caught: unknown) => caught,
    );
    expect(isShopflowError(error, 'SF_IO')).toBe(true);
    expect((error as Error).message).toContain('apply sql/ddl first (applyDdl)');
  });
});

describe('loadTable: concurrency', () => {
  it('concurrent loads of different partitions neither deadlock nor lose rows', async () => {
    const ascending = Array.from({ length: 3000 }, (_, i) => customer(i + 1));
    const descending = Array.from({ length: 3000 }, (_, i) =>
      customer(4500 - i, {
        email: `b${4500 - i}@example.com`,
        country: 'NZ',
        updated_at: '2024-02-01T00:00:00Z',
      }),
    );
    const customers = await Promise.all([
      loadCustomers(postgres.pool, ascending, { ...context, partitionKey: 'a' }),
      loadCustomers(postgres.pool, descending, { ...context, partitionKey: 'b' }),
    ]);
    expect(customers.every((result) => result.rejected === 0)).toBe(true);
    const stored = await postgres.query(`select count(*)::int as n,
      count(*) filter (where email like 'b%')::int as newer from shopflow.customers`);
    // Customers 1501–4500 end with partition b's newer version whichever load committed first.
    expect(stored.rows[0]).toEqual({ n: 4500, newer: 3000 });

    await loadProducts(postgres.pool, [product(1), product(2)], context);
    const partition = (offset: number, methods: string[]) =>
      Array.from({ length: 4000 }, (_, i) =>
        transaction(offset + i, {
          customer_id: (i % 4500) + 1,
          product_id: (i % 2) + 1,
          payment_method: methods[i % 2],
        }),
      );
    const transactions = await Promise.all([
      loadTransactions(postgres.pool, partition(1, ['zeta', 'alpha']), {
        ...context,
        partitionKey: '2024-03-01',
      }),
      loadTransactions(postgres.pool, partition(10_001, ['alpha', 'zeta']), {
        ...context,
        partitionKey: '2024-03-02',
      }),
      loadTransactions(postgres.pool, partition(20_001, ['mid', 'alpha']), {
        ...context,
        partitionKey: '2024-03-03',
      }),
    ]);
    expect(transactions.map((result) => result.inserted)).toEqual([4000, 4000, 4000]);
    const methods = await postgres.query('select name from shopflow.payment_methods order by name');
    expect(methods.rows.map((row) => row.name)).toEqual(['alpha', 'mid', 'zeta']);
    const audits = await postgres.query(
      "select count(*)::int as n from shopflow.load_audit where status = 'success'",
    );
    expect(audits.rows[0].n).toBe(6);
  });

  it('a key another transaction commits while a load writes it is upserted, not lost nor doubled', async () => {
    await loadCustomers(postgres.pool, [customer(1)], context);
    const other = new pg.Client({ connectionString: server.url });
    await other.connect();
    try {
      // Customer 5 is not stored when the load takes its snapshot, so the load inserts it plainly;
      // the other transaction's uncommitted row makes that insert wait, then fail on the key when
      // it commits. The load must then write the row as an update of the committed one.
      await other.query('begin');
      await other.query(`insert into shopflow.customers
        (customer_id, name, email, registration_date, country_code, source_updated_at)
        values (5, 'Other writer', 'other@example.com', '2024-01-01', 'US', '2024-01-15T00:00:00Z')`);
      const load = loadCustomers(
        postgres.pool,
        [customer(4), customer(5, { email: 'c5-newer@example.com', updated_at: '2024-02-01T00:00:00Z' })],
        context,
      );
      const waiting = async (): Promise<boolean> =>
        (
          await postgres.query(`select count(*)::int as n from pg_stat_activity
            where wait_event_type = 'Lock' and query like '%sf_unique_fallback%'`)
        ).rows[0].n > 0;
      for (let attempt = 0; attempt < 500 && !(await waiting()); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await waiting()).toBe(true);
      await other.query('commit');
      // The triggers stayed off through the second write: the reference check before the savepoint stands.
      expect(await load).toMatchObject({
        staged: 2,
        inserted: 1,
        updated: 1,
        unchanged: 0,
        referenceCheck: 'set-based',
      });
    } finally {
      await other.end();
    }
    const { rows } = await postgres.query(
      'select customer_id, email, version from shopflow.customers order by 1',
    );
    expect(rows).toEqual([
      { customer_id: '1', email: 'c1@example.com', version: 1 },
      { customer_id: '4', email: 'c4@example.com', version: 1 },
      { customer_id: '5', email: 'c5-newer@example.com', version: 2 },
    ]);
  });
});

describe('set-based reference checks', () => {
  it('the embedded superuser checks a day of transactions in one statement; the rows are the same as with per-row checks', async () => {
    await loadCustomers(postgres.pool, [customer(1), customer(2)], context);
    await loadProducts(postgres.pool, [product(1)], context);
    const result = await loadTransactions(
      postgres.pool,
      [transaction(10), transaction(11, { customer_id: 2 }), transaction(12, { customer_id: 3 })],
      context,
    );
    expect([result.inserted, result.rejected, result.referenceCheck]).toEqual([2, 1, 'set-based']);
    expect(result.rejectedSample[0].reason).toBe('customer_id not found in shopflow.customers');
    // NOTE: the triggers are off inside the load's transaction only: any other write is still checked.
    await expect(
      postgres.query(
        `insert into shopflow.transactions (transaction_id, customer_id, product_id, quantity, unit_price, transaction_ts, payment_method_id)
         select 99, 424242, 1, 1, 1, now(), payment_method_id from shopflow.payment_methods limit 1`,
      ),
    ).rejects.toMatchObject({ code: '23503' });
  });

  it('a reference no reject rule covers falls back to per-row checks, which name it and write nothing', async () => {
    await postgres.query(`create table shopflow.shelves (shelf_id integer primary key);
      insert into shopflow.shelves values (1);
      create table shopflow.shelf_items (
        item_id bigint primary key,
        shelf_id integer not null references shopflow.shelves (shelf_id),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        loaded_at timestamptz not null default now(),
        version integer not null default 1
      )`);
    const spec: TableSpec = {
      table: 'shopflow.shelf_items',
      key: ['item_id'],
      columns: [
        { name: 'item_id', type: 'bigint' },
        { name: 'shelf_id', type: 'integer' },
      ],
      compare: ['shelf_id'],
    };
    const ok = await loadTable(postgres.pool, spec, [{ item_id: 1, shelf_id: 1 }], context);
    expect([ok.inserted, ok.referenceCheck]).toEqual([1, 'set-based']);
    const error = await loadTable(
      postgres.pool,
      spec,
      [
        { item_id: 2, shelf_id: 1 },
        { item_id: 3, shelf_id: 7 },
      ],
      context,
    ).catch((e: unknown) => e);
    expect(isShopflowError(error, 'SF_INPUT_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/shelf_items_shelf_id_fkey/);
    const { rows } = await postgres.query('select item_id::int as id from shopflow.shelf_items order by 1');
    expect(rows).toEqual([{ id: 1 }]);
  });

  it('a table with triggers of its own keeps the per-row checks, and its triggers fire as for any writer', async () => {
    await postgres.query(`create table shopflow.transaction_log (transaction_id bigint);
      create function shopflow.log_transaction() returns trigger language plpgsql as $$
        begin insert into shopflow.transaction_log values (new.transaction_id); return new; end $$;
      create trigger log_transaction after insert on shopflow.transactions
        for each row execute function shopflow.log_transaction()`);
    await loadCustomers(postgres.pool, [customer(1)], context);
    await loadProducts(postgres.pool, [product(1)], context);
    const result = await loadTransactions(postgres.pool, [transaction(10), transaction(11)], context);
    expect([result.inserted, result.referenceCheck]).toEqual([2, 'per-row']);
    const { rows } = await postgres.query(
      'select transaction_id::int as id from shopflow.transaction_log order by 1',
    );
    expect(rows).toEqual([{ id: 10 }, { id: 11 }]);
  });
});

describe('queryWithUniqueFallback', () => {
  async function inTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await postgres.pool.connect();
    try {
      await client.query('begin');
      await client.query('create temp table keyed (id int primary key, note text) on commit drop');
      await client.query(`insert into keyed values (1, 'stored')`);
      return await fn(client);
    } finally {
      await client.query('rollback');
      client.release();
    }
  }

  it('a failed first try rolls back to the savepoint, keeps what ran before and runs the fallback', async () => {
    await inTransaction(async (client) => {
      const result = await queryWithUniqueFallback(client, {
        before: [`insert into keyed values (2, 'before')`],
        first: [`insert into keyed values (3, 'first'), (1, 'again')`],
        fallback: [`insert into keyed values (4, 'fallback') returning id`],
        after: ['select count(*)::int as n from keyed'],
      });
      expect(result.fellBack).toBe(true);
      expect(result.main[0].rows).toEqual([{ id: 4 }]);
      expect(result.after[0].rows).toEqual([{ n: 3 }]);
      const { rows } = await client.query('select id, note from keyed order by id');
      expect(rows).toEqual([
        { id: 1, note: 'stored' },
        { id: 2, note: 'before' },
        { id: 4, note: 'fallback' },
      ]);
    });
  });

  it('a probe that finds the key stored runs the fallback without the first try', async () => {
    await inTransaction(async (client) => {
      const result = await queryWithUniqueFallback(client, {
        before: [`insert into keyed values (2, 'before') returning id`],
        probe: 'select exists (select 1 from keyed where id = 1) as stored',
        // Division by zero: had the first try run, this error (not a unique violation) would be thrown.
        first: ['select 1 / 0'],
        fallback: [`update keyed set note = 'upserted' where id = 1 returning id`],
      });
      expect(result).toMatchObject({ fellBack: true });
      expect(result.before[0].rows).toEqual([{ id: 2 }]);
      expect(result.main[0].rows).toEqual([{ id: 1 }]);
    });
  });

  it('a probe that finds nothing stored lets the first try run, and still falls back on a key', async () => {
    await inTransaction(async (client) => {
      const clean = await queryWithUniqueFallback(client, {
        probe: 'select exists (select 1 from keyed where id = 5) as stored',
        first: [`insert into keyed values (5, 'first') returning id`],
        fallback: ['select 1 / 0'],
      });
      expect(clean.fellBack).toBe(false);
      expect(clean.main[0].rows).toEqual([{ id: 5 }]);
      const conflicting = await queryWithUniqueFallback(client, {
        before: ['select 7 as seven'],
        probe: 'select exists (select 1 from keyed where id = 6) as stored',
        first: [`insert into keyed values (6, 'first'), (5, 'again')`],
        fallback: [`select 'fell back' as outcome`],
      });
      expect(conflicting.fellBack).toBe(true);
      expect(conflicting.before[0].rows).toEqual([{ seven: 7 }]);
      expect(conflicting.main[0].rows).toEqual([{ outcome: 'fell back' }]);
      await expect(
        queryWithUniqueFallback(client, {
          probe: 'select false as stored',
          first: ['select 1 / 0'],
          fallback: [],
        }),
      ).rejects.toThrow(/division by zero/);
    });
  });
});
