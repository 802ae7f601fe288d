-- The relational shape the portable analytics of sql/analytics/basic_analytics.sql read: tables
-- customers, products and transactions with the columns of the source CSV files (transaction
-- "timestamp" is named transaction_ts). DuckDB gets real tables of this shape; PostgreSQL gets these
-- views over the normalized tables, so `set search_path to shopflow_analytics` + the file's queries
-- run unchanged on both engines.
--
-- NOTE: text columns that analytics sort by are exposed with collation "C" (byte order), the order
-- DuckDB uses, so ORDER BY gives the same rows on both engines. Timestamps are exposed as UTC
-- wall-clock time (timestamp without time zone), so month boundaries never depend on a session
-- time zone.

create schema if not exists shopflow_analytics;

comment on schema shopflow_analytics is 'Engine-portable relational shape of the warehouse for sql/analytics.';

create or replace view shopflow_analytics.customers as
select
  c.customer_id,
  c.name collate "C" as name,
  c.email,
  c.registration_date,
  c.country_code collate "C" as country,
  (c.source_updated_at at time zone 'UTC') as updated_at
from shopflow.customers c;

create or replace view shopflow_analytics.products as
select
  p.product_id,
  p.name collate "C" as name,
  cat.name collate "C" as category,
  p.price,
  s.name collate "C" as supplier,
  (p.source_updated_at at time zone 'UTC') as updated_at
from shopflow.products p
join shopflow.categories cat on cat.category_id = p.category_id
join shopflow.suppliers s on s.supplier_id = p.supplier_id;

create or replace view shopflow_analytics.transactions as
select
  t.transaction_id,
  t.customer_id,
  t.product_id,
  t.quantity,
  t.unit_price,
  (t.transaction_ts at time zone 'UTC') as transaction_ts,
  pm.name collate "C" as payment_method,
  t.delivery_date
from shopflow.transactions t
join shopflow.payment_methods pm on pm.payment_method_id = t.payment_method_id;
