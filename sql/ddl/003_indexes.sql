-- Secondary indexes. Primary keys and unique lookups come with their tables (002). Each index below
-- names the statement it serves and what EXPLAIN showed (tests/integration/warehouse/
-- index-plans.test.ts checks the plans it can pin down on 140 k generated transactions). Every
-- extra index slows every load, so none exists without a reader.

-- top_customers, v_customer_spending: spending per customer, read in customer order. On the
-- pipeline's own data at scale 20 (136,676 transactions) the planner reads it (an index scan);
-- on uniformly random customer ids it prefers a sequential scan, so no test pins it.
create index if not exists transactions_customer_id_idx
  on shopflow.transactions (customer_id) include (amount);
comment on index shopflow.transactions_customer_id_idx is
  'top_customers / v_customer_spending: per-customer spending in customer order';

-- One delivery day: the daily sales reconciliation (count, units and revenue of a day) and the
-- preview of a pg_transactions partition; an index-only scan of that day.
create index if not exists transactions_delivery_date_idx
  on shopflow.transactions (delivery_date) include (quantity, amount);
comment on index shopflow.transactions_delivery_date_idx is
  'sales_reconciliation_daily / pg_transactions partitions: one delivery day, index-only';

-- Dropped: EXPLAIN of best_sellers_by_category, monthly_revenue and aov_by_country (each aggregates
-- every transaction) plans sequential scans at every size measured, and products and customers
-- rows are never deleted nor re-keyed, so no foreign-key check reads these either.
drop index if exists shopflow.transactions_product_id_idx;
drop index if exists shopflow.transactions_transaction_date_idx;
drop index if exists shopflow.customers_country_code_idx;
drop index if exists shopflow.products_category_id_idx;
