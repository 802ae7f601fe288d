-- ShopFlow basic analytics: four documented queries.
--
-- Portable SQL: every query runs unchanged on PostgreSQL and on DuckDB against three relations
--   customers    (customer_id, name, email, registration_date, country, updated_at)
--   products     (product_id, name, category, price, supplier, updated_at)
--   transactions (transaction_id, customer_id, product_id, quantity, unit_price, transaction_ts,
--                 payment_method, delivery_date)
-- i.e. the columns of the source CSV files, with the transaction "timestamp" named transaction_ts
-- (UTC wall-clock time, timestamp without time zone). On PostgreSQL run them after
-- `set search_path to shopflow_analytics` (views of sql/ddl/006_analytics_views.sql); on DuckDB
-- create tables of that shape.
--
-- Conventions shared by all four queries:
--   * revenue of a transaction = quantity * unit_price (the price paid, not today's list price);
--   * money is rounded once, at the end, by a cast to DECIMAL(18,2) (half away from zero on both
--     engines);
--   * where a value must be divided, the division is done on whole cents with integer arithmetic,
--     because DuckDB divides DECIMALs in double precision and PostgreSQL exactly: for y > 0,
--     x - x % y is a multiple of y, so (x - x % y) / y is exact on both engines; rounding x / y
--     half away from zero is then
--       sign(x) * ((2|x| + y) - (2|x| + y) % 2y) / 2y
--     written out below exactly as ShopFlow's money helper generates it (`roundedQuotient` in
--     framework/duckdb/decimal-sql.ts, used by assets/money.ts; a test pins the text), so this file
--     and every asset that divides money round the same way;
--   * counts are cast to BIGINT (DuckDB sums integers into HUGEINT);
--   * every ORDER BY ends with an id or another unique column, so results are deterministic.
--
-- Code splits this file on the `-- name: <query>` lines (resources/postgres/analytics-queries.ts).

-- name: top_customers
-- Question:    Who are the 10 customers who spent the most, over all time?
-- Grain:       one row per customer; at most 10 rows.
-- Assumptions: spending is the sum of quantity * unit_price over the customer's transactions;
--              customers without transactions are not ranked; name and country are the
--              customer's current profile; equal totals are ordered by customer_id.
select
  c.customer_id,
  c.name,
  c.country,
  count(*) as transactions,
  cast(sum(t.quantity) as bigint) as units,
  cast(sum(t.quantity * t.unit_price) as decimal(18, 2)) as total_spent
from transactions t
join customers c on c.customer_id = t.customer_id
group by c.customer_id, c.name, c.country
order by total_spent desc, c.customer_id
limit 10;

-- name: best_sellers_by_category
-- Question:    Which products sell the most units in each category?
-- Grain:       one row per (category, product); the top 3 products of every category that sold
--              anything.
-- Assumptions: a product counts in its current category; units = sum of quantity; equal units
--              are ranked by product_id (smaller id first), so exactly 3 rows per category when it
--              has at least 3 products with sales; categories are listed in byte order.
with product_sales as (
  select
    p.category,
    p.product_id,
    p.name,
    cast(sum(t.quantity) as bigint) as units,
    sum(t.quantity * t.unit_price) as revenue
  from transactions t
  join products p on p.product_id = t.product_id
  group by p.category, p.product_id, p.name
),
ranked as (
  select
    category,
    product_id,
    name,
    units,
    revenue,
    row_number() over (partition by category order by units desc, product_id) as category_rank
  from product_sales
)
select
  category,
  category_rank,
  product_id,
  name,
  units,
  cast(revenue as decimal(18, 2)) as revenue
from ranked
where category_rank <= 3
order by category, category_rank;

-- name: monthly_revenue
-- Question:    How does revenue develop month by month?
-- Grain:       one row per UTC calendar month that has transactions, oldest first.
-- Assumptions: month = the UTC month of transaction_ts; months without sales are absent (the
--              change is against the previous month that had sales); revenue_change is the
--              difference to that month, revenue_change_pct the same in percent of it, rounded to
--              2 decimals half away from zero; both are null for the first month.
with monthly as (
  select
    cast(date_trunc('month', t.transaction_ts) as date) as month,
    count(*) as transactions,
    cast(sum(t.quantity) as bigint) as units,
    sum(t.quantity * t.unit_price) as revenue
  from transactions t
  group by cast(date_trunc('month', t.transaction_ts) as date)
),
with_previous as (
  select
    month,
    transactions,
    units,
    revenue,
    lag(revenue) over (order by month) as previous_revenue
  from monthly
),
change_in_cents as (
  select
    month,
    transactions,
    units,
    revenue,
    previous_revenue,
    -- change in hundredths of a percent = 10000 * (revenue - previous) / previous; numerator and
    -- denominator in whole cents (the numerator times 10000).
    cast((revenue - previous_revenue) * 1000000 as bigint) as change_units,
    cast(previous_revenue * 100 as bigint) as previous_cents
  from with_previous
)
select
  month,
  transactions,
  units,
  cast(revenue as decimal(18, 2)) as revenue,
  cast(revenue - previous_revenue as decimal(18, 2)) as revenue_change,
  cast(
    case when previous_cents > 0 then (case when change_units < 0 then -1 else 1 end) * cast(((2 * abs(change_units) + previous_cents) - (2 * abs(change_units) + previous_cents) % (2 * previous_cents)) / (2 * previous_cents) as bigint) end
    * 0.01 as decimal(18, 2)
  ) as revenue_change_pct
from change_in_cents
order by month;

-- name: aov_by_country
-- Question:    What is the average order value of customers in each country?
-- Grain:       one row per customer country with at least one order.
-- Assumptions: an order is a transaction; its value is quantity * unit_price; the country is the
--              customer's current country; average_order_value = revenue / orders rounded to
--              the cent, half away from zero; ordered by average_order_value, highest first, then
--              by country.
with by_country as (
  select
    c.country,
    count(*) as orders,
    sum(t.quantity * t.unit_price) as revenue
  from transactions t
  join customers c on c.customer_id = t.customer_id
  group by c.country
),
in_cents as (
  select
    country,
    orders,
    revenue,
    cast(revenue * 100 as bigint) as revenue_cents
  from by_country
)
select
  country,
  orders,
  cast(revenue as decimal(18, 2)) as revenue,
  cast(
    case when orders > 0 then (case when revenue_cents < 0 then -1 else 1 end) * cast(((2 * abs(revenue_cents) + orders) - (2 * abs(revenue_cents) + orders) % (2 * orders)) / (2 * orders) as bigint) end
    * 0.01 as decimal(18, 2)
  ) as average_order_value
from in_cents
order by average_order_value desc, country;
