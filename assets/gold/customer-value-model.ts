/**
 * The assumptions of ShopFlow's customer lifetime value model (see `docs/dictionary-notes/customer_clv.md`):
 *
 *   predicted_clv = average_order_value × purchase_frequency_per_month × expected_lifetime_months × gross_margin
 *
 * - a month is 30 days;
 * - `purchase_frequency_per_month` = orders / months since the first purchase, at least 1 month;
 * - `expected_lifetime_months` = 1 / monthly churn (geometric lifetime), at most `maxLifetimeMonths`;
 * - monthly churn is estimated from the data as of the same moment: of the customers who bought in
 *   the window [as_of − 2W, as_of − W), the share who did not buy again in [as_of − W, as_of),
 *   with W = min(30 days, half the days of history), converted to 30 days as
 *   1 − retention^(30 / W);
 * - the gross margin is a constant: the extract has no cost prices.
 */
export const CLV_MODEL = Object.freeze({
  grossMargin: 0.3,
  daysPerMonth: 30,
  churnWindowDays: 30,
  maxLifetimeMonths: 36,
});

/**
 * SQL computing the CLV model per (as_of, customer) from `known`: a relation with `as_of`,
 * `customer_id`, `amount` and `transaction_ts` holding, for each `as_of`, only the transactions
 * known before it. Churn is estimated over all customers of the same `as_of`, so the same SQL
 * serves the current CLV (one `as_of`) and point-in-time training snapshots (many).
 *
 * Columns: as_of, customer_id, orders, historical_value, first_purchase_ts, last_purchase_ts,
 * average_order_value, purchase_frequency_per_month, churn_window_days, churn_cohort_customers,
 * churn_retained_customers, monthly_churn_rate, expected_lifetime_months, gross_margin,
 * predicted_clv (unrounded doubles; callers round for display).
 *
 * @example
 * customerValueSql(`select as_of, customer_id, amount, transaction_ts from known_transactions`)
 */
export function customerValueSql(known: string): string {
  const { grossMargin, daysPerMonth, churnWindowDays, maxLifetimeMonths } = CLV_MODEL;
  return `with known as (${known}),
    windows as (
      select as_of,
        least(${churnWindowDays}, floor(date_diff('day', min(transaction_ts)::DATE, as_of::DATE) / 2))::INTEGER as window_days
      from known group by as_of),
    activity as (
      select k.as_of, k.customer_id,
        bool_or(k.transaction_ts >= k.as_of - to_days(2 * w.window_days)
          and k.transaction_ts < k.as_of - to_days(w.window_days)) as active_previous,
        bool_or(k.transaction_ts >= k.as_of - to_days(w.window_days)) as active_latest
      from known k join windows w using (as_of)
      group by k.as_of, k.customer_id),
    churn as (
      select w.as_of, w.window_days,
        count(a.customer_id) filter (where a.active_previous) as cohort,
        count(a.customer_id) filter (where a.active_previous and a.active_latest) as retained
      from windows w left join activity a using (as_of)
      group by w.as_of, w.window_days),
    rates as (
      select as_of, window_days, cohort, retained,
        case when window_days >= 1 and cohort > 0
          then 1 - pow(retained::DOUBLE / cohort, ${daysPerMonth}.0 / window_days) end as monthly_churn_rate
      from churn),
    customers as (
      select as_of, customer_id,
        count(*)::BIGINT as orders,
        sum(amount)::DECIMAL(18, 2) as historical_value,
        min(transaction_ts) as first_purchase_ts,
        max(transaction_ts) as last_purchase_ts
      from known group by as_of, customer_id),
    modelled as (
      select c.*, r.window_days, r.cohort, r.retained, r.monthly_churn_rate,
        c.historical_value::DOUBLE / c.orders as average_order_value,
        c.orders / greatest(1.0, (epoch(c.as_of) - epoch(c.first_purchase_ts)) / ${daysPerMonth * 86_400}.0)
          as purchase_frequency_per_month,
        case when r.monthly_churn_rate is null then null
          when r.monthly_churn_rate <= 1.0 / ${maxLifetimeMonths} then ${maxLifetimeMonths}::DOUBLE
          else 1.0 / r.monthly_churn_rate end as expected_lifetime_months
      from customers c join rates r using (as_of))
    select as_of, customer_id, orders, historical_value, first_purchase_ts, last_purchase_ts,
      average_order_value, purchase_frequency_per_month,
      window_days as churn_window_days, cohort::BIGINT as churn_cohort_customers,
      retained::BIGINT as churn_retained_customers, monthly_churn_rate, expected_lifetime_months,
      ${grossMargin}::DOUBLE as gross_margin,
      average_order_value * purchase_frequency_per_month * expected_lifetime_months * ${grossMargin}::DOUBLE as predicted_clv
    from modelled`;
}
