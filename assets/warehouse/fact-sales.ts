import { z } from 'zod';
import { decimal, defineAsset, materialized, quoteLiteral, scratchFiles } from '../../framework/index.js';
import { postgresWarehouse } from '../resources/postgres-warehouse.js';
import { asOfDeliveryDay, shopflowDays } from '../shopflow-calendar.js';
import { silverTransactions } from '../silver/silver-transactions.js';
import { dimCustomer } from './dim-customer.js';
import { dimDate } from './dim-date.js';
import { dimProduct } from './dim-product.js';
import { FACT_SALES_INPUT, loadFactSales } from './load-fact-sales.js';
import { postgresStoredTypes } from './postgres-stored-types.js';
import { postgresTableIo } from './postgres-table-io.js';

/**
 * `shopflow_dw.fact_sales` for one delivery day: every sale with the surrogate keys of the customer
 * and product versions valid when it happened, upserted (re-running a day changes nothing). A
 * sale older than its customer's or product's first known version points to that first version
 * (`versionValidAt`). Later SCD2 merges re-point facts themselves when they split a version.
 */
export const factSales = defineAsset({
  key: 'fact_sales',
  group: 'warehouse',
  description:
    'Sales fact at transaction grain (shopflow_dw.fact_sales), keyed to the dimension versions valid at the sale; one delivery day per partition.',
  deps: { silver: silverTransactions, customers: dimCustomer, products: dimProduct, dates: dimDate },
  columnsFrom: 'silver',
  classification: 'internal',
  partitions: shopflowDays,
  partitionMappings: {
    customers: asOfDeliveryDay,
    products: asOfDeliveryDay,
  },
  io: postgresTableIo('shopflow_dw.fact_sales', {
    orderBy: 'transaction_id',
    partitionColumn: 'delivery_date',
  }),
  schema: z.object({
    transaction_id: z.int().describe('Natural key of the sale'),
    date_sk: z.int().describe('dim_date key of the UTC day of the sale'),
    customer_sk: z.int().describe('dim_customer version valid at transaction_ts'),
    product_sk: z.int().describe('dim_product version valid at transaction_ts'),
    quantity: z.int(),
    unit_price: decimal(12, 2).describe('Price per unit paid, EUR'),
    amount: decimal(14, 2).describe('quantity × unit_price, EUR'),
    payment_method: z.string(),
    transaction_ts: z.iso.datetime().describe('When the sale happened (UTC)'),
    delivery_date: z.iso.date().describe('Day the source delivered the record (partition)'),
  }),
  owners: ['data-platform'],
  checks: [postgresStoredTypes()],
  async materialize(context) {
    const warehouse = await context.resource(postgresWarehouse);
    const scratch = scratchFiles();
    const csv = scratch.path('sales.csv');
    try {
      const columns = FACT_SALES_INPUT.map((column) => column.name).join(', ');
      await context.duckdb.run(
        `COPY (select ${columns} from ${context.deps.silver.toSql()} order by transaction_id)
         TO ${quoteLiteral(csv)} (FORMAT csv, HEADER true)`,
      );
      const result = await loadFactSales(warehouse.pool, csv, context.partitionKey!);
      return materialized({
        rowCount: result.rowCount,
        dataVersion: result.dataVersion,
        metadata: {
          staged: result.staged,
          inserted: result.inserted,
          updated: result.updated,
          unchanged: result.unchanged,
          deleted: result.deleted,
          referenceCheck: result.referenceCheck,
        },
      });
    } finally {
      scratch.dispose();
    }
  },
});
