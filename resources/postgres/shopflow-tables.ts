import type pg from 'pg';
import type { LoadRows } from './copy-into-stage.js';
import { type LoadContext, type LoadOptions, type LoadResult, loadTable } from './table-loader.js';
import type { TableSpec } from './table-spec.js';

/**
 * `shopflow.customers` from customer rows `customer_id,name,email,registration_date,country,updated_at`
 * (one row per profile version). The newest version per customer wins — within a load and against
 * what is stored; countries are added to `shopflow.countries` as they appear.
 */
export const customersSpec: TableSpec = {
  table: 'shopflow.customers',
  key: ['customer_id'],
  columns: [
    { name: 'customer_id', type: 'bigint' },
    { name: 'name', type: 'text' },
    { name: 'email', type: 'text' },
    { name: 'registration_date', type: 'date' },
    { name: 'country', type: 'text' },
    { name: 'updated_at', type: 'timestamptz' },
  ],
  target: {
    customer_id: 's.customer_id',
    name: 's.name',
    email: 's.email',
    registration_date: 's.registration_date',
    source_updated_at: 's.updated_at',
  },
  lookups: [{ table: 'shopflow.countries', naturalKey: 'country_code', id: 'country_code', from: 'country' }],
  compare: ['name', 'email', 'registration_date', 'country_code'],
  versionedBy: 'source_updated_at',
  reject: [
    { reason: 'name is missing', when: "coalesce(s.name, '') = ''" },
    { reason: 'email is missing', when: "coalesce(s.email, '') = ''" },
    { reason: 'registration_date is missing', when: 's.registration_date is null' },
    { reason: 'country is missing', when: "coalesce(s.country, '') = ''" },
  ],
};

/**
 * `shopflow.products` from product rows `product_id,name,category,price,supplier,updated_at`. The
 * newest version per product wins; categories and suppliers are added as they appear; a missing or
 * non-positive price is rejected.
 */
export const productsSpec: TableSpec = {
  table: 'shopflow.products',
  key: ['product_id'],
  columns: [
    { name: 'product_id', type: 'bigint' },
    { name: 'name', type: 'text' },
    { name: 'category', type: 'text' },
    { name: 'price', type: 'numeric' },
    { name: 'supplier', type: 'text' },
    { name: 'updated_at', type: 'timestamptz' },
  ],
  target: {
    product_id: 's.product_id',
    name: 's.name',
    price: 's.price',
    source_updated_at: 's.updated_at',
  },
  lookups: [
    { table: 'shopflow.categories', naturalKey: 'name', id: 'category_id', from: 'category' },
    { table: 'shopflow.suppliers', naturalKey: 'name', id: 'supplier_id', from: 'supplier' },
  ],
  compare: ['name', 'category_id', 'supplier_id', 'price'],
  versionedBy: 'source_updated_at',
  reject: [
    { reason: 'name is missing', when: "coalesce(s.name, '') = ''" },
    { reason: 'category is missing', when: "coalesce(s.category, '') = ''" },
    { reason: 'supplier is missing', when: "coalesce(s.supplier, '') = ''" },
    { reason: 'price is missing', when: 's.price is null' },
    { reason: 'price is not positive', when: 'round(s.price, 2) <= 0' },
    { reason: 'price is too large for numeric(12,2)', when: 'round(s.price, 2) >= 10000000000' },
  ],
};

/**
 * `shopflow.transactions` from transaction rows
 * `transaction_id,customer_id,product_id,quantity,unit_price,timestamp,payment_method,delivery_date`.
 * Customers and products must be loaded first: a transaction naming an unknown one is rejected
 * (as is a non-positive quantity or a negative price); payment methods are added as they appear.
 */
export const transactionsSpec: TableSpec = {
  table: 'shopflow.transactions',
  key: ['transaction_id'],
  columns: [
    { name: 'transaction_id', type: 'bigint' },
    { name: 'customer_id', type: 'bigint' },
    { name: 'product_id', type: 'bigint' },
    { name: 'quantity', type: 'integer' },
    { name: 'unit_price', type: 'numeric' },
    { name: 'timestamp', type: 'timestamptz' },
    { name: 'payment_method', type: 'text' },
    { name: 'delivery_date', type: 'date' },
  ],
  target: {
    transaction_id: 's.transaction_id',
    customer_id: 's.customer_id',
    product_id: 's.product_id',
    quantity: 's.quantity',
    unit_price: 's.unit_price',
    transaction_ts: 's."timestamp"',
    delivery_date: 's.delivery_date',
  },
  lookups: [
    {
      table: 'shopflow.payment_methods',
      naturalKey: 'name',
      id: 'payment_method_id',
      from: 'payment_method',
    },
  ],
  compare: [
    'customer_id',
    'product_id',
    'quantity',
    'unit_price',
    'transaction_ts',
    'payment_method_id',
    'delivery_date',
  ],
  reject: [
    { reason: 'customer_id is missing', when: 's.customer_id is null' },
    { reason: 'product_id is missing', when: 's.product_id is null' },
    { reason: 'timestamp is missing', when: 's."timestamp" is null' },
    { reason: 'payment_method is missing', when: "coalesce(s.payment_method, '') = ''" },
    { reason: 'quantity is missing or not positive', when: 'coalesce(s.quantity, 0) <= 0' },
    { reason: 'unit_price is missing or negative', when: 'coalesce(round(s.unit_price, 2), -1) < 0' },
    { reason: 'unit_price is too large for numeric(12,2)', when: 'round(s.unit_price, 2) >= 10000000000' },
    {
      reason: 'customer_id not found in shopflow.customers',
      orphan: { column: 'customer_id', table: 'shopflow.customers', references: 'customer_id' },
    },
    {
      reason: 'product_id not found in shopflow.products',
      orphan: { column: 'product_id', table: 'shopflow.products', references: 'product_id' },
    },
  ],
};

/**
 * Loads customer rows into `shopflow.customers` (see {@link customersSpec}).
 *
 * @example
 * await loadCustomers(pool, 'data/raw/customers.csv', { runId, assetKey: 'pg_customers' });
 */
export function loadCustomers(
  pool: pg.Pool,
  rows: LoadRows,
  context: LoadContext,
  options?: LoadOptions,
): Promise<LoadResult> {
  return loadTable(pool, customersSpec, rows, context, options);
}

/**
 * Loads product rows into `shopflow.products` (see {@link productsSpec}).
 *
 * @example
 * await loadProducts(pool, 'data/raw/products.csv', { runId, assetKey: 'pg_products' });
 */
export function loadProducts(
  pool: pg.Pool,
  rows: LoadRows,
  context: LoadContext,
  options?: LoadOptions,
): Promise<LoadResult> {
  return loadTable(pool, productsSpec, rows, context, options);
}

/**
 * Loads transaction rows into `shopflow.transactions` (see {@link transactionsSpec}); load
 * customers and products first.
 *
 * @example
 * await loadTransactions(pool, rows, { runId, assetKey: 'pg_transactions', partitionKey: '2024-01-15' });
 */
export function loadTransactions(
  pool: pg.Pool,
  rows: LoadRows,
  context: LoadContext,
  options?: LoadOptions,
): Promise<LoadResult> {
  return loadTable(pool, transactionsSpec, rows, context, options);
}
