import { z } from 'zod';
import { defineAsset, materialized } from '../../framework/index.js';
import { generatorSettings } from '../resources/generator-settings.js';
import { postgresWarehouse } from '../resources/postgres-warehouse.js';
import { simulatedDays } from '../shopflow-calendar.js';
import { postgresStoredTypes } from './postgres-stored-types.js';
import { postgresTableIo } from './postgres-table-io.js';
import { tableContentVersion } from './table-content-version.js';

const COLUMNS = [
  'date_sk',
  'date',
  'year',
  'quarter',
  'month',
  'month_name',
  'iso_year',
  'iso_week',
  'day_of_week',
  'day_name',
  'is_weekend',
];

// NOTE: generate_series over dates yields timestamps without time zone, so every attribute is the
// calendar's own and never depends on the session time zone; month and day names use to_char
// without the TM prefix, i.e. English whatever the server locale.
const UPSERT = `with days as (
  select d from generate_series($1::date, $2::date - 1, interval '1 day') d
), written as (
  insert into shopflow_dw.dim_date as t (${COLUMNS.join(', ')})
  select to_char(d, 'YYYYMMDD')::integer, d::date, extract(year from d), extract(quarter from d),
    extract(month from d), to_char(d, 'FMMonth'), extract(isoyear from d), extract(week from d),
    extract(isodow from d), to_char(d, 'FMDay'), extract(isodow from d) >= 6
  from days
  on conflict (date_sk) do update set ${COLUMNS.slice(1)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}
  where (${COLUMNS.map((c) => `t.${c}`).join(', ')}) is distinct from (${COLUMNS.map((c) => `excluded.${c}`).join(', ')})
  returning (xmax = 0) as inserted
)
select count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated from written`;

/**
 * `shopflow_dw.dim_date`: one row per day the simulation can produce (`simulatedDays`): the fixed
 * range of `resources.generator.days`, or 100 years from `start` on the live calendar, so the
 * dimension does not change, and re-open the facts, as days go by.
 */
export const dimDate = defineAsset({
  key: 'dim_date',
  group: 'warehouse',
  classification: 'public',
  description:
    'Date dimension (shopflow_dw.dim_date): every day the simulation can produce (the fixed range, or 100 years from its start), key YYYYMMDD.',
  io: postgresTableIo('shopflow_dw.dim_date', { orderBy: 'date_sk' }),
  schema: z.object({
    date_sk: z.int().describe('YYYYMMDD'),
    date: z.iso.date(),
    year: z.int(),
    quarter: z.int().describe('1 … 4'),
    month: z.int().describe('1 … 12'),
    month_name: z.string().describe('January … December'),
    iso_year: z.int().describe('ISO 8601 week-numbering year'),
    iso_week: z.int().describe('ISO 8601 week, 1 … 53'),
    day_of_week: z.int().describe('ISO day of week, 1 = Monday … 7 = Sunday'),
    day_name: z.string().describe('Monday … Sunday'),
    is_weekend: z.boolean().describe('Saturday or Sunday'),
  }),
  owners: ['data-platform'],
  checks: [postgresStoredTypes()],
  async materialize({ resource }) {
    const warehouse = await resource(postgresWarehouse);
    const { start, end } = simulatedDays(await resource(generatorSettings));
    const { rows } = await warehouse.query(UPSERT, [start, end]);
    const version = await tableContentVersion(
      warehouse,
      'shopflow_dw.dim_date',
      'date >= $1::date and date < $2::date',
      [start, end],
    );
    return materialized({
      rowCount: version.rowCount,
      dataVersion: version.dataVersion,
      metadata: {
        from: start,
        until: end,
        inserted: Number(rows[0].inserted),
        updated: Number(rows[0].updated),
      },
    });
  },
});
