import { z } from 'zod';
import { notNull, storedTypes, unique } from '../../checks/index.js';
import { defineAsset, sql } from '../../framework/index.js';
import { goldSalesDaily } from '../gold/gold-sales-daily.js';
import { postgresWarehouse } from '../resources/postgres-warehouse.js';
import { shopflowDays } from '../shopflow-calendar.js';
import { silverTransactions } from '../silver/silver-transactions.js';
import { factSales } from '../warehouse/fact-sales.js';
import { lakeFactSales } from '../warehouse/lake-fact-sales.js';
import { pgTransactions } from '../warehouse/pg-transactions.js';
import { layersAgree } from './layers-agree.js';
import { reconciliationColumns } from './reconciliation-columns.js';

/** The PostgreSQL tables reconciled per delivery day, by asset key. */
const WAREHOUSE_TABLES = {
  fact_sales: 'shopflow_dw.fact_sales',
  pg_transactions: 'shopflow.transactions',
} as const;

/**
 * One delivery day in every layer that holds it: the totals of `gold_sales_daily`,
 * `lake_fact_sales`, `fact_sales` and `pg_transactions` (both in PostgreSQL) beside the totals of
 * `silver_transactions`, which they are all computed from. `layers_agree` fails when any of them
 * differs by a transaction, a unit or a cent, naming the day and the difference. PostgreSQL is read
 * when the partition is materialized, so a forced run re-checks the warehouse as it is now.
 */
export const salesReconciliationDaily = defineAsset({
  key: 'sales_reconciliation_daily',
  group: 'reconciliation',
  description:
    'Per delivery day: transactions, units and revenue of gold_sales_daily, lake_fact_sales, fact_sales and pg_transactions beside those of silver_transactions; they must agree exactly (to the cent).',
  resources: [postgresWarehouse],
  deps: {
    silver: silverTransactions,
    gold: goldSalesDaily,
    lakeFacts: lakeFactSales,
    facts: factSales,
    warehouse: pgTransactions,
  },
  classification: 'internal',
  partitions: shopflowDays,
  schema: z.object({
    delivery_date: z.iso.date().describe('The delivery day (the partition)'),
    ...reconciliationColumns,
  }),
  tags: ['reconciliation'],
  owners: ['analytics'],
  checks: [
    notNull(['layer', 'revenue', 'expected_revenue']),
    unique(['layer']),
    layersAgree('delivery_date'),
    storedTypes(),
  ],
  async materialize({ deps, partitionKey, resource }) {
    const pg = await resource(postgresWarehouse);
    const warehouse = [];
    for (const [layer, table] of Object.entries(WAREHOUSE_TABLES)) {
      const { rows } = await pg.query(
        `select count(*)::bigint::text as transactions, coalesce(sum(quantity), 0)::bigint::text as units,
           coalesce(sum(amount), 0)::numeric(18, 2)::text as revenue
         from ${table} where delivery_date = $1::date`,
        [partitionKey],
      );
      warehouse.push(
        sql`select ${layer} as layer, ${rows[0].transactions}::BIGINT as transactions, ${rows[0].units}::BIGINT as units, ${rows[0].revenue}::DECIMAL(18, 2) as revenue`,
      );
    }
    return sql`with expected as (
          select count(*)::BIGINT as transactions, coalesce(sum(quantity), 0)::BIGINT as units,
            coalesce(sum(amount), 0)::DECIMAL(18, 2) as revenue
          from ${deps.silver}),
        layers as (
          select 'gold_sales_daily' as layer, coalesce(sum(transactions), 0)::BIGINT as transactions,
            coalesce(sum(units), 0)::BIGINT as units, coalesce(sum(revenue), 0)::DECIMAL(18, 2) as revenue
          from ${deps.gold}
          union all
          select 'lake_fact_sales', count(*)::BIGINT, coalesce(sum(quantity), 0)::BIGINT,
            coalesce(sum(amount), 0)::DECIMAL(18, 2)
          from ${deps.lakeFacts}
          union all ${warehouse[0]}
          union all ${warehouse[1]})
        select ${partitionKey}::DATE as delivery_date, l.layer, 'silver_transactions' as compared_to,
          l.transactions, e.transactions as expected_transactions,
          l.units, e.units as expected_units,
          l.revenue, e.revenue as expected_revenue,
          ((l.revenue - e.revenue) * 100)::BIGINT as revenue_difference_cents
        from layers l cross join expected e
        order by l.layer`;
  },
});
