import { z } from 'zod';
import { notNull, storedTypes, unique } from '../../checks/index.js';
import { defineAsset, sql } from '../../framework/index.js';
import { monthlyRevenue } from '../gold/basic-analytics.js';
import { goldSalesDaily } from '../gold/gold-sales-daily.js';
import { money } from '../money.js';
import { silverTransactions } from '../silver/silver-transactions.js';
import { layersAgree } from './layers-agree.js';
import { reconciliationColumns } from './reconciliation-columns.js';

/**
 * `monthly_revenue` (months of the sale) beside `gold_sales_daily` (days of delivery) summed per
 * month and bridged to the month of the sale: the sales delivered in the month but made in an
 * earlier one are taken out, the sales of the month delivered in a later one added, both from
 * `silver_transactions`. Every month must agree exactly; a difference names the month and the cents.
 * Unpartitioned, like `monthly_revenue`, which it reads whole.
 */
export const monthlyRevenueReconciliation = defineAsset({
  key: 'monthly_revenue_reconciliation',
  group: 'reconciliation',
  description:
    'Per month of sale: transactions, units and revenue of monthly_revenue beside gold_sales_daily summed over the delivery days of the month, minus the late deliveries of earlier months, plus the sales of the month delivered in a later month; they must agree exactly (to the cent).',
  deps: { monthly: monthlyRevenue, daily: goldSalesDaily, silver: silverTransactions },
  schema: z.object({
    month: z.iso.date().describe('First day of the UTC month of the sale'),
    ...reconciliationColumns,
    delivered_in_month_revenue: money().describe(
      'gold_sales_daily revenue of the delivery days of the month, EUR',
    ),
    sold_earlier_revenue: money().describe(
      'Of that, sales made in an earlier month (delivered late), EUR; taken out',
    ),
    delivered_later_revenue: money().describe('Sales of the month delivered in a later month, EUR; added'),
  }),
  tags: ['reconciliation'],
  owners: ['analytics'],
  checks: [notNull(['month', 'layer']), unique(['month']), layersAgree('month'), storedTypes()],
  materialize: ({ deps }) =>
    sql`with delivered as (
          select date_trunc('month', delivery_date)::DATE as month, sum(transactions)::BIGINT as transactions,
            sum(units)::BIGINT as units, sum(revenue)::DECIMAL(18, 2) as revenue
          from ${deps.daily} group by all),
        crossing as (
          select transaction_date, delivery_date, quantity, amount,
            date_trunc('month', transaction_date)::DATE as sale_month,
            date_trunc('month', delivery_date)::DATE as delivery_month
          from ${deps.silver}
          where date_trunc('month', transaction_date) <> date_trunc('month', delivery_date)),
        sold_earlier as (
          select delivery_month as month, count(*)::BIGINT as transactions, sum(quantity)::BIGINT as units,
            sum(amount)::DECIMAL(18, 2) as revenue
          from crossing group by all),
        delivered_later as (
          select sale_month as month, count(*)::BIGINT as transactions, sum(quantity)::BIGINT as units,
            sum(amount)::DECIMAL(18, 2) as revenue
          from crossing group by all),
        bridged as (
          select month,
            coalesce(d.transactions, 0) - coalesce(e.transactions, 0) + coalesce(l.transactions, 0) as transactions,
            coalesce(d.units, 0) - coalesce(e.units, 0) + coalesce(l.units, 0) as units,
            coalesce(d.revenue, 0) - coalesce(e.revenue, 0) + coalesce(l.revenue, 0) as revenue,
            coalesce(d.revenue, 0) as delivered_in_month_revenue,
            coalesce(e.revenue, 0) as sold_earlier_revenue,
            coalesce(l.revenue, 0) as delivered_later_revenue
          from delivered d full join sold_earlier e using (month) full join delivered_later l using (month))
        select month, 'monthly_revenue' as layer, 'gold_sales_daily by month of sale' as compared_to,
          coalesce(m.transactions, 0)::BIGINT as transactions, coalesce(b.transactions, 0)::BIGINT as expected_transactions,
          coalesce(m.units, 0)::BIGINT as units, coalesce(b.units, 0)::BIGINT as expected_units,
          coalesce(m.revenue, 0)::DECIMAL(18, 2) as revenue, coalesce(b.revenue, 0)::DECIMAL(18, 2) as expected_revenue,
          ((coalesce(m.revenue, 0) - coalesce(b.revenue, 0)) * 100)::BIGINT as revenue_difference_cents,
          coalesce(b.delivered_in_month_revenue, 0)::DECIMAL(18, 2) as delivered_in_month_revenue,
          coalesce(b.sold_earlier_revenue, 0)::DECIMAL(18, 2) as sold_earlier_revenue,
          coalesce(b.delivered_later_revenue, 0)::DECIMAL(18, 2) as delivered_later_revenue
        from (select month, transactions, units, revenue from ${deps.monthly}) m
        full join bridged b using (month)
        order by month`,
});
