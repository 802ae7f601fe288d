import { z } from 'zod';
import { inRange, notNull, roundedAverage, storedTypes, unique } from '../../checks/index.js';
import { defineAsset, rowCheck, sql } from '../../framework/index.js';
import { money, moneyAverage, moneyRound } from '../money.js';
import { silverTransactions } from '../silver/silver-transactions.js';
import { CLV_MODEL, customerValueSql } from './customer-value-model.js';
import { knownTransactions, latestAsOf } from './known-transactions.js';

const { grossMargin, maxLifetimeMonths } = CLV_MODEL;

/**
 * Historical and predicted customer lifetime value of every customer who bought, as of the end of
 * the extract. The model and its assumptions are in {@link CLV_MODEL} and the `customer_clv` section of
 * `docs/data-dictionary.md` (from `docs/dictionary-notes/customer_clv.md`).
 */
export const customerClv = defineAsset({
  key: 'customer_clv',
  group: 'gold',
  description: `Customer lifetime value, one row per customer who bought. historical_value = sum of amounts paid. predicted_clv = average_order_value × purchase_frequency_per_month × expected_lifetime_months × gross_margin, where a month is 30 days, frequency = orders / months since the first purchase (at least 1), expected lifetime = 1 / monthly churn capped at ${maxLifetimeMonths} months, monthly churn = share of the customers who bought in the 30 days before the latest 30 days who did not buy again in the latest 30 days, and gross margin is an assumed constant ${grossMargin} (the extract has no costs). See the customer_clv notes in docs/data-dictionary.md.`,
  deps: { transactions: silverTransactions },
  codeVersion: '2',
  schema: z.object({
    customer_id: z.int().describe('The customer'),
    as_of: z.iso
      .datetime()
      .describe('Moment the values hold for: midnight UTC after the latest delivery day'),
    orders: z.int().describe('Transactions of the customer'),
    historical_value: money().describe('Sum of amounts paid so far, EUR'),
    first_purchase_ts: z.iso.datetime().describe('First purchase'),
    last_purchase_ts: z.iso.datetime().describe('Latest purchase'),
    average_order_value: money().describe(
      'historical_value / orders in EUR, rounded to the cent half away from zero (exact, on whole cents)',
    ),
    purchase_frequency_per_month: z
      .number()
      .describe('orders / max(1, months of 30 days between the first purchase and as_of), 4 decimals'),
    churn_window_days: z.int().describe('Length W of the two windows churn is measured over (30 days)'),
    churn_cohort_customers: z.int().describe('Customers who bought in [as_of − 2W, as_of − W)'),
    churn_retained_customers: z.int().describe('Of those, customers who bought again in [as_of − W, as_of)'),
    monthly_churn_rate: z
      .number()
      .describe('1 − (retained / cohort)^(30 / W): share of customers lost per 30 days, 4 decimals'),
    expected_lifetime_months: z
      .number()
      .describe(`min(${maxLifetimeMonths}, 1 / monthly_churn_rate): expected remaining lifetime, 4 decimals`),
    gross_margin: z.number().describe('Assumed gross margin (constant)'),
    predicted_clv: money().describe(
      'Predicted gross profit over the expected remaining lifetime, EUR; computed in double precision from the unrounded average order value and rounded to the cent once',
    ),
  }),
  tags: ['clv'],
  owners: ['analytics'],
  checks: [
    notNull(['customer_id', 'historical_value', 'predicted_clv', 'monthly_churn_rate']),
    unique(['customer_id']),
    inRange('predicted_clv', { min: 0 }),
    inRange('monthly_churn_rate', { min: 0, max: 1 }),
    inRange('expected_lifetime_months', { min: 1, max: maxLifetimeMonths }),
    rowCheck({
      name: 'history_consistent',
      description: 'at least one order, a positive value, purchases before as_of',
      validWhen:
        'orders >= 1 and historical_value > 0 and first_purchase_ts <= last_purchase_ts and last_purchase_ts < as_of',
    }),
    roundedAverage('average_order_value', { total: 'historical_value', count: 'orders' }),
    storedTypes(),
  ],
  materialize: ({ deps }) =>
    sql`select customer_id, as_of, orders, historical_value, first_purchase_ts, last_purchase_ts,
          ${moneyAverage('historical_value', 'orders')} as average_order_value,
          round(purchase_frequency_per_month, 4) as purchase_frequency_per_month,
          churn_window_days, churn_cohort_customers, churn_retained_customers,
          round(monthly_churn_rate, 4) as monthly_churn_rate,
          round(expected_lifetime_months, 4) as expected_lifetime_months,
          gross_margin,
          ${moneyRound('predicted_clv')} as predicted_clv
        from (${sql.raw(customerValueSql(knownTransactions(deps.transactions, latestAsOf(deps.transactions))))})
        order by customer_id`,
});
