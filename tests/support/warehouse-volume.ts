import type pg from 'pg';
import { loadCustomers, loadProducts, loadTransactions } from '../../resources/postgres/shopflow-tables.js';
import { mulberry32 } from './seeded-random.js';

const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'ES', 'IT', 'NL', 'CA', 'PL', 'SE'];
const CATEGORIES = ['Books', 'Toys', 'Garden', 'Kitchen', 'Sports', 'Music', 'Office', 'Beauty'];
const PAYMENTS = ['credit_card', 'paypal', 'debit_card'];

/**
 * Loads a warehouse about the size of the pipeline at scale 20 — `transactions` rows over `days`
 * delivery days from 2024-01-01, 20 k customers, 2 k products — through the same loaders as the
 * pipeline, then `VACUUM ANALYZE`s it, so the planner sees real statistics.
 *
 * @example
 * await loadWarehouseVolume(postgres.pool, { transactions: 140_000, days: 90 });
 */
export async function loadWarehouseVolume(
  pool: pg.Pool,
  options: { transactions: number; days: number; customers?: number; products?: number },
): Promise<void> {
  const next = mulberry32(20);
  const customers = options.customers ?? 20_000;
  const products = options.products ?? 2_000;
  const context = { runId: 'warehouse-volume', assetKey: 'fixture' };
  await loadCustomers(
    pool,
    Array.from({ length: customers }, (_, i) => ({
      customer_id: i + 1,
      name: `Customer ${i + 1}`,
      email: `c${i + 1}@example.com`,
      registration_date: '2023-01-01',
      country: COUNTRIES[i % COUNTRIES.length],
      updated_at: '2023-01-01T00:00:00Z',
    })),
    context,
  );
  await loadProducts(
    pool,
    Array.from({ length: products }, (_, i) => ({
      product_id: i + 1,
      name: `Product ${i + 1}`,
      category: CATEGORIES[i % CATEGORIES.length],
      price: `${10 + (i % 90)}.00`,
      supplier: `Supplier ${i % 25}`,
      updated_at: '2023-01-01T00:00:00Z',
    })),
    context,
  );
  const day = (n: number) => new Date(Date.UTC(2024, 0, 1 + n)).toISOString().slice(0, 10);
  await loadTransactions(
    pool,
    (function* () {
      for (let i = 0; i < options.transactions; i++) {
        const date = day(Math.floor((i * options.days) / options.transactions));
        yield {
          transaction_id: i + 1,
          customer_id: 1 + Math.floor(next() * customers),
          product_id: 1 + Math.floor(next() * products),
          quantity: 1 + Math.floor(next() * 5),
          unit_price: `${5 + Math.floor(next() * 95)}.${String(Math.floor(next() * 100)).padStart(2, '0')}`,
          timestamp: `${date}T${String(Math.floor(next() * 24)).padStart(2, '0')}:00:00Z`,
          payment_method: PAYMENTS[i % PAYMENTS.length],
          delivery_date: date,
        };
      }
    })(),
    context,
  );
  await pool.query('vacuum analyze');
}
