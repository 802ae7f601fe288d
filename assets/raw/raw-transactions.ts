import { z } from 'zod';
import { inRange, notNull, parseableDate, rowsKept, unique, withValidationLog } from '../../checks/index.js';
import {
  asOfWindowMapping,
  defineAsset,
  quoteLiteral,
  rowCheck,
  ShopflowError,
  sql,
} from '../../framework/index.js';
import { bronzeTransactions } from '../bronze/bronze-from-landing.js';
import { type LandedEntity, landedIds } from '../bronze/landed-ids.js';
import { shopflowDays } from '../shopflow-calendar.js';
import { validationLogFile } from './validation-log-file.js';

const text = () => z.string().nullable();

/** A foreign key must name an entity that landed by the end of the day (any version, valid or not). */
function existsInLanding(column: 'customer_id' | 'product_id', entity: LandedEntity) {
  return rowCheck({
    name: `${entity}_exists`,
    description: `${column} names a ${entity} of the landed ${entity}s.csv files up to the day`,
    quarantine: true,
    validWhen: (deps, { partitionKey }) => {
      if (partitionKey === null) {
        throw new ShopflowError('SF_INVALID_ASSET', `\`${entity}_exists\` needs the day it checks`, {
          hint: "use it on a daily asset: it reads the ids that landed up to the partition's day",
        });
      }
      return `${column} IN (SELECT id FROM ${deps.landed.toSql()} WHERE entity = ${quoteLiteral(entity)} AND first_landed <= ${quoteLiteral(partitionKey)}::DATE)`;
    },
  });
}

/**
 * The transactions delivered on one day (late arrivals land on the day they were delivered, not the
 * day they happened), as landed (`bronze_transactions`), validated: bad timestamps, non-positive
 * quantities or prices, repeated ids and unknown customers or products are quarantined with the
 * rule they broke.
 */
export const rawTransactions = defineAsset({
  key: 'raw_transactions',
  group: 'raw',
  description:
    'Transactions as landed (bronze_transactions) by delivery day, validated; bad rows quarantined.',
  codeVersion: '3',
  // NOTE: `landed` is read as of the end of the day: a transaction may reference a customer or
  // product that landed on any day up to and including its own, never on a later one.
  deps: { day: bronzeTransactions, landed: landedIds },
  partitionMappings: { landed: asOfWindowMapping() },
  partitions: shopflowDays,
  schema: z.object({
    transaction_id: text().describe('Natural key of the transaction'),
    customer_id: text().describe('Buying customer'),
    product_id: text().describe('Product bought'),
    quantity: text().describe('Units bought'),
    unit_price: text().describe('Price per unit at the time of sale, EUR'),
    timestamp: text().describe('When the sale happened (ISO-8601 UTC)'),
    payment_method: text().describe('How it was paid'),
    delivery_date: text().describe('Day the record was delivered by the source system'),
    source_line: z.int().describe('Line of the landed transactions.csv of the day the row came from'),
  }),
  owners: ['data-platform'],
  checks: withValidationLog(
    [
      notNull(['transaction_id'], { name: 'transaction_key_present', quarantine: true }),
      parseableDate('timestamp', { format: '%Y-%m-%dT%H:%M:%SZ', name: 'timestamp_valid', quarantine: true }),
      parseableDate('delivery_date', { format: '%Y-%m-%d', name: 'delivery_date_valid', quarantine: true }),
      inRange('quantity', { min: 0, exclusiveMin: true, name: 'quantity_positive', quarantine: true }),
      inRange('unit_price', { min: 0, exclusiveMin: true, name: 'unit_price_positive', quarantine: true }),
      unique(['transaction_id'], { name: 'transaction_unique', orderBy: 'source_line', quarantine: true }),
      existsInLanding('customer_id', 'customer'),
      existsInLanding('product_id', 'product'),
      rowsKept(),
    ],
    validationLogFile,
  ),
  materialize: ({ deps }) =>
    sql`select transaction_id, customer_id, product_id, quantity, unit_price, timestamp, payment_method, delivery_date,
          source_line
        from ${deps.day}
        order by source_line`,
});
