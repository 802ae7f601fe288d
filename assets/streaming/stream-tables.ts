import { z } from 'zod';
import { notNull, unique } from '../../checks/index.js';
import { rowCheck } from '../../framework/index.js';
import { CLICK_EVENT_TYPES } from '../raw/raw-clickstream.js';
import { streamSinkAsset } from './stream-sink-asset.js';

const eventType = z.string().describe(`One of ${CLICK_EVENT_TYPES.join(', ')}`);

/** Closed 1-minute tumbling windows: events per event type and product. */
export const clickWindowsMinute = streamSinkAsset({
  key: 'click_windows_minute',
  description:
    'Clickstream events per 1-minute tumbling window of event time, event type and product, written by the stream consumer when the window closes (watermark past its end plus the allowed lateness); one UTC day per partition.',
  schema: z.object({
    window_start: z.iso.datetime().describe('Start of the minute (event time, UTC)'),
    event_type: eventType,
    product_id: z.int().nullable().describe('Product of the events, null for page views and checkouts'),
    events: z.int().describe('Distinct events (duplicates counted once, late events excluded)'),
    value: z.number().describe('Sum of the events’ prices'),
  }),
  keys: ['window_start', 'event_type', 'product_id'],
  checks: [
    unique(['window_start', 'event_type', 'product_id'], { name: 'one_row_per_window_key' }),
    rowCheck({ name: 'events_positive', validWhen: 'events > 0 and value >= 0' }),
  ],
});

/** Closed 5-minute windows starting every minute: distinct users. */
export const clickActiveUsers = streamSinkAsset({
  key: 'click_active_users',
  description:
    'Distinct users (signed-in customers and anonymous devices) per 5-minute event-time window, one window starting every minute (hopping), written when the window closes; one UTC day (of the window start) per partition.',
  schema: z.object({
    window_start: z.iso.datetime().describe('Window start (event time, UTC)'),
    window_end: z.iso.datetime().describe('Window end, 5 minutes later'),
    active_users: z.int().describe('Distinct users with an event in the window'),
    signed_in_users: z.int().describe('Of those, signed-in customers'),
  }),
  keys: ['window_start'],
  checks: [
    unique(['window_start'], { name: 'one_row_per_window' }),
    rowCheck({
      name: 'users_consistent',
      validWhen: "signed_in_users <= active_users and window_end = window_start + interval '5 minutes'",
    }),
  ],
});

/** Sessions closed after the inactivity gap. */
export const clickSessionsStream = streamSinkAsset({
  key: 'click_sessions_stream',
  description:
    'Sessions built from the live clickstream: events of a session id without a gap as long as the session gap (30 minutes by default), written once the watermark passed the last event plus the gap; one UTC day of the session start per partition.',
  schema: z.object({
    session_id: z.string().describe('Session id of the events'),
    session_start: z.iso.datetime().describe('First event (event time, UTC)'),
    session_end: z.iso.datetime().describe('Last event (event time, UTC)'),
    duration_seconds: z.int().describe('session_end − session_start, seconds'),
    customer_id: z.int().nullable().describe('Signed-in customer, null for anonymous sessions'),
    anonymous_id: z.string().describe('Device id'),
    events: z.int().describe('Distinct events'),
    pages: z.int().describe('Pages seen (page and product views)'),
    product_views: z.int().describe('product_view events'),
    cart_adds: z.int().describe('add_to_cart events'),
    purchases: z.int().describe('purchase events'),
    converted: z.boolean().describe('Whether the session had a purchase'),
    revenue: z.number().describe('Sum of purchase prices'),
  }),
  keys: ['session_id', 'session_start'],
  checks: [
    notNull(['session_id', 'session_start', 'session_end']),
    unique(['session_id', 'session_start'], { name: 'one_row_per_session' }),
    rowCheck({
      name: 'session_consistent',
      validWhen:
        'session_end >= session_start and pages + cart_adds + purchases <= events and converted = (purchases > 0)',
    }),
  ],
});

/** Events that arrived after their window closed. */
export const clickLateEvents = streamSinkAsset({
  key: 'click_late_events',
  description:
    'Clickstream events that arrived after their 1-minute window had closed: kept here (never dropped) with the frontier they missed; one UTC day of the event time per partition.',
  schema: z.object({
    shard_id: z.string().describe('Shard the record was read from'),
    sequence_number: z.string().describe('Its sequence number in the shard'),
    event_id: z.string().describe('Event id'),
    event_type: eventType,
    session_id: z.string().describe('Session id'),
    customer_id: z.int().nullable().describe('Signed-in customer, if any'),
    product_id: z.int().nullable().describe('Product, if any'),
    event_ts: z.iso.datetime().describe('Event time (device clock)'),
    arrived_at: z.iso.datetime().describe('When the stream received it'),
    frontier: z.iso.datetime().describe('Windows ending at or before this had closed when it was read'),
    lateness_seconds: z.int().describe('frontier − event_ts, seconds'),
  }),
  keys: ['shard_id', 'sequence_number'],
  checks: [unique(['shard_id', 'sequence_number'], { name: 'one_row_per_record' })],
});

/** Records that are not valid events. */
export const clickDeadLetters = streamSinkAsset({
  key: 'click_dead_letters',
  description:
    'Stream records that are not valid clickstream events (not JSON, a missing or mistyped field, an unknown event type, an event time too far in the future), with the shard, sequence number and reason; one UTC day of arrival per partition.',
  schema: z.object({
    shard_id: z.string().describe('Shard the record was read from'),
    sequence_number: z.string().describe('Its sequence number in the shard'),
    arrived_at: z.iso.datetime().describe('When the stream received it'),
    reason: z.string().describe('Why it is not an event'),
    payload: z.string().describe('The record’s first 500 characters'),
  }),
  keys: ['shard_id', 'sequence_number'],
  checks: [unique(['shard_id', 'sequence_number'], { name: 'one_row_per_record' })],
});

/** Accepted events per type of a day whose windows have all closed. */
export const clickStreamDays = streamSinkAsset({
  key: 'click_stream_days',
  description:
    'Accepted clickstream events per event type of a UTC day, written once every window of the day has closed (its late events are in click_late_events); what the daily batch is reconciled against.',
  schema: z.object({
    event_type: eventType,
    events: z.int().describe('Accepted events of the day (duplicates once, late ones excluded)'),
    closed_at_frontier: z.iso.datetime().describe('The close frontier when the day was complete'),
  }),
  keys: ['event_type'],
  checks: [unique(['event_type'], { name: 'one_row_per_type' })],
});

/** The tables the consumer writes, in the order it commits them. */
export const streamTables = [
  clickWindowsMinute,
  clickActiveUsers,
  clickSessionsStream,
  clickLateEvents,
  clickDeadLetters,
  clickStreamDays,
];
