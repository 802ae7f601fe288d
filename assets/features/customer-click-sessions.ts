import { z } from 'zod';
import { notNull, storedTypes, unique } from '../../checks/index.js';
import { defineAsset, rowCheck, sql } from '../../framework/index.js';
import { rawClickstream } from '../raw/raw-clickstream.js';
import { shopflowDays } from '../shopflow-calendar.js';

/**
 * The signed-in clickstream of one day folded to one row per customer, session and UTC day of the
 * events: what the engagement features need, about a tenth of the events. Events are deduplicated
 * by `event_id` within the day (the extract's ids are unique per day). Features as of a UTC
 * midnight read the days before it, so a new day adds one partition instead of re-reading every
 * event of the quarter.
 */
export const customerClickSessions = defineAsset({
  key: 'customer_click_sessions',
  group: 'features',
  description:
    'Signed-in clickstream by customer, session and UTC day: events, product views, add-to-carts, purchases, first and last event; one delivery day per partition.',
  deps: { clickstream: rawClickstream },
  partitions: shopflowDays,
  schema: z.object({
    customer_id: z.int().describe('Signed-in customer'),
    session_id: z.string().describe('Browser session'),
    event_date: z.iso.date().describe('UTC day of the events'),
    events: z.int().describe('Events of the session on that day'),
    product_views: z.int().describe('product_view events'),
    add_to_carts: z.int().describe('add_to_cart events'),
    purchases: z.int().describe('purchase events'),
    first_event_ts: z.iso.datetime().describe('Earliest event of the session on that day (UTC)'),
    last_event_ts: z.iso.datetime().describe('Latest event of the session on that day (UTC)'),
  }),
  tags: ['features'],
  owners: ['data-science'],
  checks: [
    storedTypes(),
    notNull(['customer_id', 'session_id', 'event_date', 'last_event_ts']),
    unique(['customer_id', 'session_id', 'event_date']),
    rowCheck({
      name: 'counts_consistent',
      description: 'typed event counts never exceed the events, and the first event is not after the last',
      validWhen:
        'product_views + add_to_carts + purchases <= events and first_event_ts <= last_event_ts and first_event_ts::DATE = event_date',
    }),
  ],
  materialize: ({ deps }) =>
    sql`with events as (
          select event_id, session_id, customer_id, event_type, try_cast(timestamp as TIMESTAMPTZ) as event_ts
          from ${deps.clickstream}
          where customer_id is not null
          qualify row_number() over (partition by event_id order by timestamp, session_id) = 1)
        select customer_id::BIGINT as customer_id, session_id, event_ts::DATE as event_date,
          count(*)::INTEGER as events,
          count(*) filter (where event_type = 'product_view')::INTEGER as product_views,
          count(*) filter (where event_type = 'add_to_cart')::INTEGER as add_to_carts,
          count(*) filter (where event_type = 'purchase')::INTEGER as purchases,
          min(event_ts) as first_event_ts,
          max(event_ts) as last_event_ts
        from events
        where event_ts is not null
        group by all
        order by customer_id, session_id, event_date`,
});
