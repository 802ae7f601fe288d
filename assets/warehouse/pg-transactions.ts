import { z } from 'zod';
import { decimal, defineAsset } from '../../framework/index.js';
import { loadTransactions } from '../../resources/postgres/shopflow-tables.js';
import { asOfDeliveryDay, shopflowDays } from '../shopflow-calendar.js';
import { silverTransactions } from '../silver/silver-transactions.js';
import { loadFromLake } from './load-from-lake.js';
import { pgCustomers } from './pg-customers.js';
import { pgProducts } from './pg-products.js';
import { postgresStoredTypes } from './postgres-stored-types.js';
import { postgresTableIo } from './postgres-table-io.js';

/**
 * `shopflow.transactions` for one delivery day, upserted from silver after the customers and
 * products they reference; rows whose customer or product is missing are rejected and counted in
 * the load audit. A day's load replaces the day: stored transactions of that delivery day that
 * its silver partition no longer holds (a re-delivered extract that lost a row) are deleted.
 */
export const pgTransactions = defineAsset({
  key: 'pg_transactions',
  group: 'warehouse',
  description:
    'Transactions in the PostgreSQL warehouse (shopflow.transactions), one delivery day per partition.',
  deps: { silver: silverTransactions, customers: pgCustomers, products: pgProducts },
  columnsFrom: 'silver',
  classification: 'internal',
  partitions: shopflowDays,
  partitionMappings: {
    customers: asOfDeliveryDay,
    products: asOfDeliveryDay,
  },
  io: postgresTableIo('shopflow.transactions', {
    orderBy: 'transaction_id',
    partitionColumn: 'delivery_date',
  }),
  schema: z.object({
    transaction_id: z.int(),
    customer_id: z.int(),
    product_id: z.int(),
    quantity: z.int(),
    unit_price: decimal(12, 2).describe('Price per unit paid, EUR'),
    amount: decimal(14, 2).describe('quantity × unit_price, EUR (a generated column)'),
    transaction_ts: z.iso.datetime(),
    delivery_date: z.iso.date(),
  }),
  owners: ['data-platform'],
  checks: [postgresStoredTypes()],
  materialize: (context) =>
    loadFromLake(
      context,
      {
        source: context.deps.silver.toSql(),
        select: `transaction_id, customer_id, product_id, quantity, unit_price,
         strftime(transaction_ts, '%Y-%m-%dT%H:%M:%SZ') as timestamp, payment_method, delivery_date`,
        orderBy: 'transaction_id',
        replacing: 'delivery_date',
      },
      loadTransactions,
    ),
});
