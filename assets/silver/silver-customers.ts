import { z } from 'zod';
import { layerSuite, notNull } from '../../checks/index.js';
import { changedFromColumn, defineAsset, sql } from '../../framework/index.js';
import { rawCustomers } from '../raw/raw-customers.js';
import { simulatorNameVocabulary } from '../raw/simulator/name-vocabulary.js';

/**
 * Typed customer profile versions: every valid version (the history SCD2 dimensions are built
 * from), exact repeats removed, emails lower-cased, countries upper-cased.
 */
export const silverCustomers = defineAsset({
  key: 'silver_customers',
  group: 'silver',
  description: 'Typed, deduplicated customer profile versions (one row per customer and change).',
  deps: { raw: rawCustomers },
  schema: z.object({
    customer_id: z.int().describe('Natural key of the customer'),
    name: z.string().describe('Full name').meta({ pii: 'name' }),
    email: z.string().describe('Email address, lower case').meta({ pii: 'email' }),
    registration_date: z.iso.date().describe('Day the customer registered'),
    country: z.string().describe('ISO 3166-1 alpha-2 country code'),
    updated_at: z.iso.datetime().describe('When this version became valid (UTC)'),
  }),
  owners: ['data-platform'],
  checks: [
    ...layerSuite('silver', { key: ['customer_id', 'updated_at'], piiNames: simulatorNameVocabulary }),
    notNull(['email']),
  ],
  // NOTE: rows are versions dated by updated_at; a new or corrected version changes the data from its date on.
  changedFrom: changedFromColumn('updated_at'),
  materialize: ({ deps }) =>
    sql`select distinct
          customer_id::BIGINT as customer_id,
          trim(name) as name,
          lower(trim(email)) as email,
          strptime(registration_date, '%Y-%m-%d')::DATE as registration_date,
          upper(trim(country)) as country,
          strptime(updated_at, '%Y-%m-%dT%H:%M:%SZ')::TIMESTAMPTZ as updated_at
        from ${deps.raw}
        order by customer_id, updated_at`,
});
