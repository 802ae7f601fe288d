-- One row per load attempt of a warehouse table (resources/postgres/table-loader.ts). A successful
-- load writes its row in the same transaction as the data; a failed load rolls the data back and
-- writes its row afterwards, so the audit shows every attempt.

create table if not exists shopflow.load_audit (
  id bigint generated always as identity primary key,
  run_id text not null,
  asset_key text not null,
  partition_key text,
  target_table text not null,
  inserted bigint not null default 0,
  updated bigint not null default 0,
  unchanged bigint not null default 0,
  rejected bigint not null default 0,
  -- NOTE: rows of a replaced slice (a delivery day) that its new input no longer held.
  deleted bigint not null default 0,
  started_at timestamptz not null,
  finished_at timestamptz not null default clock_timestamp(),
  status text not null check (status in ('success', 'failed')),
  error text,
  check ((status = 'failed') = (error is not null))
);
-- NOTE: warehouses created before the column existed get it here.
alter table shopflow.load_audit add column if not exists deleted bigint not null default 0;
comment on table shopflow.load_audit is 'Every load attempt into a warehouse table, with row counts or the error.';

create index if not exists load_audit_asset_partition_idx
  on shopflow.load_audit (asset_key, partition_key, started_at desc);
comment on index shopflow.load_audit_asset_partition_idx is
  'latest loads of one asset partition (run pages, incremental checkpoints)';
