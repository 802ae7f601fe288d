import type { ColumnDefinitionBuilder, Kysely, Migration } from 'kysely';
import type { InstanceStore } from '../instance-store.js';

type Backend = InstanceStore['backend'];

/** An auto-incrementing 64-bit primary key; the one place the two dialects must differ. */
function autoIncrementKey(backend: Backend) {
  return {
    type: backend === 'postgres' ? ('bigserial' as const) : ('integer' as const),
    build: (column: ColumnDefinitionBuilder) =>
      backend === 'postgres' ? column.primaryKey() : column.primaryKey().autoIncrement(),
  };
}

/**
 * The first schema of the instance store: runs, events, materializations, lineage, asset partition
 * state, check evaluations, locks and checkpoints.
 *
 * @example
 * const migrations = { '0001_initial': initial('sqlite') };
 */
export function initial(backend: Backend): Migration {
  const serial = autoIncrementKey(backend);
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('runs')
        .addColumn('seq', serial.type, serial.build)
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('selection', 'text', (c) => c.notNull())
        .addColumn('plan_json', 'text', (c) => c.notNull())
        .addColumn('tags_json', 'text', (c) => c.notNull())
        .addColumn('parent_run_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('pid', 'integer')
        .addColumn('hostname', 'text')
        .addColumn('heartbeat_at', 'text')
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('runs_created_at_idx').on('runs').columns(['created_at', 'seq']).execute();

      await db.schema
        .createTable('events')
        .addColumn('id', serial.type, serial.build)
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('ts', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('asset_key', 'text')
        .addColumn('partition_key', 'text')
        .addColumn('message', 'text')
        .addColumn('data_json', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_run_id_idx').on('events').columns(['run_id', 'id']).execute();
      await db.schema.createIndex('events_asset_key_idx').on('events').columns(['asset_key', 'id']).execute();

      await db.schema
        .createTable('materializations')
        .addColumn('seq', serial.type, serial.build)
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('asset_key', 'text', (c) => c.notNull())
        .addColumn('partition_key', 'text')
        .addColumn('data_version', 'text', (c) => c.notNull())
        .addColumn('code_version', 'text', (c) => c.notNull())
        .addColumn('row_count', 'bigint')
        .addColumn('metadata_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('materializations_asset_idx')
        .on('materializations')
        .columns(['asset_key', 'partition_key', 'created_at'])
        .execute();

      await db.schema
        .createTable('lineage')
        .addColumn('materialization_id', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('upstream_asset_key', 'text', (c) => c.notNull())
        .addColumn('upstream_partition_key', 'text')
        .addColumn('upstream_materialization_id', 'text', (c) => c.notNull())
        .addColumn('upstream_data_version', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('lineage_pk', ['materialization_id', 'position'])
        .execute();
      await db.schema
        .createIndex('lineage_upstream_idx')
        .on('lineage')
        .column('upstream_materialization_id')
        .execute();

      await db.schema
        .createTable('asset_partitions')
        .addColumn('asset_key', 'text', (c) => c.notNull())
        .addColumn('partition_key', 'text', (c) => c.notNull())
        .addColumn('materialization_id', 'text')
        .addColumn('data_version', 'text')
        .addColumn('code_version', 'text')
        .addColumn('row_count', 'bigint')
        .addColumn('materialized_at', 'text')
        .addColumn('last_attempt_status', 'text')
        .addColumn('last_attempt_at', 'text')
        .addColumn('last_run_id', 'text')
        .addColumn('last_error', 'text')
        .addColumn('attempt_items', 'text', (c) => c.notNull())
        .addColumn('latest_items', 'text')
        .addPrimaryKeyConstraint('asset_partitions_pk', ['asset_key', 'partition_key'])
        .execute();

      await db.schema
        .createTable('check_evaluations')
        .addColumn('seq', serial.type, serial.build)
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('asset_key', 'text', (c) => c.notNull())
        .addColumn('partition_key', 'text')
        .addColumn('check_name', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('passed', 'integer', (c) => c.notNull())
        .addColumn('metadata_json', 'text', (c) => c.notNull())
        .addColumn('materialization_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('check_evaluations_asset_idx')
        .on('check_evaluations')
        .columns(['asset_key', 'check_name', 'created_at'])
        .execute();
      await db.schema
        .createIndex('check_evaluations_run_idx')
        .on('check_evaluations')
        .column('run_id')
        .execute();

      await db.schema
        .createTable('locks')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('hostname', 'text', (c) => c.notNull())
        .addColumn('acquired_at', 'text', (c) => c.notNull())
        .addColumn('heartbeat_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('locks_run_id_idx').on('locks').column('run_id').execute();

      await db.schema
        .createTable('checkpoints')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value_json', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const table of [
        'checkpoints',
        'locks',
        'check_evaluations',
        'asset_partitions',
        'lineage',
        'materializations',
        'events',
        'runs',
      ]) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
