-- Secondary indexes. Primary keys and unique lookups come with their tables (002). Each index below
-- names the query of sql/analytics/basic_analytics.sql (or the view of 004) it serves; every extra
-- index slows loads, so none exists without a reader.

-- top_customers, v_customer_spending: spending per customer is an index-only scan in customer order
-- (no sort, no heap); also serves the customers FK and "transactions of one customer" look-ups.
create index if not exists transactions_customer_id_idx
  on shopflow.transactions (customer_id) include (amount);
comment on index shopflow.transactions_customer_id_idx is
  'top_customers / v_customer_spending / aov_by_country: per-customer spending, index-only';

-- best_sellers_by_category, v_category_sales: units and revenue per product without touching the
-- heap; also serves the products FK.
create index if not exists transactions_product_id_idx
  on shopflow.transactions (product_id) include (quantity, amount);
comment on index shopflow.transactions_product_id_idx is
  'best_sellers_by_category / v_category_sales: units and revenue per product, index-only';

-- monthly_revenue, v_monthly_revenue: revenue by day/month in date order, and date-range reads of
-- incremental (partitioned) downstream assets.
create index if not exists transactions_transaction_date_idx
  on shopflow.transactions (transaction_date) include (amount);
comment on index shopflow.transactions_transaction_date_idx is
  'monthly_revenue / v_monthly_revenue: revenue by date range, index-only';

-- aov_by_country, v_country_aov: customers of a country; also serves the countries FK.
create index if not exists customers_country_code_idx
  on shopflow.customers (country_code);
comment on index shopflow.customers_country_code_idx is
  'aov_by_country / v_country_aov: customers grouped by country';

-- best_sellers_by_category, v_category_sales: products of a category; also serves the categories FK.
create index if not exists products_category_id_idx
  on shopflow.products (category_id);
comment on index shopflow.products_category_id_idx is
  'best_sellers_by_category / v_category_sales: products grouped by category';
