import { z } from 'zod';
import { inRange, layerSuite, notNull, references } from '../../checks/index.js';
import { defineAsset, sql } from '../../framework/index.js';
import { money, price } from '../money.js';
import { rawTransactions } from '../raw/raw-transactions.js';
import { simulatorNameVocabulary } from '../raw/simulator/name-vocabulary.js';
import { asOfDeliveryDay, LATE_DIMENSION_DAYS, shopflowDays } from '../shopflow-calendar.js';
import { silverCustomers } from './silver-customers.js';
import { silverProducts } from './silver-products.js';

/** Versions dated before this (relative to a transaction row) make its customer or product known. */
const KNOWN_BEFORE = `delivery_date::DATE + INTERVAL ${LATE_DIMENSION_DAYS + 1} DAY`;

/**
 * Typed transactions delivered on one day; amount = quantity × unit price. Transactions whose
 * customer or product has no valid version in silver dated before the end of the delivery day plus
 * {@link LATE_DIMENSION_DAYS} days (its versions were quarantined, or arrived later than that) are
 * quarantined here, so the warehouse load never has to reject them. A day therefore reads the
 * customer and product versions only up to that instant, and later versions never re-open it.
 */
export const silverTransactions = defineAsset({
  key: 'silver_transactions',
  group: 'silver',
  description: 'Typed, deduplicated transactions by delivery day, with the amount paid.',
  deps: { raw: rawTransactions, customers: silverCustomers, products: silverProducts },
  partitions: shopflowDays,
  partitionMappings: {
    customers: asOfDeliveryDay,
    products: asOfDeliveryDay,
  },
  schema: z.object({
    transaction_id: z.int().describe('Natural key of the transaction'),
    customer_id: z.int().describe('Buying customer'),
    product_id: z.int().describe('Product bought'),
    quantity: z.int().describe('Units bought'),
    unit_price: price().describe('Price per unit paid, EUR'),
    amount: money().describe('quantity × unit_price, EUR'),
    transaction_ts: z.iso.datetime().describe('When the sale happened (UTC)'),
    transaction_date: z.iso.date().describe('UTC day of the sale'),
    payment_method: z.string().describe('How it was paid'),
    delivery_date: z.iso.date().describe('Day the source delivered the record (partition)'),
  }),
  owners: ['data-platform'],
  checks: [
    ...layerSuite('silver', { key: ['transaction_id'], piiNames: simulatorNameVocabulary }),
    notNull(['customer_id', 'product_id']),
    inRange('amount', { min: 0, exclusiveMin: true }),
    references('customer_id', {
      dep: 'customers',
      column: 'customer_id',
      name: 'customer_known',
      quarantine: true,
      knownBefore: { at: 'updated_at', before: KNOWN_BEFORE },
    }),
    references('product_id', {
      dep: 'products',
      column: 'product_id',
      name: 'product_known',
      quarantine: true,
      knownBefore: { at: 'updated_at', before: KNOWN_BEFORE },
    }),
  ],
  materialize: ({ deps }) =>
    sql`select
          transaction_id::BIGINT as transaction_id,
          customer_id::BIGINT as customer_id,
          product_id::BIGINT as product_id,
          quantity::INTEGER as quantity,
          unit_price::DECIMAL(12, 2) as unit_price,
          (quantity::INTEGER * unit_price::DECIMAL(12, 2))::DECIMAL(18, 2) as amount,
          strptime(timestamp, '%Y-%m-%dT%H:%M:%SZ')::TIMESTAMPTZ as transaction_ts,
          strptime(timestamp, '%Y-%m-%dT%H:%M:%SZ')::DATE as transaction_date,
          payment_method,
          delivery_date::DATE as delivery_date
        from ${deps.raw}
        qualify row_number() over (partition by transaction_id order by source_line) = 1
        order by transaction_id`,
});
