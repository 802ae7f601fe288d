import { z } from 'zod';
import { inRange, layerSuite, notNull } from '../../checks/index.js';
import { changedFromColumn, defineAsset, sql } from '../../framework/index.js';
import { price } from '../money.js';
import { rawProducts } from '../raw/raw-products.js';
import { simulatorNameVocabulary } from '../raw/simulator/name-vocabulary.js';

/** Typed product versions: every valid version (price and category history), exact repeats removed. */
export const silverProducts = defineAsset({
  key: 'silver_products',
  group: 'silver',
  description: 'Typed, deduplicated product versions (one row per product and change).',
  deps: { raw: rawProducts },
  schema: z.object({
    product_id: z.int().describe('Natural key of the product'),
    name: z.string().describe('Product name'),
    category: z.string().describe('Category'),
    price: price().describe('List price in EUR, 2 decimals'),
    supplier: z.string().describe('Supplier name'),
    updated_at: z.iso.datetime().describe('When this version became valid (UTC)'),
  }),
  owners: ['data-platform'],
  checks: [
    ...layerSuite('silver', { key: ['product_id', 'updated_at'], piiNames: simulatorNameVocabulary }),
    notNull(['price']),
    inRange('price', { min: 0, exclusiveMin: true }),
  ],
  // NOTE: rows are versions dated by updated_at; a new or corrected version changes the data from its date on.
  changedFrom: changedFromColumn('updated_at'),
  materialize: ({ deps }) =>
    sql`select distinct
          product_id::BIGINT as product_id,
          trim(name) as name,
          trim(category) as category,
          price::DECIMAL(12, 2) as price,
          trim(supplier) as supplier,
          strptime(updated_at, '%Y-%m-%dT%H:%M:%SZ')::TIMESTAMPTZ as updated_at
        from ${deps.raw}
        order by product_id, updated_at`,
});
