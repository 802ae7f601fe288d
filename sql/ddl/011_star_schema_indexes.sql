-- Secondary indexes of the star schema (010). Each names the queries it serves; primary keys, the
-- (natural key, valid_from) and (natural key, version) keys and the one-current-version indexes
-- come with their tables.

-- Sales by day, month, quarter or ISO week: range scans of fact_sales joined to dim_date, with the
-- measures in the index so daily revenue is an index-only scan.
create index if not exists fact_sales_date_sk_idx
  on shopflow_dw.fact_sales (date_sk) include (quantity, amount);
comment on index shopflow_dw.fact_sales_date_sk_idx is
  'revenue by date range (join dim_date), index-only; serves the dim_date FK';

-- Sales per customer version (spending by country at the time of sale, top customers) and the
-- re-pointing of a customer's facts when an SCD2 merge splits one of its versions; also serves the
-- dim_customer FK (deleting a replaced version).
create index if not exists fact_sales_customer_sk_idx
  on shopflow_dw.fact_sales (customer_sk) include (amount);
comment on index shopflow_dw.fact_sales_customer_sk_idx is
  'spending per customer version; SCD2 re-pointing and the dim_customer FK';

-- Sales per product version (best sellers by category at the time of sale, revenue at the price
-- then valid) and the re-pointing of a product's facts; also serves the dim_product FK.
create index if not exists fact_sales_product_sk_idx
  on shopflow_dw.fact_sales (product_sk) include (quantity, amount);
comment on index shopflow_dw.fact_sales_product_sk_idx is
  'units and revenue per product version; SCD2 re-pointing and the dim_product FK';

-- The daily load of fact_sales: replace one delivery day (rows that left the source) and hash it.
create index if not exists fact_sales_delivery_date_idx
  on shopflow_dw.fact_sales (delivery_date);
comment on index shopflow_dw.fact_sales_delivery_date_idx is
  'fact_sales partition (delivery day) reloads and data versions';

-- "Customers of country X" (current or as of a time) before joining their facts.
create index if not exists dim_customer_country_idx
  on shopflow_dw.dim_customer (country);
comment on index shopflow_dw.dim_customer_country_idx is
  'customers (any version) by country, e.g. revenue by country at the time of sale';

-- "Products of category X" before joining their facts.
create index if not exists dim_product_category_idx
  on shopflow_dw.dim_product (category);
comment on index shopflow_dw.dim_product_category_idx is
  'products (any version) by category, e.g. best sellers by category at the time of sale';
