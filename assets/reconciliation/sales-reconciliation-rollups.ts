import { z } from 'zod';
import { notNull, storedTypes } from '../../checks/index.js';
import { type AnyAsset, defineAsset, sql } from '../../framework/index.js';
import { goldSalesDaily } from '../gold/gold-sales-daily.js';
import { goldSalesMonthly, goldSalesWeekly } from '../gold/gold-sales-rollups.js';
import { layersAgree } from './layers-agree.js';
import { reconciliationColumns } from './reconciliation-columns.js';

/**
 * A week or month of a sales roll-up beside the sum of the `gold_sales_daily` partitions of the
 * same window, read when it is materialized: transactions, units, revenue and the days covered must
 * agree exactly. It reads the same windows as the roll-up (the open one included), so every
 * delivered day is reconciled.
 */
function rollupReconciliation(period: 'week' | 'month', rollup: AnyAsset): AnyAsset {
  const start = `${period}_start`;
  return defineAsset({
    key: `sales_reconciliation_${period === 'week' ? 'weekly' : 'monthly'}`,
    group: 'reconciliation',
    description: `Per ${period}: transactions, units, revenue and days covered of ${rollup.key} beside the sums of the gold_sales_daily partitions of the ${period}; they must agree exactly (to the cent).`,
    deps: { rollup, daily: goldSalesDaily },
    partitions: rollup.partitions,
    schema: z.object({
      [start]: z.iso.date().describe(`First day of the ${period} (the partition)`),
      ...reconciliationColumns,
      days_covered: z.int().describe(`Delivery days ${rollup.key} says it covers`),
      expected_days_covered: z.int().describe('Daily partitions of the window that exist'),
      complete: z.boolean().nullable().describe(`Whether ${rollup.key} marks the ${period} complete`),
    }),
    tags: ['reconciliation'],
    owners: ['analytics'],
    checks: [
      notNull(['layer', 'revenue', 'expected_revenue']),
      layersAgree(start, ['days_covered']),
      storedTypes(),
    ],
    materialize: ({ deps, partitionKey }) =>
      sql`with rolled as (
            select coalesce(sum(transactions), 0)::BIGINT as transactions, coalesce(sum(units), 0)::BIGINT as units,
              coalesce(sum(revenue), 0)::DECIMAL(18, 2) as revenue,
              -- NOTE: a window without sales has no roll-up rows to state its coverage.
              coalesce(max(days_covered), ${deps.daily.partitionKeys.length})::BIGINT as days_covered,
              bool_and(complete) as complete
            from ${deps.rollup}),
          daily as (
            select coalesce(sum(transactions), 0)::BIGINT as transactions, coalesce(sum(units), 0)::BIGINT as units,
              coalesce(sum(revenue), 0)::DECIMAL(18, 2) as revenue
            from ${deps.daily})
          select ${partitionKey}::DATE as ${sql.id(start)}, ${rollup.key} as layer, 'gold_sales_daily' as compared_to,
            r.transactions, d.transactions as expected_transactions,
            r.units, d.units as expected_units,
            r.revenue, d.revenue as expected_revenue,
            ((r.revenue - d.revenue) * 100)::BIGINT as revenue_difference_cents,
            r.days_covered,
            ${deps.daily.partitionKeys.length}::BIGINT as expected_days_covered,
            r.complete
          from rolled r cross join daily d`,
  });
}

/** `gold_sales_weekly` = the sum of its days, per week (the open week included). */
export const salesReconciliationWeekly = rollupReconciliation('week', goldSalesWeekly);

/** `gold_sales_monthly` = the sum of its days, per month (the open month included). */
export const salesReconciliationMonthly = rollupReconciliation('month', goldSalesMonthly);
