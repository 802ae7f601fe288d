import { z } from 'zod';
import {
  EMAIL_PATTERN,
  layerSuite,
  matches,
  notNull,
  parseableDate,
  rowsKept,
  unique,
  withValidationLog,
} from '../../checks/index.js';
import { defineAsset, sql } from '../../framework/index.js';
import { bronzeCustomers } from '../bronze/bronze-from-landing.js';
import { simulatorNameVocabulary } from './simulator/name-vocabulary.js';
import { validationLogFile } from './validation-log-file.js';

const text = () => z.string().nullable();

/**
 * Customer profile versions as landed (every column as text, plus the position of the row in the
 * landed daily files, in delivery order), read from `bronze_customers`, validated: rows with a
 * missing key, a null or malformed email, an unparseable registration date or a repeated
 * (customer_id, updated_at) key with other content are quarantined with the rule they broke. A
 * version delivered again unchanged (a full snapshot repeats every current version) is kept once.
 */
export const rawCustomers = defineAsset({
  key: 'raw_customers',
  group: 'raw',
  description: 'Customer profile versions as landed (bronze_customers), validated; bad rows quarantined.',
  codeVersion: '2',
  deps: { bronze: bronzeCustomers },
  schema: z.object({
    customer_id: text().describe('Natural key of the customer'),
    name: text().describe('Full name').meta({ pii: 'name' }),
    email: text().describe('Email address').meta({ pii: 'email' }),
    registration_date: text().describe('Registration date, YYYY-MM-DD'),
    country: text().describe('ISO 3166-1 alpha-2 country code'),
    updated_at: text().describe('When this version of the profile became valid (ISO-8601 UTC)'),
    source_line: z.int().describe('Position of the row in the landed daily files, in delivery order'),
  }),
  owners: ['data-platform'],
  checks: withValidationLog(
    [
      notNull(['customer_id', 'updated_at'], { name: 'customer_key_present', quarantine: true }),
      notNull(['email'], { name: 'email_present', quarantine: true }),
      matches('email', EMAIL_PATTERN, { name: 'email_valid', quarantine: true }),
      parseableDate('registration_date', { name: 'registration_date_valid', quarantine: true }),
      unique(['customer_id', 'updated_at'], {
        name: 'customer_version_unique',
        orderBy: 'source_line',
        quarantine: true,
      }),
      rowsKept(),
    ],
    validationLogFile,
  ).concat(withValidationLog(layerSuite('raw', { piiNames: simulatorNameVocabulary }), validationLogFile)),
  materialize: ({ deps }) =>
    sql`select customer_id, name, email, registration_date, country, updated_at, position as source_line
        from (select *, (row_number() over (order by landing_key, source_line) + 1)::BIGINT as position
              from ${deps.bronze})
        qualify row_number() over (
          partition by customer_id, name, email, registration_date, country, updated_at order by position) = 1
        order by position`,
});
