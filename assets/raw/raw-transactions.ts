import { z } from 'zod';
import { inRange, notNull, parseableDate, unique, withValidationLog } from '../../checks/index.js';
import { cumulativePartitionMapping, defineAsset, rowCheck, sql } from '../../framework/index.js';
import { shopflowDays } from '../shopflow-calendar.js';
import { type SourceFilesInput, sourceFiles } from './source-files.js';
import { validationLogFile } from './validation-log-file.js';

const text = () => z.string().nullable();

/** A foreign key must name an entity that exists in the source extract (any version, valid or not). */
function existsInSource(column: 'customer_id' | 'product_id', file: 'customers.csv' | 'products.csv') {
  return rowCheck({
    name: `${column.replace('_id', '')}_exists`,
    description: `${column} names a ${column.replace('_id', '')} of ${file}`,
    quarantine: true,
    validWhen: (deps) => `${column} IN (SELECT ${column} FROM ${(deps.known as SourceFilesInput).csv(file)})`,
  });
}

/**
 * The transactions delivered on one day (late arrivals land on the day they were delivered, not the
 * day they happened), as extracted, validated: bad timestamps, non-positive quantities or prices,
 * repeated ids and unknown customers or products are quarantined with the rule they broke.
 */
export const rawTransactions = defineAsset({
  key: 'raw_transactions',
  group: 'raw',
  description: 'Transactions from transactions.csv by delivery day, validated; bad rows quarantined.',
  // NOTE: `known` is every extract up to and including this day: a transaction may reference a
  // customer or product from any earlier day, never from a later one.
  deps: { day: sourceFiles, known: sourceFiles },
  partitionMappings: { known: cumulativePartitionMapping() },
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
    source_line: z.int().describe('Line of the day extract (transactions.csv) the row came from'),
  }),
  owners: ['data-platform'],
  checks: withValidationLog(
    [
      notNull(['transaction_id'], { name: 'transaction_key_present', quarantine: true }),
      parseableDate('timestamp', { format: '%Y-%m-%dT%H:%M:%SZ', name: 'timestamp_valid', quarantine: true }),
      inRange('quantity', { min: 0, exclusiveMin: true, name: 'quantity_positive', quarantine: true }),
      inRange('unit_price', { min: 0, exclusiveMin: true, name: 'unit_price_positive', quarantine: true }),
      unique(['transaction_id'], { name: 'transaction_unique', orderBy: 'source_line', quarantine: true }),
      existsInSource('customer_id', 'customers.csv'),
      existsInSource('product_id', 'products.csv'),
    ],
    validationLogFile,
  ),
  materialize: ({ deps }) =>
    sql`select transaction_id, customer_id, product_id, quantity, unit_price, timestamp, payment_method, delivery_date,
          (row_number() over () + 1)::BIGINT as source_line
        from ${sql.raw(deps.day.csv('transactions.csv'))}`,
});
