import { z } from 'zod';
import { decimal, defineAsset } from '../../framework/index.js';
import { loadProducts, productsSpec } from '../../resources/postgres/shopflow-tables.js';
import { silverProducts } from '../silver/silver-products.js';
import { loadFromLake } from './load-from-lake.js';
import { postgresStoredTypes } from './postgres-stored-types.js';
import { postgresTableIo } from './postgres-table-io.js';

/** `shopflow.products`: the current version of every product, upserted from silver. */
export const pgProducts = defineAsset({
  key: 'pg_products',
  group: 'warehouse',
  description:
    'Current product catalog in the PostgreSQL warehouse (shopflow.products), upserted from silver.',
  deps: { silver: silverProducts },
  columnsFrom: 'silver',
  classification: 'internal',
  io: postgresTableIo('shopflow.products', { orderBy: 'product_id' }),
  schema: z.object({
    product_id: z.int(),
    name: z.string(),
    category_id: z.int(),
    supplier_id: z.int(),
    price: decimal(12, 2).describe('List price in EUR'),
    version: z.int(),
  }),
  owners: ['data-platform'],
  checks: [postgresStoredTypes()],
  materialize: (context) =>
    loadFromLake(
      context,
      {
        source: context.deps.silver.toSql(),
        select: `product_id, name, category, price, supplier, strftime(updated_at, '%Y-%m-%dT%H:%M:%SZ') as updated_at`,
        orderBy: 'product_id, updated_at',
        watermark: { column: 'updated_at', table: productsSpec.table, dep: 'silver' },
      },
      loadProducts,
    ),
});
