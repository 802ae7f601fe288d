import { z } from 'zod';
import { notNull, storedTypes, unique } from '../../checks/index.js';
import { defineAsset, sql } from '../../framework/index.js';
import { money, price } from '../money.js';
import { asOfDeliveryDay, shopflowDays } from '../shopflow-calendar.js';
import { silverTransactions } from '../silver/silver-transactions.js';
import { lakeDimCustomer } from './lake-dim-customer.js';
import { lakeDimProduct } from './lake-dim-product.js';

/**
 * The sales fact of one delivery day computed by DuckDB from silver and the from-scratch lake
 * dimensions: the reference `fact_sales` must equal, with (natural key, version) where the warehouse
 * has surrogate keys. A sale resolves to the version valid at its time (the latest one starting at
 * or before it, found by an ASOF join), the first version also covering earlier times (as
 * `versionValidAt` does in PostgreSQL).
 */
export const lakeFactSales = defineAsset({
  key: 'lake_fact_sales',
  group: 'gold',
  description:
    'Sales at transaction grain with the dimension versions valid at the sale (lake twin of fact_sales).',
  deps: { silver: silverTransactions, customers: lakeDimCustomer, products: lakeDimProduct },
  partitions: shopflowDays,
  // NOTE: a sale of the day resolves to a version dated before it, or to a first version that
  // silver_transactions accepted, dated at most LATE_DIMENSION_DAYS after the day.
  partitionMappings: {
    customers: asOfDeliveryDay,
    products: asOfDeliveryDay,
  },
  schema: z.object({
    transaction_id: z.int().describe('Natural key of the sale'),
    date_sk: z.int().describe('YYYYMMDD of the UTC day of the sale'),
    customer_id: z.int(),
    customer_version: z.int().describe('lake_dim_customer version valid at transaction_ts'),
    product_id: z.int(),
    product_version: z.int().describe('lake_dim_product version valid at transaction_ts'),
    quantity: z.int(),
    unit_price: price().describe('Price per unit paid, EUR'),
    amount: money().describe('quantity × unit_price, EUR'),
    payment_method: z.string(),
    transaction_ts: z.iso.datetime(),
    delivery_date: z.iso.date(),
  }),
  owners: ['data-platform'],
  checks: [notNull(['customer_version', 'product_version']), unique(['transaction_id']), storedTypes()],
  materialize: ({ deps }) =>
    sql`select t.transaction_id, CAST(strftime(t.transaction_ts, '%Y%m%d') AS INTEGER) as date_sk,
          t.customer_id, c.version as customer_version, t.product_id, p.version as product_version,
          t.quantity, t.unit_price, t.amount, t.payment_method, t.transaction_ts, t.delivery_date
        from (
          select t.*, coalesce(cv.version, 1) as customer_version, coalesce(pv.version, 1) as product_version
          from ${deps.silver} t
          asof left join (select customer_id, valid_from, version from ${deps.customers}) cv
            on cv.customer_id = t.customer_id and t.transaction_ts >= cv.valid_from
          asof left join (select product_id, valid_from, version from ${deps.products}) pv
            on pv.product_id = t.product_id and t.transaction_ts >= pv.valid_from
        ) t
        left join (select customer_id, version from ${deps.customers}) c
          on c.customer_id = t.customer_id and c.version = t.customer_version
        left join (select product_id, version from ${deps.products}) p
          on p.product_id = t.product_id and p.version = t.product_version
        order by t.transaction_id`,
});
