import { z } from 'zod';
import { notNull, storedTypes, unique } from '../../checks/index.js';
import { defineAsset, sql } from '../../framework/index.js';
import { price } from '../money.js';
import { silverProducts } from '../silver/silver-products.js';
import { dimProductScd2 } from './dim-product.js';
import { lakeScd2ChangedFrom, lakeScd2Versions } from './lake-scd2-versions.js';

/**
 * The product SCD2 dimension rebuilt from scratch by DuckDB out of every silver version: the
 * reference the incrementally merged `dim_product` must equal (natural key + version instead of a
 * surrogate key).
 */
export const lakeDimProduct = defineAsset({
  key: 'lake_dim_product',
  group: 'gold',
  description: 'Product SCD2 versions rebuilt from scratch from silver (lake twin of dim_product).',
  deps: { silver: silverProducts },
  schema: z.object({
    product_id: z.int().describe('Natural key of the product'),
    name: z.string().describe('Product name'),
    category: z.string().describe('Category'),
    supplier: z.string().describe('Supplier name'),
    price: price().describe('List price in EUR'),
    valid_from: z.iso.datetime().describe('When the version became valid (UTC)'),
    valid_to: z.iso.datetime().describe('When the next version became valid; infinity when current'),
    is_current: z.boolean().describe('True for the one current version of the product'),
    version: z.int().describe('1, 2, … in valid_from order'),
  }),
  owners: ['data-platform'],
  tags: ['scd2'],
  checks: [
    notNull(['product_id', 'valid_from', 'valid_to']),
    unique(['product_id', 'version']),
    storedTypes(),
  ],
  changedFrom: ({ previous, current }) =>
    sql`${sql.raw(lakeScd2ChangedFrom(previous.toSql(), current.toSql(), dimProductScd2.naturalKey, dimProductScd2.tracked))}`,
  materialize: ({ deps }) =>
    sql`${sql.raw(
      lakeScd2Versions(
        deps.silver.toSql(),
        dimProductScd2.naturalKey,
        dimProductScd2.tracked,
        dimProductScd2.changedAt,
      ),
    )}`,
});
