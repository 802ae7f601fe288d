import { z } from 'zod';
import { notNull, unique } from '../../checks/index.js';
import { defineAsset, sql } from '../../framework/index.js';
import { landingDaySql } from '../../resources/object-store/landing-keys.js';
import { bronzeCustomers, bronzeProducts } from './bronze-from-landing.js';

/** The entities whose ids {@link landedIds} lists. */
export type LandedEntity = 'customer' | 'product';

/**
 * Every customer and product id that landed, with the first day a landed file named it (any
 * version, valid or not): the reference a day of transactions is checked against, as of that day.
 * One file read per day instead of every landed day's file up to it; a new day adds ids that no
 * earlier day can see (`changedFrom`), so it re-opens no earlier day of `raw_transactions`.
 */
export const landedIds = defineAsset({
  key: 'landed_ids',
  group: 'bronze',
  classification: 'internal',
  description: 'Every customer and product id that landed, with the first day it landed.',
  deps: { customers: bronzeCustomers, products: bronzeProducts },
  schema: z.object({
    entity: z.enum(['customer', 'product']).describe('What the id names'),
    id: z.string().describe('The id as landed (text)'),
    first_landed: z.iso.date().describe('The first landing day whose file names the id'),
  }),
  owners: ['data-platform'],
  checks: [notNull(['entity', 'id', 'first_landed']), unique(['entity', 'id'])],
  // NOTE: a reader as of day D sees the ids first landed by D; a change of the list is visible
  // from the earliest first landing day among the rows added, removed or moved.
  changedFrom: ({ previous, current }) =>
    sql`select min(first_landed)::TIMESTAMPTZ as changed_from from (
          (select * from ${previous} except all select * from ${current})
          union all
          (select * from ${current} except all select * from ${previous}))`,
  materialize: ({ deps }) =>
    sql`select entity, id, min(${sql.raw(landingDaySql('landing_key'))}) as first_landed
        from (select 'customer' as entity, customer_id as id, landing_key from ${deps.customers}
              union all
              select 'product', product_id, landing_key from ${deps.products})
        where id is not null
        group by entity, id
        order by entity, id`,
});
