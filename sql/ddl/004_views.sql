-- Convenience views over the normalized tables (the analytics of sql/analytics run on the
-- shopflow_analytics views of 006 instead, so the same SQL runs on DuckDB).

create or replace view shopflow.v_customer_spending as
select
  c.customer_id,
  c.name,
  c.email,
  c.country_code,
  count(t.transaction_id) as transactions,
  coalesce(sum(t.quantity), 0) as units,
  coalesce(sum(t.amount), 0)::numeric(14, 2) as total_spent,
  min(t.transaction_ts) as first_transaction_at,
  max(t.transaction_ts) as last_transaction_at
from shopflow.customers c
left join shopflow.transactions t on t.customer_id = c.customer_id
group by c.customer_id;
comment on view shopflow.v_customer_spending is 'Lifetime spending per customer (customers without sales show 0).';

create or replace view shopflow.v_monthly_revenue as
select
  date_trunc('month', t.transaction_date)::date as month,
  count(*) as transactions,
  count(distinct t.customer_id) as customers,
  sum(t.quantity) as units,
  sum(t.amount)::numeric(14, 2) as revenue
from shopflow.transactions t
group by 1;
comment on view shopflow.v_monthly_revenue is 'Revenue per UTC calendar month.';

create or replace view shopflow.v_category_sales as
select
  cat.category_id,
  cat.name as category,
  count(distinct t.product_id) as products_sold,
  count(*) as transactions,
  sum(t.quantity) as units,
  sum(t.amount)::numeric(14, 2) as revenue
from shopflow.transactions t
join shopflow.products p on p.product_id = t.product_id
join shopflow.categories cat on cat.category_id = p.category_id
group by cat.category_id;
comment on view shopflow.v_category_sales is 'Units and revenue per product category (current category of each product).';

create or replace view shopflow.v_country_aov as
select
  c.country_code,
  count(*) as orders,
  sum(t.amount)::numeric(14, 2) as revenue,
  -- NOTE: PostgreSQL divides numeric exactly, so round(…, 2) is the money rule (half away from
  -- zero on the exact quotient); portable SQL (sql/analytics) divides whole cents in integers instead.
  round(sum(t.amount) / count(*), 2)::numeric(14, 2) as average_order_value
from shopflow.transactions t
join shopflow.customers c on c.customer_id = t.customer_id
group by c.country_code;
comment on view shopflow.v_country_aov is 'Average order value per customer country (an order is a transaction).';
