import type { SqlFragment } from '../../framework/index.js';
import { withSaleCategory } from '../gold/sale-category.js';
import { moneyRound } from '../money.js';

/** The relations the customer features are computed from. */
export interface CustomerFeatureInputs {
  /** Who and when: a relation with `customer_id` and `as_of` (TIMESTAMPTZ), one row per pair. */
  population: string;
  /** `silver_transactions`. */
  transactions: SqlFragment;
  /** `silver_products` (every version). */
  products: SqlFragment;
  /** `customer_click_sessions` (signed-in sessions by customer, session and UTC day). */
  sessions: SqlFragment;
  /** A relation with `customer_id`, `as_of` and `predicted_clv` valid at that `as_of` (rounded to the cent here). */
  clv: string;
}

/**
 * SQL computing every customer feature for each (customer_id, as_of) of the population, from data
 * known before `as_of` only: transactions that happened before it and were delivered before its
 * day, product versions in effect at those sales, clickstream events before it. `as_of` is a UTC
 * midnight (both callers' moments are), so the events before it are the session days before its
 * date. Besides the
 * feature columns it returns `as_of`, `max_feature_event_ts` (the latest timestamp of any input row
 * used: sale, product version, click) and `max_feature_delivery_date`, so a point-in-time check
 * can prove nothing from the future leaked in.
 *
 * @example
 * customerFeatureSql({ population: 'select customer_id, as_of from …', transactions, products, sessions, clv })
 */
export function customerFeatureSql(inputs: CustomerFeatureInputs): string {
  const known = `select p.customer_id, p.as_of, t.transaction_id, t.product_id, t.amount, t.transaction_ts, t.delivery_date
    from population p
    join ${inputs.transactions.toSql()} t
      on t.customer_id = p.customer_id and t.transaction_ts < p.as_of and t.delivery_date < p.as_of::DATE`;
  return `with population as (${inputs.population}),
    sales as (${withSaleCategory(known, inputs.products, { knownBefore: 'as_of' })}),
    purchases as (
      select customer_id, as_of,
        count(*) as frequency,
        sum(amount) as monetary,
        max(transaction_ts) as last_purchase_ts,
        greatest(max(transaction_ts), max(category_version_ts)) as max_event_ts,
        max(delivery_date) as max_delivery_date
      from sales group by customer_id, as_of),
    category_spend as (
      select customer_id, as_of, category, sum(amount) as spend
      from sales where category is not null group by customer_id, as_of, category),
    preferred as (
      select customer_id, as_of, category from category_spend
      qualify row_number() over (partition by customer_id, as_of order by spend desc, category) = 1),
    clicks as (
      select p.customer_id, p.as_of,
        count(distinct s.session_id) as sessions,
        sum(s.product_views) as product_views,
        sum(s.add_to_carts) as add_to_carts,
        count(distinct s.session_id) filter (where s.purchases > 0) as purchase_sessions,
        max(s.last_event_ts) as max_event_ts
      from population p
      join ${inputs.sessions.toSql()} s on s.customer_id = p.customer_id and s.event_date < p.as_of::DATE
      group by p.customer_id, p.as_of),
    clv as (${inputs.clv})
    select p.customer_id, p.as_of,
      date_diff('day', pu.last_purchase_ts::DATE, p.as_of::DATE)::BIGINT as recency_days,
      coalesce(pu.frequency, 0)::BIGINT as frequency,
      ${moneyRound('coalesce(pu.monetary, 0)')} as monetary,
      ${moneyRound('coalesce(clv.predicted_clv, 0)')} as predicted_clv,
      pr.category as preferred_category,
      coalesce(c.sessions, 0)::BIGINT as sessions,
      coalesce(c.product_views, 0)::BIGINT as product_views,
      round(c.add_to_carts / nullif(c.product_views, 0), 4) as add_to_cart_rate,
      round(c.purchase_sessions / nullif(c.sessions, 0), 4) as conversion_rate,
      greatest(pu.max_event_ts, c.max_event_ts) as max_feature_event_ts,
      pu.max_delivery_date as max_feature_delivery_date
    from population p
    left join purchases pu on pu.customer_id = p.customer_id and pu.as_of = p.as_of
    left join preferred pr on pr.customer_id = p.customer_id and pr.as_of = p.as_of
    left join clicks c on c.customer_id = p.customer_id and c.as_of = p.as_of
    left join clv on clv.customer_id = p.customer_id and clv.as_of = p.as_of`;
}
