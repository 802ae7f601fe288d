import { z } from 'zod';
import { storedTypes } from '../../checks/index.js';
import { defineAsset, offsetPartitionMapping, sql } from '../../framework/index.js';
import { money } from '../money.js';
import { shopflowDays } from '../shopflow-calendar.js';
import { silverTransactions } from '../silver/silver-transactions.js';

/** How many days after a sale its record can still be delivered (the simulator's maximum lateness). */
export const MAX_LATENESS_DAYS = 3;

/**
 * Revenue by the day a sale happened (UTC), late deliveries included: day D reads the delivery days
 * D … D+3, so a late transaction delivered on D+2 re-opens day D. Every sale day within reach of a
 * new delivery day is recomputed; the ones whose rows did not change keep their content hash, so
 * nothing downstream of them runs again.
 */
export const salesBySaleDate = defineAsset({
  key: 'sales_by_sale_date',
  group: 'gold',
  description:
    'Daily revenue by sale date (UTC), late-arriving transactions included in the day they happened.',
  deps: { deliveries: silverTransactions },
  partitions: shopflowDays,
  partitionMappings: { deliveries: offsetPartitionMapping({ from: 0, to: MAX_LATENESS_DAYS }) },
  schema: z.object({
    sale_date: z.iso.date().describe('UTC day of the sale (the partition)'),
    transactions: z.int(),
    late_transactions: z.int().describe('Delivered on a later day than the sale'),
    units: z.int(),
    revenue: money().describe('Sum of quantity × unit price, EUR'),
  }),
  owners: ['analytics'],
  tags: ['analytics'],
  checks: [storedTypes()],
  materialize: ({ deps, partitionKey }) =>
    sql`select ${partitionKey}::DATE as sale_date,
          count(*)::BIGINT as transactions,
          count(*) filter (where delivery_date > transaction_date)::BIGINT as late_transactions,
          coalesce(sum(quantity), 0)::BIGINT as units,
          coalesce(sum(amount), 0)::DECIMAL(18, 2) as revenue
        from ${deps.deliveries}
        where transaction_date = ${partitionKey}::DATE`,
});
