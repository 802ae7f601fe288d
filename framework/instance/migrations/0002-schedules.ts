import type { Kysely, Migration } from 'kysely';
import type { InstanceStore } from '../instance-store.js';

type Backend = InstanceStore['backend'];

/**
 * What the daemon, schedules, sensors, notifications and backfills keep: ticks (unique per
 * schedule and scheduled time, so a tick launches at most one run), daemon leases, sent alerts and
 * backfills with the status of each of their partitions.
 *
 * @example
 * const migrations = { '0001_initial': initial('sqlite'), '0002_schedules': schedules('sqlite') };
 */
export function schedules(backend: Backend): Migration {
  const serial = backend === 'postgres' ? ('bigserial' as const) : ('integer' as const);
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('ticks')
        .addColumn('seq', serial, (c) =>
          backend === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('tick_key', 'text', (c) => c.notNull())
        .addColumn('scheduled_time', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text')
        .addColumn('parent_run_id', 'text')
        .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('run_status', 'text')
        .addColumn('request_json', 'text')
        .addColumn('cursor', 'text')
        .addColumn('message', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('ticks_name_tick_key_unique', ['name', 'tick_key'])
        .execute();
      await db.schema
        .createIndex('ticks_name_time_idx')
        .on('ticks')
        .columns(['name', 'kind', 'scheduled_time'])
        .execute();
      await db.schema.createIndex('ticks_status_idx').on('ticks').columns(['status', 'run_status']).execute();

      await db.schema
        .createTable('daemon_leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('hostname', 'text', (c) => c.notNull())
        .addColumn('acquired_at', 'text', (c) => c.notNull())
        .addColumn('heartbeat_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('alerts_sent')
        .addColumn('dedupe_key', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text', (c) => c.notNull())
        .addColumn('alert_json', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alerts_sent_at_idx').on('alerts_sent').column('sent_at').execute();

      await db.schema
        .createTable('backfills')
        .addColumn('seq', serial, (c) =>
          backend === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('selection', 'text', (c) => c.notNull())
        .addColumn('partition_from', 'text', (c) => c.notNull())
        .addColumn('partition_to', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('parallel', 'integer', (c) => c.notNull())
        .addColumn('pid', 'integer')
        .addColumn('hostname', 'text')
        .addColumn('heartbeat_at', 'text')
        .addColumn('message', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute();

      await db.schema
        .createTable('backfill_partitions')
        .addColumn('backfill_id', 'text', (c) => c.notNull())
        .addColumn('partition_key', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text')
        .addColumn('message', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('backfill_partitions_pk', ['backfill_id', 'partition_key'])
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const table of ['backfill_partitions', 'backfills', 'alerts_sent', 'daemon_leases', 'ticks']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
