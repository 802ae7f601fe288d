import { z } from 'zod';
import { inRange, notNull, roundedAverage, storedTypes, unique } from '../../checks/index.js';
import { defineAsset, rowCheck, sql } from '../../framework/index.js';
import { money, moneyAverage } from '../money.js';
import { asOfDeliveryDay, shopflowDays } from '../shopflow-calendar.js';
import { silverProducts } from '../silver/silver-products.js';
import { silverTransactions } from '../silver/silver-transactions.js';
import { withSaleCategory } from './sale-category.js';

/**
 * Sales of one delivery day per product category. The day is the `silver_transactions` partition,
 * i.e. the day the transactions *arrived*: a delivered day never changes afterwards, so a late
 * transaction is counted on the day it arrived (and counted in `late_transactions`) instead of
 * silently changing a day that was already reported. `monthly_revenue` groups by the day of sale.
 */
export const goldSalesDaily = defineAsset({
  key: 'gold_sales_daily',
  group: 'gold',
  description:
    'Sales per delivery day (the day the transactions arrived) and product category: transactions, units, revenue, distinct customers, average order value.',
  deps: { transactions: silverTransactions, products: silverProducts },
  partitions: shopflowDays,
  partitionMappings: {
    products: asOfDeliveryDay,
  },
  codeVersion: '2',
  schema: z.object({
    delivery_date: z.iso
      .date()
      .describe('Day the transactions arrived (the partition); late sales count here'),
    category: z.string().describe('Category of the product version in effect at the sale'),
    transactions: z.int().describe('Transactions (each is one product line)'),
    units: z.int().describe('Units sold'),
    revenue: money().describe('Sum of quantity × unit price, EUR'),
    customers: z.int().describe('Distinct buying customers'),
    customer_ids: z
      .array(z.int())
      .describe('The distinct buying customers, sorted; lets roll-ups count distinct customers exactly'),
    average_order_value: money().describe(
      'revenue / transactions in EUR, rounded to the cent half away from zero (exact, on whole cents)',
    ),
    late_transactions: z.int().describe('Transactions that happened on an earlier day than they arrived'),
  }),
  tags: ['sales'],
  owners: ['analytics'],
  checks: [
    notNull(['delivery_date', 'category', 'revenue']),
    unique(['category']),
    inRange('revenue', { min: 0, exclusiveMin: true }),
    rowCheck({
      name: 'customers_consistent',
      description: 'customers equals the length of customer_ids and never exceeds transactions',
      validWhen:
        'customers = len(customer_ids) and customers <= transactions and late_transactions <= transactions',
    }),
    roundedAverage('average_order_value', { total: 'revenue', count: 'transactions' }),
    storedTypes(),
  ],
  materialize: ({ deps, partitionKey }) =>
    sql`with sales as (${sql.raw(withSaleCategory(`select * from ${deps.transactions.toSql()}`, deps.products))})
        select ${partitionKey}::DATE as delivery_date,
          coalesce(category, 'unknown') as category,
          count(*)::BIGINT as transactions,
          sum(quantity)::BIGINT as units,
          sum(amount)::DECIMAL(18, 2) as revenue,
          count(distinct customer_id)::BIGINT as customers,
          list_sort(list_distinct(list(customer_id))) as customer_ids,
          ${moneyAverage('sum(amount)', 'count(*)')} as average_order_value,
          count(*) filter (where transaction_date < delivery_date)::BIGINT as late_transactions
        from sales
        group by all
        order by category`,
});
