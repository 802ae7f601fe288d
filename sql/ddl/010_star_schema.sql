-- ShopFlow star schema: SCD Type 2 dimensions of customers and products, a date dimension and the
-- sales fact at transaction grain. Loaded by the assets of assets/warehouse/star-schema.ts; the SCD2
-- dimensions are written only by resources/postgres/scd2/merge-scd2.ts, which keeps, per natural key:
--   * versions numbered 1..n in valid_from order, whose [valid_from, valid_to) intervals tile
--     [first valid_from, infinity) with no gap and no overlap;
--   * exactly one current version (is_current, valid_to = infinity).
-- Idempotent like every file of this folder.

create schema if not exists shopflow_dw;

comment on schema shopflow_dw is 'ShopFlow star schema: SCD2 dimensions, date dimension and sales facts.';

-- NOTE: (natural key, version) is unique but checked at the end of each statement (deferrable): a
-- merge renumbers the versions of a key in one UPDATE, where two rows may briefly share a number.
create table if not exists shopflow_dw.dim_customer (
  customer_sk bigint generated always as identity primary key,
  customer_id bigint not null,
  name text not null,
  email text not null,
  country text not null,
  registration_date date not null,
  valid_from timestamptz not null,
  valid_to timestamptz not null default 'infinity',
  is_current boolean not null default true,
  version integer not null check (version >= 1),
  constraint dim_customer_validity_check check (valid_from < valid_to),
  constraint dim_customer_current_check check (is_current = (valid_to = 'infinity')),
  constraint dim_customer_customer_id_valid_from_key unique (customer_id, valid_from),
  constraint dim_customer_customer_id_version_key unique (customer_id, version)
    deferrable initially immediate
);
comment on table shopflow_dw.dim_customer is
  'Customer dimension, SCD Type 2: one row per customer profile version, valid in [valid_from, valid_to).';
comment on column shopflow_dw.dim_customer.customer_sk is
  'Surrogate key of this version; stable while the version exists unchanged.';
comment on column shopflow_dw.dim_customer.customer_id is 'Natural key (silver_customers.customer_id).';
comment on column shopflow_dw.dim_customer.valid_from is 'When this version became valid (source updated_at).';
comment on column shopflow_dw.dim_customer.valid_to is 'When the next version became valid; infinity for the current one.';
comment on column shopflow_dw.dim_customer.version is '1 for the first version of the customer, then 2, 3, … in time order.';

create unique index if not exists dim_customer_one_current_idx
  on shopflow_dw.dim_customer (customer_id) where is_current;
comment on index shopflow_dw.dim_customer_one_current_idx is
  'exactly one current version per customer; also serves "current profile of customer X"';

create table if not exists shopflow_dw.dim_product (
  product_sk bigint generated always as identity primary key,
  product_id bigint not null,
  name text not null,
  category text not null,
  supplier text not null,
  price numeric(12, 2) not null check (price > 0),
  valid_from timestamptz not null,
  valid_to timestamptz not null default 'infinity',
  is_current boolean not null default true,
  version integer not null check (version >= 1),
  constraint dim_product_validity_check check (valid_from < valid_to),
  constraint dim_product_current_check check (is_current = (valid_to = 'infinity')),
  constraint dim_product_product_id_valid_from_key unique (product_id, valid_from),
  constraint dim_product_product_id_version_key unique (product_id, version)
    deferrable initially immediate
);
comment on table shopflow_dw.dim_product is
  'Product dimension, SCD Type 2: one row per product version (price, category, supplier, name).';
comment on column shopflow_dw.dim_product.product_sk is
  'Surrogate key of this version; stable while the version exists unchanged.';
comment on column shopflow_dw.dim_product.product_id is 'Natural key (silver_products.product_id).';
comment on column shopflow_dw.dim_product.valid_from is 'When this version became valid (source updated_at).';
comment on column shopflow_dw.dim_product.valid_to is 'When the next version became valid; infinity for the current one.';
comment on column shopflow_dw.dim_product.version is '1 for the first version of the product, then 2, 3, … in time order.';

create unique index if not exists dim_product_one_current_idx
  on shopflow_dw.dim_product (product_id) where is_current;
comment on index shopflow_dw.dim_product_one_current_idx is
  'exactly one current version per product; also serves "current catalog entry of product X"';

-- Changes a merge absorbed because they repeated the attributes already valid at their time. They
-- are not versions, but the merge keeps them: a change arriving later and placed before one of them
-- makes it a real version again (A, then a late B in between, then the absorbed A = three versions),
-- so the dimension never depends on the order in which changes arrived.
create table if not exists shopflow_dw.scd2_absorbed_changes (
  dimension text not null,
  natural_key text not null,
  changed_at timestamptz not null,
  attributes jsonb not null,
  primary key (dimension, natural_key, changed_at)
);
comment on table shopflow_dw.scd2_absorbed_changes is
  'SCD2 changes that repeated the version valid at their time (kept so merges are order-independent).';

create table if not exists shopflow_dw.dim_date (
  date_sk integer primary key,
  date date not null unique,
  year smallint not null,
  quarter smallint not null check (quarter between 1 and 4),
  month smallint not null check (month between 1 and 12),
  month_name text not null,
  iso_year smallint not null,
  iso_week smallint not null check (iso_week between 1 and 53),
  day_of_week smallint not null check (day_of_week between 1 and 7),
  day_name text not null,
  is_weekend boolean not null,
  constraint dim_date_date_sk_check
    check (date_sk = extract(year from date) * 10000 + extract(month from date) * 100 + extract(day from date))
);
comment on table shopflow_dw.dim_date is 'One row per calendar day of the simulated range; date_sk = YYYYMMDD.';
comment on column shopflow_dw.dim_date.iso_year is 'ISO 8601 week-numbering year (the year iso_week belongs to).';
comment on column shopflow_dw.dim_date.day_of_week is 'ISO day of week: 1 = Monday … 7 = Sunday.';

-- NOTE: the dimension foreign keys are deferrable: a merge that splits or replaces a version deletes
-- the old row and re-points its facts in the same transaction, checked at commit.
create table if not exists shopflow_dw.fact_sales (
  transaction_id bigint primary key,
  date_sk integer not null references shopflow_dw.dim_date (date_sk),
  customer_sk bigint not null references shopflow_dw.dim_customer (customer_sk)
    deferrable initially immediate,
  product_sk bigint not null references shopflow_dw.dim_product (product_sk)
    deferrable initially immediate,
  quantity integer not null check (quantity > 0),
  unit_price numeric(12, 2) not null check (unit_price >= 0),
  amount numeric(14, 2) not null,
  payment_method text not null,
  transaction_ts timestamptz not null,
  delivery_date date not null
);
comment on table shopflow_dw.fact_sales is
  'One row per sale; customer_sk / product_sk are the dimension versions valid at transaction_ts.';
comment on column shopflow_dw.fact_sales.date_sk is 'UTC calendar day of transaction_ts (dim_date).';
comment on column shopflow_dw.fact_sales.delivery_date is 'Day the source delivered the record (the partition).';
