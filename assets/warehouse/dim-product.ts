import { z } from 'zod';
import { decimal, defineAsset } from '../../framework/index.js';
import type { Scd2Spec } from '../../resources/postgres/scd2/scd2-spec.js';
import { silverProducts } from '../silver/silver-products.js';
import { mergeDimensionFromLake } from './merge-dimension-from-lake.js';
import { postgresStoredTypes } from './postgres-stored-types.js';
import { postgresTableIo } from './postgres-table-io.js';

/** How `shopflow_dw.dim_product` is kept as SCD Type 2 (facts re-pointed in `fact_sales`). */
export const dimProductScd2: Scd2Spec = {
  table: 'shopflow_dw.dim_product',
  surrogateKey: 'product_sk',
  naturalKey: 'product_id',
  tracked: ['name', 'category', 'supplier', 'price'],
  changedAt: 'updated_at',
  facts: [{ table: 'shopflow_dw.fact_sales', foreignKey: 'product_sk', at: 'transaction_ts' }],
};

/**
 * `shopflow_dw.dim_product`: every version of every product (price, category, supplier and name
 * history, SCD Type 2), merged incrementally from the silver versions changed since the watermark
 * minus the lookback.
 */
export const dimProduct = defineAsset({
  key: 'dim_product',
  group: 'warehouse',
  description:
    'Product dimension, SCD Type 2 (shopflow_dw.dim_product): one row per product version, merged incrementally from silver.',
  deps: { silver: silverProducts },
  columnsFrom: 'silver',
  classification: 'internal',
  io: postgresTableIo('shopflow_dw.dim_product', { orderBy: 'product_id, valid_from' }),
  schema: z.object({
    product_sk: z.int().describe('Surrogate key of the version'),
    product_id: z.int().describe('Natural key of the product'),
    name: z.string().describe('Product name'),
    category: z.string().describe('Category'),
    supplier: z.string().describe('Supplier name'),
    price: decimal(12, 2).describe('List price in EUR'),
    valid_from: z.iso.datetime().describe('When the version became valid (UTC)'),
    valid_to: z.iso.datetime().describe('When the next version became valid; infinity when current'),
    is_current: z.boolean().describe('True for the one current version of the product'),
    version: z.int().describe('1, 2, … in valid_from order'),
  }),
  owners: ['data-platform'],
  checks: [postgresStoredTypes()],
  tags: ['scd2'],
  materialize: (context) => mergeDimensionFromLake(context, dimProductScd2, 'silver'),
});
