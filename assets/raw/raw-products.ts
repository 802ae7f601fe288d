import { z } from 'zod';
import {
  inRange,
  layerSuite,
  notNull,
  parseableDate,
  rowsKept,
  unique,
  withValidationLog,
} from '../../checks/index.js';
import { defineAsset, sql } from '../../framework/index.js';
import { bronzeProducts } from '../bronze/bronze-from-landing.js';
import { simulatorNameVocabulary } from './simulator/name-vocabulary.js';
import { validationLogFile } from './validation-log-file.js';

const text = () => z.string().nullable();

/**
 * Product versions as landed (text columns plus the position of the row in the landed daily files),
 * read from `bronze_products`, validated: rows with a missing key, a price that is not a positive
 * number, an unparseable change time or a repeated (product_id, updated_at) key with other content
 * are quarantined. A version delivered again unchanged (in a full snapshot) is kept once.
 */
export const rawProducts = defineAsset({
  key: 'raw_products',
  group: 'raw',
  description: 'Product catalog versions as landed (bronze_products), validated; bad rows quarantined.',
  codeVersion: '2',
  deps: { bronze: bronzeProducts },
  schema: z.object({
    product_id: text().describe('Natural key of the product'),
    name: text().describe('Product name'),
    category: text().describe('Category'),
    price: text().describe('List price in EUR'),
    supplier: text().describe('Supplier name'),
    updated_at: text().describe('When this version became valid (ISO-8601 UTC)'),
    source_line: z.int().describe('Position of the row in the landed daily files, in delivery order'),
  }),
  owners: ['data-platform'],
  checks: withValidationLog(
    [
      notNull(['product_id', 'updated_at'], { name: 'product_key_present', quarantine: true }),
      inRange('price', { min: 0, exclusiveMin: true, name: 'price_positive', quarantine: true }),
      parseableDate('updated_at', {
        format: '%Y-%m-%dT%H:%M:%SZ',
        name: 'updated_at_valid',
        quarantine: true,
      }),
      unique(['product_id', 'updated_at'], {
        name: 'product_version_unique',
        orderBy: 'source_line',
        quarantine: true,
      }),
      rowsKept(),
    ],
    validationLogFile,
  ).concat(withValidationLog(layerSuite('raw', { piiNames: simulatorNameVocabulary }), validationLogFile)),
  materialize: ({ deps }) =>
    sql`select product_id, name, category, price, supplier, updated_at, position as source_line
        from (select *, (row_number() over (order by landing_key, source_line) + 1)::BIGINT as position
              from ${deps.bronze})
        qualify row_number() over (
          partition by product_id, name, category, price, supplier, updated_at order by position) = 1
        order by position`,
});
