import { z } from 'zod';
import { inRange, notNull, unique } from '../../checks/index.js';
import {
  type AssetCheck,
  defineAsset,
  defineCheck,
  type PartitionsDefinition,
  rowCheck,
  sql,
} from '../../framework/index.js';
import { shopflowMonths, shopflowWeeks } from '../shopflow-calendar.js';
import { goldSalesDaily } from './gold-sales-daily.js';

const TOTALS = ['transactions', 'units', 'revenue', 'late_transactions'] as const;

/** The roll-up's totals equal the totals of the daily partitions it read. */
function totalsMatchDaily(): AssetCheck {
  return defineCheck({
    name: 'totals_match_daily',
    description: `${TOTALS.join(', ')} sum to the same totals as the daily partitions of the window`,
    async evaluate({ duckdb, data, deps }) {
      const sums = TOTALS.map((c) => `coalesce(sum(${c}), 0)::VARCHAR as ${c}`).join(', ');
      const [rolled] = await duckdb.query(`select ${sums} from ${data.toSql()}`);
      const [daily] = await duckdb.query(`select ${sums} from ${deps.daily.toSql()}`);
      const differing = TOTALS.filter((c) => rolled[c] !== daily[c]);
      return {
        passed: differing.length === 0,
        message:
          differing.length === 0
            ? `totals equal the ${deps.daily.partitionKeys.length} daily partitions`
            : `${differing.join(', ')} differ from the daily partitions`,
        metadata: { rolledUp: rolled, daily, dailyPartitions: deps.daily.partitionKeys.length },
      };
    },
  });
}

/**
 * A roll-up of `gold_sales_daily` over a longer time window. It depends on the daily asset through
 * the time-window partition mapping, so each window reads exactly its days: one re-materialized day
 * makes exactly one week and one month stale.
 */
function salesRollup(options: {
  key: string;
  period: 'week' | 'month';
  partitions: PartitionsDefinition;
  maxDays: number;
}) {
  const { period } = options;
  return defineAsset({
    key: options.key,
    group: 'gold',
    description: `Sales per ${period} and product category, rolled up from the daily partitions of gold_sales_daily that fall in the ${period} (days are delivery days).`,
    deps: { daily: goldSalesDaily },
    partitions: options.partitions,
    codeVersion: '1',
    schema: z.object({
      [`${period}_start`]: z.iso.date().describe(`First day of the ${period} (the partition)`),
      category: z.string().describe('Category of the product version in effect at the sale'),
      days_with_sales: z.int().describe(`Delivery days of the ${period} with sales in the category`),
      transactions: z.int().describe('Transactions'),
      units: z.int().describe('Units sold'),
      revenue: z.number().describe('Sum of quantity × unit price, EUR'),
      customers: z.int().describe(`Distinct buying customers in the ${period} (not a sum of daily counts)`),
      average_order_value: z.number().describe('revenue / transactions, EUR, 2 decimals'),
      late_transactions: z.int().describe('Transactions that arrived on a later day than they happened'),
    }),
    tags: ['sales'],
    owners: ['analytics'],
    checks: [
      notNull([`${period}_start`, 'category', 'revenue']),
      unique(['category']),
      inRange('days_with_sales', { min: 1, max: options.maxDays }),
      rowCheck({
        name: 'customers_at_most_transactions',
        validWhen: 'customers >= 1 and customers <= transactions',
      }),
      totalsMatchDaily(),
    ],
    materialize: ({ deps, partitionKey }) =>
      sql`select ${partitionKey}::DATE as ${sql.id(`${period}_start`)},
            category,
            count(distinct delivery_date)::BIGINT as days_with_sales,
            sum(transactions)::BIGINT as transactions,
            sum(units)::BIGINT as units,
            sum(revenue)::DECIMAL(18, 2) as revenue,
            len(list_distinct(flatten(list(customer_ids))))::BIGINT as customers,
            round(sum(revenue)::DOUBLE / sum(transactions), 2)::DECIMAL(18, 2) as average_order_value,
            sum(late_transactions)::BIGINT as late_transactions
          from ${deps.daily}
          group by category
          order by category`,
  });
}

/** Weekly sales per category (ISO weeks from Monday, UTC), from the 7 daily partitions of each week. */
export const goldSalesWeekly = salesRollup({
  key: 'gold_sales_weekly',
  period: 'week',
  partitions: shopflowWeeks,
  maxDays: 7,
});

/** Monthly sales per category (calendar months, UTC), from the daily partitions of each month. */
export const goldSalesMonthly = salesRollup({
  key: 'gold_sales_monthly',
  period: 'month',
  partitions: shopflowMonths,
  maxDays: 31,
});
