import { z } from 'zod';
import { notNull, storedTypes, unique } from '../../checks/index.js';
import { defineAsset, sql } from '../../framework/index.js';
import { silverCustomers } from '../silver/silver-customers.js';
import { dimCustomerScd2 } from './dim-customer.js';
import { lakeScd2ChangedFrom, lakeScd2Versions } from './lake-scd2-versions.js';

/**
 * The customer SCD2 dimension rebuilt from scratch by DuckDB out of every silver version: the
 * reference the incrementally merged `dim_customer` must equal (natural key + version instead of a
 * surrogate key).
 */
export const lakeDimCustomer = defineAsset({
  key: 'lake_dim_customer',
  group: 'gold',
  description: 'Customer SCD2 versions rebuilt from scratch from silver (lake twin of dim_customer).',
  deps: { silver: silverCustomers },
  schema: z.object({
    customer_id: z.int().describe('Natural key of the customer'),
    name: z.string().describe('Full name').meta({ pii: 'name' }),
    email: z.string().describe('Email address, lower case').meta({ pii: 'email' }),
    country: z.string().describe('ISO 3166-1 alpha-2 country code'),
    registration_date: z.iso.date().describe('Day the customer registered'),
    valid_from: z.iso.datetime().describe('When the version became valid (UTC)'),
    valid_to: z.iso.datetime().describe('When the next version became valid; infinity when current'),
    is_current: z.boolean().describe('True for the one current version of the customer'),
    version: z.int().describe('1, 2, … in valid_from order'),
  }),
  owners: ['data-platform'],
  tags: ['scd2'],
  checks: [
    notNull(['customer_id', 'valid_from', 'valid_to']),
    unique(['customer_id', 'version']),
    storedTypes(),
  ],
  changedFrom: ({ previous, current }) =>
    sql`${sql.raw(lakeScd2ChangedFrom(previous.toSql(), current.toSql(), dimCustomerScd2.naturalKey, dimCustomerScd2.tracked))}`,
  materialize: ({ deps }) =>
    sql`${sql.raw(
      lakeScd2Versions(
        deps.silver.toSql(),
        dimCustomerScd2.naturalKey,
        dimCustomerScd2.tracked,
        dimCustomerScd2.changedAt,
      ),
    )}`,
});
