import { z } from 'zod';
import { defineAsset } from '../../framework/index.js';
import type { Scd2Spec } from '../../resources/postgres/scd2/scd2-spec.js';
import { silverCustomers } from '../silver/silver-customers.js';
import { mergeDimensionFromLake } from './merge-dimension-from-lake.js';
import { postgresStoredTypes } from './postgres-stored-types.js';
import { postgresTableIo } from './postgres-table-io.js';

/** How `shopflow_dw.dim_customer` is kept as SCD Type 2 (facts re-pointed in `fact_sales`). */
export const dimCustomerScd2: Scd2Spec = {
  table: 'shopflow_dw.dim_customer',
  surrogateKey: 'customer_sk',
  naturalKey: 'customer_id',
  tracked: ['name', 'email', 'country', 'registration_date'],
  changedAt: 'updated_at',
  facts: [{ table: 'shopflow_dw.fact_sales', foreignKey: 'customer_sk', at: 'transaction_ts' }],
};

/**
 * `shopflow_dw.dim_customer`: every version of every customer profile (SCD Type 2), merged
 * incrementally from the silver versions changed since the watermark minus the lookback.
 */
export const dimCustomer = defineAsset({
  key: 'dim_customer',
  group: 'warehouse',
  description:
    'Customer dimension, SCD Type 2 (shopflow_dw.dim_customer): one row per profile version, merged incrementally from silver.',
  deps: { silver: silverCustomers },
  columnsFrom: 'silver',
  classification: 'internal',
  io: postgresTableIo('shopflow_dw.dim_customer', { orderBy: 'customer_id, valid_from' }),
  schema: z.object({
    customer_sk: z.int().describe('Surrogate key of the version'),
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
  checks: [postgresStoredTypes()],
  tags: ['scd2'],
  materialize: (context) => mergeDimensionFromLake(context, dimCustomerScd2, 'silver'),
});
