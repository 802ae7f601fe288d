-- ShopFlow warehouse: the normalized (OLTP-shaped) schema.
-- Every file in this folder is idempotent and applied in file-name order, in one transaction, by
-- resources/postgres/apply-ddl.ts. Re-applying the whole folder changes nothing.

create schema if not exists shopflow;

comment on schema shopflow is 'ShopFlow warehouse: normalized tables loaded from the silver layer, views and the load audit.';
