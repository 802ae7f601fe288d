import { z } from 'zod';
import { acceptedValues, storedTypes, unique } from '../../checks/index.js';
import { defineAsset, rowCheck, sql } from '../../framework/index.js';
import { silverCustomers } from '../silver/silver-customers.js';
import { operationalCustomerChanges } from './operational-customer-changes.js';

/** What the audit finds for one customer. */
export const PROFILE_AUDIT_STATUSES = [
  'in_sync',
  'differs',
  'missing_in_operational',
  'only_in_operational',
] as const;

/** Why the audit's comparison columns are internal although computed from emails. */
const COMPARES_EMAILS =
  'a fixed vocabulary computed by comparing two emails: it says whether they are equal, never what they are';

/**
 * Reconciles the two extracts of the customers: the profile versions that landed from the source
 * files (`silver_customers`, newest valid version per customer) against what the change log of
 * the operational PostgreSQL table captured (`operational_customer_changes`, newest change per
 * customer). One row per customer with what differs; a customer whose operational profile differs
 * from its newest landed version, or is missing on either side, fails the blocking check
 * `profiles_in_sync` — a load into the operational table went wrong or the capture fell behind.
 * So the CSV extract, the S3 landing zone and the database's change log meet in one graph.
 */
export const customerProfileAudit = defineAsset({
  key: 'customer_profile_audit',
  group: 'audit',
  codeVersion: '2',
  description:
    'Per customer: the newest landed profile (silver) against the newest change captured from the operational database (CDC).',
  deps: { silver: silverCustomers, changes: operationalCustomerChanges },
  schema: z.object({
    customer_id: z.int().describe('Natural key of the customer'),
    status: z
      .enum(PROFILE_AUDIT_STATUSES)
      .describe(`One of ${PROFILE_AUDIT_STATUSES.join(', ')}`)
      .meta({ classification: 'internal', classificationReason: COMPARES_EMAILS }),
    landed_at: z.iso.datetime().nullable().describe('When the newest landed version became valid'),
    captured_at: z.iso
      .datetime()
      .nullable()
      .describe('Watermark of the extract that captured the newest change'),
    operational_version: z.int().nullable().describe('Row version of the operational profile captured'),
    email_matches: z
      .boolean()
      .nullable()
      .describe('Landed and operational email are equal')
      .meta({ classification: 'internal', classificationReason: COMPARES_EMAILS }),
    country_matches: z.boolean().nullable().describe('Landed and operational country are equal'),
  }),
  owners: ['data-platform'],
  tags: ['cdc'],
  checks: [
    unique(['customer_id']),
    acceptedValues('status', PROFILE_AUDIT_STATUSES),
    rowCheck({
      name: 'profiles_in_sync',
      description: 'the operational profile equals the newest landed version',
      validWhen: "status = 'in_sync'",
    }),
    storedTypes(),
  ],
  materialize: ({ deps }) =>
    sql`with landed as (
          select customer_id, email, country, updated_at from ${deps.silver}
          qualify row_number() over (partition by customer_id order by updated_at desc) = 1
        ), captured as (
          select customer_id, email, country_code, version, captured_at from ${deps.changes}
          qualify row_number() over (
            partition by customer_id order by updated_at desc, version desc, captured_at desc) = 1
        )
        select coalesce(l.customer_id, c.customer_id)::BIGINT as customer_id,
          case
            when c.customer_id is null then 'missing_in_operational'
            when l.customer_id is null then 'only_in_operational'
            when l.email = c.email and l.country = c.country_code then 'in_sync'
            else 'differs'
          end as status,
          l.updated_at as landed_at,
          c.captured_at,
          c.version::INTEGER as operational_version,
          case when l.customer_id is null or c.customer_id is null then null else l.email = c.email end as email_matches,
          case when l.customer_id is null or c.customer_id is null then null else l.country = c.country_code end
            as country_matches
        from landed l full outer join captured c on l.customer_id = c.customer_id
        order by customer_id`,
});
