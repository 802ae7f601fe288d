import { z } from 'zod';
import { acceptedValues, notNull, rowsKept, unique, withValidationLog } from '../../checks/index.js';
import { defineAsset, sql } from '../../framework/index.js';
import { bronzeClickstream } from '../bronze/bronze-from-landing.js';
import { shopflowDays } from '../shopflow-calendar.js';
import { validationLogFile } from './validation-log-file.js';

export const CLICK_EVENT_TYPES = [
  'page_view',
  'product_view',
  'add_to_cart',
  'checkout',
  'purchase',
] as const;

/** Website clickstream events of one day (UTC), as landed (`bronze_clickstream`), validated. */
export const rawClickstream = defineAsset({
  key: 'raw_clickstream',
  group: 'raw',
  description: 'Website clickstream events by day, as landed (bronze_clickstream), validated.',
  codeVersion: '2',
  deps: { day: bronzeClickstream },
  partitions: shopflowDays,
  schema: z.object({
    event_id: z.string().describe('Unique event id'),
    session_id: z.string().describe('Browser session'),
    customer_id: z.int().nullable().describe('Signed-in customer, null when anonymous'),
    event_type: z.string().describe(`One of ${CLICK_EVENT_TYPES.join(', ')}`),
    page: z.string().describe('Page path'),
    product_id: z.int().nullable().describe('Product shown, if any'),
    timestamp: z.string().describe('When the event happened (ISO-8601 UTC)'),
  }),
  owners: ['web-analytics'],
  checks: withValidationLog(
    [
      notNull(['event_id', 'session_id', 'event_type'], { name: 'event_fields_present' }),
      unique(['event_id'], { name: 'event_unique' }),
      acceptedValues('event_type', CLICK_EVENT_TYPES, { name: 'event_type_known', severity: 'warn' }),
      rowsKept(),
    ],
    validationLogFile,
  ),
  materialize: ({ deps }) =>
    sql`select event_id, session_id, customer_id, event_type, page, product_id, timestamp
        from ${deps.day}
        order by source_line`,
});
