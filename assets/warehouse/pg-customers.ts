import { z } from 'zod';
import { defineAsset } from '../../framework/index.js';
import { customersSpec, loadCustomers } from '../../resources/postgres/shopflow-tables.js';
import { silverCustomers } from '../silver/silver-customers.js';
import { loadFromLake } from './load-from-lake.js';
import { postgresStoredTypes } from './postgres-stored-types.js';
import { postgresTableIo } from './postgres-table-io.js';

/** `shopflow.customers`: the current profile of every customer, upserted from silver. */
export const pgCustomers = defineAsset({
  key: 'pg_customers',
  group: 'warehouse',
  description:
    'Current customer profiles in the PostgreSQL warehouse (shopflow.customers), upserted from silver.',
  deps: { silver: silverCustomers },
  columnsFrom: 'silver',
  classification: 'internal',
  io: postgresTableIo('shopflow.customers', { orderBy: 'customer_id' }),
  schema: z.object({
    customer_id: z.int(),
    name: z.string().meta({ pii: 'name' }),
    email: z.string().meta({ pii: 'email' }),
    registration_date: z.iso.date(),
    country_code: z.string(),
    version: z.int().describe('Incremented each time the profile changes'),
  }),
  owners: ['data-platform'],
  checks: [postgresStoredTypes()],
  materialize: (context) =>
    loadFromLake(
      context,
      {
        source: context.deps.silver.toSql(),
        select: `customer_id, name, email, registration_date, country, strftime(updated_at, '%Y-%m-%dT%H:%M:%SZ') as updated_at`,
        orderBy: 'customer_id, updated_at',
        watermark: { column: 'updated_at', table: customersSpec.table, dep: 'silver' },
      },
      loadCustomers,
    ),
});
