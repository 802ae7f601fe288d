import { z } from 'zod';
import { defineAsset, lakeTable, quoteLiteral } from '../../framework/index.js';
import { incrementalSettings } from '../resources/incremental-settings.js';
import { postgresWarehouse } from '../resources/postgres-warehouse.js';
import { pgCustomers } from '../warehouse/pg-customers.js';

/**
 * Change data capture from the PostgreSQL operational table `shopflow.customers`: every run reads
 * the rows whose `updated_at` is later than the last committed watermark minus the lookback
 * (`resources.incremental.lookbackHours`) and appends, as a new file of this lake table, those
 * not captured yet (a change is its customer, row version and `updated_at`), so re-reading the lookback window
 * captures a late change once and an earlier one never twice. The watermark is a checkpoint that
 * advances only after the append is recorded. Downstream consumers read the change log;
 * `shopflow compact operational_customer_changes` merges the appended files.
 */
export const operationalCustomerChanges = defineAsset({
  key: 'operational_customer_changes',
  group: 'bronze',
  description:
    'Change log (CDC) of the operational customers table in PostgreSQL, appended per run from an updated_at watermark.',
  deps: { customers: pgCustomers },
  resources: [postgresWarehouse],
  columnsFrom: 'customers',
  classification: 'internal',
  io: lakeTable({ mode: 'append' }),
  schema: z.object({
    customer_id: z.int(),
    email: z.string().meta({ pii: 'email' }),
    country_code: z.string(),
    version: z.int().describe('Row version in the operational table'),
    updated_at: z.iso.datetime().describe('When the operational row changed'),
    captured_at: z.iso.datetime().describe('Watermark of the extract that captured the change'),
  }),
  owners: ['data-platform'],
  tags: ['cdc'],
  async materialize({ resource, checkpoints, addMetadata, previous, duckdb }) {
    const pg = await resource(postgresWarehouse);
    const { lookbackHours } = await resource(incrementalSettings);
    const since = (await checkpoints.get<string>('updated_at')) ?? null;
    const { rows } = await pg.query<{
      customer_id: string;
      email: string;
      country_code: string;
      version: number;
      updated_at: Date;
    }>(
      `select customer_id, email, country_code, version, updated_at from shopflow.customers
       where $1::timestamptz is null or updated_at > $1::timestamptz - make_interval(hours => $2::int)
       order by updated_at, customer_id`,
      [since, Math.round(lookbackHours)],
    );
    const newest = rows.reduce<string | null>((max, r) => {
      const at = r.updated_at.toISOString();
      return max === null || at > max ? at : max;
    }, since);
    if (newest) checkpoints.stage(newest, 'updated_at');
    const captured = new Set<string>();
    if (since !== null && rows.length > 0) {
      // NOTE: only the window read again can hold changes captured already (widened by a second:
      // the stored times are whole milliseconds, PostgreSQL's are microseconds).
      const stored = await previous();
      for (const row of await duckdb.query(
        `select customer_id::BIGINT as id, version::BIGINT as v, epoch_ms(updated_at::TIMESTAMPTZ) as at from ${stored.toSql()}
         where updated_at::TIMESTAMPTZ >= ${quoteLiteral(since)}::TIMESTAMPTZ - to_hours(${Math.round(lookbackHours)}) - INTERVAL 1 SECOND`,
      ))
        captured.add(`${row.id}/${row.v}/${row.at}`);
    }
    const fresh = rows.filter(
      (r) => !captured.has(`${Number(r.customer_id)}/${r.version}/${r.updated_at.getTime()}`),
    );
    addMetadata({
      watermarkBefore: since,
      watermarkAfter: newest,
      read: rows.length,
      changes: fresh.length,
    });
    const capturedAt = newest ?? new Date(0).toISOString();
    return fresh.map((r) => ({
      customer_id: Number(r.customer_id),
      email: r.email,
      country_code: r.country_code,
      version: r.version,
      updated_at: r.updated_at.toISOString(),
      captured_at: capturedAt,
    }));
  },
});
