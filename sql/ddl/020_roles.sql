-- Who may read and write the warehouse. Two group roles (NOLOGIN; grant them to login users):
--   shopflow_loader   writes: the tables of shopflow and shopflow_dw (what the pipeline loads);
--   shopflow_analyst  reads masked views only: schema shopflow_masked, where every column the
--                     pipeline classifies as PII (customer name and email) reads '[PII]', the mask
--                     the web page and `shopflow show` use. Analysts join on customer_id.
-- The analyst role has no privilege on shopflow or shopflow_dw: reading a base table is refused.
-- Creating roles needs CREATEROLE (the RDS master user and the embedded PostgreSQL's superuser
-- have it); without it the roles are left to an administrator and the views and grants still apply
-- where the roles exist. Idempotent like every file of this folder.

do $$
begin
  if not exists (select from pg_roles where rolname = 'shopflow_loader') then
    if (select rolcreaterole or rolsuper from pg_roles where rolname = current_user) then
      create role shopflow_loader nologin;
    else
      raise notice 'role shopflow_loader does not exist and % may not create it', current_user;
    end if;
  end if;
  if not exists (select from pg_roles where rolname = 'shopflow_analyst') then
    if (select rolcreaterole or rolsuper from pg_roles where rolname = current_user) then
      create role shopflow_analyst nologin;
    else
      raise notice 'role shopflow_analyst does not exist and % may not create it', current_user;
    end if;
  end if;
end
$$;

create schema if not exists shopflow_masked;

comment on schema shopflow_masked is 'The warehouse as analysts see it: PII columns masked.';

create or replace view shopflow_masked.customers as
select
  c.customer_id,
  case when c.name is null then null else '[PII]' end as name,
  case when c.email is null then null else '[PII]' end as email,
  c.registration_date,
  c.country_code,
  c.source_updated_at,
  c.version
from shopflow.customers c;
comment on view shopflow_masked.customers is 'shopflow.customers with name and email masked.';

create or replace view shopflow_masked.products as
select p.product_id, p.name, cat.name as category, s.name as supplier, p.price, p.source_updated_at, p.version
from shopflow.products p
join shopflow.categories cat on cat.category_id = p.category_id
join shopflow.suppliers s on s.supplier_id = p.supplier_id;
comment on view shopflow_masked.products is 'shopflow.products with category and supplier names (no PII).';

create or replace view shopflow_masked.transactions as
select
  t.transaction_id,
  t.customer_id,
  t.product_id,
  t.quantity,
  t.unit_price,
  t.amount,
  t.transaction_ts,
  t.transaction_date,
  pm.name as payment_method,
  t.delivery_date
from shopflow.transactions t
join shopflow.payment_methods pm on pm.payment_method_id = t.payment_method_id;
comment on view shopflow_masked.transactions is 'shopflow.transactions (no PII).';

create or replace view shopflow_masked.dim_customer as
select
  d.customer_sk,
  d.customer_id,
  case when d.name is null then null else '[PII]' end as name,
  case when d.email is null then null else '[PII]' end as email,
  d.country,
  d.registration_date,
  d.valid_from,
  d.valid_to,
  d.is_current,
  d.version
from shopflow_dw.dim_customer d;
comment on view shopflow_masked.dim_customer is 'shopflow_dw.dim_customer (SCD2) with name and email masked.';

create or replace view shopflow_masked.dim_product as select * from shopflow_dw.dim_product;
comment on view shopflow_masked.dim_product is 'shopflow_dw.dim_product (SCD2; no PII).';

create or replace view shopflow_masked.dim_date as select * from shopflow_dw.dim_date;
comment on view shopflow_masked.dim_date is 'shopflow_dw.dim_date.';

create or replace view shopflow_masked.fact_sales as select * from shopflow_dw.fact_sales;
comment on view shopflow_masked.fact_sales is 'shopflow_dw.fact_sales (no PII).';

do $$
begin
  if exists (select from pg_roles where rolname = 'shopflow_loader') then
    grant usage on schema shopflow, shopflow_dw to shopflow_loader;
    grant select, insert, update, delete on all tables in schema shopflow, shopflow_dw to shopflow_loader;
    grant usage, select on all sequences in schema shopflow, shopflow_dw to shopflow_loader;
  end if;
  if exists (select from pg_roles where rolname = 'shopflow_analyst') then
    revoke all on all tables in schema shopflow, shopflow_dw from shopflow_analyst;
    revoke usage on schema shopflow, shopflow_dw from shopflow_analyst;
    grant usage on schema shopflow_masked to shopflow_analyst;
    grant select on all tables in schema shopflow_masked to shopflow_analyst;
  end if;
end
$$;
