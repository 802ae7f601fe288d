import { z } from 'zod';
import { inRange, notNull, roundedAverage, storedTypes, unique } from '../../checks/index.js';
import {
  type AssetCheck,
  defineAsset,
  defineCheck,
  type PartitionsDefinition,
  rowCheck,
  sql,
} from '../../framework/index.js';
import { money, moneyAverage } from '../money.js';
import { shopflowDays, shopflowMonthsToDate, shopflowWeeksToDate } from '../shopflow-calendar.js';
import { goldSalesDaily } from './gold-sales-daily.js';

const COUNTS = ['transactions', 'units', 'late_transactions'] as const;

/**
 * The roll-up's totals equal the totals of the daily partitions it read, exactly: counts as
 * integers, revenue in whole cents. A difference names the partition and the cents.
 */
function totalsMatchDaily(period: string): AssetCheck {
  return defineCheck({
    name: 'totals_match_daily',
    description: `${COUNTS.join(', ')} and revenue (in whole cents) equal the sums of the daily partitions of the ${period}, exactly`,
    async evaluate({ duckdb, data, deps, partitionKey }) {
      const sums = `${COUNTS.map((c) => `coalesce(sum(${c}), 0)::BIGINT as ${c}`).join(', ')},
        coalesce(sum(revenue * 100), 0)::BIGINT as revenue_cents`;
      const [rolled] = await duckdb.query(`select ${sums} from ${data.toSql()}`);
      const [daily] = await duckdb.query(`select ${sums} from ${deps.daily.toSql()}`);
      const differing = [...COUNTS, 'revenue_cents'].filter((c) => Number(rolled[c]) !== Number(daily[c]));
      const describe = (c: string) => {
        const difference = Number(rolled[c]) - Number(daily[c]);
        return c === 'revenue_cents'
          ? `revenue ${difference > 0 ? '+' : '−'}${Math.abs(difference)} cents`
          : `${c} ${difference > 0 ? '+' : '−'}${Math.abs(difference)}`;
      };
      return {
        passed: differing.length === 0,
        message:
          differing.length === 0
            ? `totals equal the ${deps.daily.partitionKeys.length} daily partitions`
            : `${period} ${partitionKey} differs from its ${deps.daily.partitionKeys.length} daily partitions: ${differing.map(describe).join(', ')}`,
        metadata: { rolledUp: rolled, daily, dailyPartitions: deps.daily.partitionKeys.length },
      };
    },
  });
}

/**
 * A roll-up of `gold_sales_daily` over a longer time window. It depends on the daily asset through
 * the time-window partition mapping, so each window reads exactly its days: one re-materialized day
 * makes exactly one week and one month stale. The window still open at the end of the delivered
 * days is a partition too (`endOffset: 1`): it covers the days delivered so far, says so in
 * `days_covered` and `covered_through`, and has `complete = false`; each delivered day makes it
 * stale (a new upstream partition), and the day that closes the window makes it complete and final.
 */
function salesRollup(options: {
  key: string;
  period: 'week' | 'month';
  partitions: PartitionsDefinition;
  maxDays: number;
}) {
  const { period } = options;
  const start = `${period}_start`;
  return defineAsset({
    key: options.key,
    group: 'gold',
    description: `Sales per ${period} and product category, rolled up from the daily partitions of gold_sales_daily that fall in the ${period} (days are delivery days). The current ${period} is included while it is open, with complete = false and the days it covers so far.`,
    deps: { daily: goldSalesDaily },
    partitions: options.partitions,
    codeVersion: '2',
    schema: z.object({
      [start]: z.iso.date().describe(`First day of the ${period} (the partition)`),
      category: z.string().describe('Category of the product version in effect at the sale'),
      days_with_sales: z.int().describe(`Delivery days of the ${period} with sales in the category`),
      transactions: z.int().describe('Transactions'),
      units: z.int().describe('Units sold'),
      revenue: money().describe('Sum of quantity × unit price, EUR'),
      customers: z.int().describe(`Distinct buying customers in the ${period} (not a sum of daily counts)`),
      average_order_value: money().describe(
        'revenue / transactions in EUR, rounded to the cent half away from zero (exact, on whole cents)',
      ),
      late_transactions: z.int().describe('Transactions that arrived on a later day than they happened'),
      days_covered: z
        .int()
        .describe(
          `Delivery days of the ${period} included so far (every delivered day, with or without sales)`,
        ),
      covered_through: z.iso.date().describe('Latest delivery day included'),
      complete: z
        .boolean()
        .describe(`Whether every day of the ${period} is included: false while the ${period} is still open`),
    }),
    tags: ['sales'],
    owners: ['analytics'],
    checks: [
      notNull([start, 'category', 'revenue', 'days_covered', 'covered_through', 'complete']),
      unique(['category']),
      inRange('days_with_sales', { min: 1, max: options.maxDays }),
      rowCheck({
        name: 'customers_at_most_transactions',
        validWhen: 'customers >= 1 and customers <= transactions',
      }),
      rowCheck({
        name: 'coverage_consistent',
        description: `days_covered counts days of the ${period} up to covered_through; complete exactly when it counts all of them`,
        validWhen: `days_covered between days_with_sales and ${options.maxDays}
          and covered_through >= ${start} and covered_through < ${start} + interval 1 ${period}
          and days_covered <= date_diff('day', ${start}, covered_through) + 1
          and complete = (days_covered = date_diff('day', ${start}, ${start} + interval 1 ${period}))`,
      }),
      roundedAverage('average_order_value', { total: 'revenue', count: 'transactions' }),
      totalsMatchDaily(period),
      storedTypes(),
    ],
    materialize: ({ deps, partitionKey, partition }) => {
      const days = deps.daily.partitionKeys as string[];
      const daysInWindow = shopflowDays.keysOverlapping(partition!).length;
      // NOTE: an open window with no delivered day yet has no rows; max() of no keys is never used.
      const coveredThrough = days.length ? [...days].sort().at(-1)! : partitionKey!;
      return sql`select ${partitionKey}::DATE as ${sql.id(start)},
            category,
            count(distinct delivery_date)::BIGINT as days_with_sales,
            sum(transactions)::BIGINT as transactions,
            sum(units)::BIGINT as units,
            sum(revenue)::DECIMAL(18, 2) as revenue,
            len(list_distinct(flatten(list(customer_ids))))::BIGINT as customers,
            ${moneyAverage('sum(revenue)', 'sum(transactions)')} as average_order_value,
            sum(late_transactions)::BIGINT as late_transactions,
            ${days.length}::BIGINT as days_covered,
            ${coveredThrough}::DATE as covered_through,
            ${days.length === daysInWindow} as complete
          from ${deps.daily}
          group by category
          order by category`;
    },
  });
}

/**
 * Weekly sales per category (ISO weeks from Monday, UTC), from the daily partitions of each week;
 * the current week while it is open.
 */
export const goldSalesWeekly = salesRollup({
  key: 'gold_sales_weekly',
  period: 'week',
  partitions: shopflowWeeksToDate,
  maxDays: 7,
});

/** Monthly sales per category (calendar months, UTC), from the daily partitions of each month; the current month while it is open. */
export const goldSalesMonthly = salesRollup({
  key: 'gold_sales_monthly',
  period: 'month',
  partitions: shopflowMonthsToDate,
  maxDays: 31,
});
