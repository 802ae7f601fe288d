import { closestMatches } from '../../framework/errors/did-you-mean.js';
import { CLICK_EVENT_TYPES } from '../raw/raw-clickstream.js';

export type ClickEventType = (typeof CLICK_EVENT_TYPES)[number];

/**
 * One clickstream event as a mobile or web client sends it to the stream (JSON, keys as below):
 * `event_id` (unique per event; a client that retries sends it again), `event_type`,
 * `session_id` (also the partition key), `anonymous_id` (the device), `customer_id` (signed in, or
 * null), `product_id` and `price` (product events), `page`, `device_ts` (when it happened, the
 * device's clock: the event time) and `sent_ts` (when the client sent it).
 */
export interface ClickEvent {
  eventId: string;
  eventType: ClickEventType;
  sessionId: string;
  anonymousId: string;
  customerId: number | null;
  productId: number | null;
  price: number | null;
  page: string;
  /** Event time, ms since the epoch. */
  eventTime: number;
  /** When the client sent it, ms (decodeClickEvent only checks its form and leaves 0: nothing reads it). */
  sentTime: number;
}

/** The JSON a client sends for `event`. */
export function encodeClickEvent(event: ClickEvent): string {
  return JSON.stringify({
    event_id: event.eventId,
    event_type: event.eventType,
    session_id: event.sessionId,
    anonymous_id: event.anonymousId,
    customer_id: event.customerId,
    product_id: event.productId,
    price: event.price,
    page: event.page,
    device_ts: new Date(event.eventTime).toISOString(),
    sent_ts: new Date(event.sentTime).toISOString(),
  });
}

/** The fields of an event record ({@link encodeClickEvent}); a record with any other is refused. */
const EVENT_FIELDS: readonly string[] = [
  'event_id',
  'event_type',
  'session_id',
  'anonymous_id',
  'customer_id',
  'product_id',
  'price',
  'page',
  'device_ts',
  'sent_ts',
];
const KNOWN_FIELDS = new Set(EVENT_FIELDS);

/**
 * The event type of a heartbeat: a record a producer sends to move the consumer's watermark (its
 * `device_ts` counts as the shard's latest event time) without being an event itself.
 */
export const HEARTBEAT = 'heartbeat';

/** A heartbeat's JSON for event time `at` (see {@link HEARTBEAT}). */
export function encodeHeartbeat(partitionKey: string, at: number): string {
  const ts = new Date(at).toISOString();
  return JSON.stringify({ event_type: HEARTBEAT, session_id: partitionKey, device_ts: ts, sent_ts: ts });
}

/** Product events carry the product they are about. */
const NEEDS_PRODUCT = new Set<string>(['product_view', 'add_to_cart', 'purchase']);
const TYPES = new Set<string>(CLICK_EVENT_TYPES);
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Limits a record must keep to be an event (see {@link decodeClickEvent}). */
export interface ClickEventLimits {
  /** Latest accepted event time after the record's arrival (device clocks run ahead), ms. */
  futureToleranceMs: number;
  /** Earliest accepted event time (the first day the stream's tables have a partition for). */
  earliestEventTime: number;
}

function text(value: unknown, field: string): string {
  if (value === undefined || value === null) throw new Error(`missing field \`${field}\``);
  if (typeof value !== 'string' || value.length === 0 || value.length > 200)
    throw new Error(`field \`${field}\` is not a string of 1 to 200 characters`);
  return value;
}

function optionalInt(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new Error(`field \`${field}\` is not a non-negative integer`);
  return value;
}

/** `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` by its separators (cheaper than a regular expression). */
function isoShaped(raw: string): boolean {
  const n = raw.length;
  return (
    n >= 20 &&
    n <= 35 &&
    raw.charCodeAt(4) === 45 &&
    raw.charCodeAt(7) === 45 &&
    raw.charCodeAt(10) === 84 &&
    raw.charCodeAt(13) === 58 &&
    raw.charCodeAt(16) === 58 &&
    (raw.charCodeAt(n - 1) === 90 || raw.charCodeAt(n - 3) === 58)
  );
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether the text's day exists in its month (Date.parse rolls 2024-02-30 over into March). */
function dayExists(raw: string): boolean {
  const two = (i: number) => (raw.charCodeAt(i) - 48) * 10 + raw.charCodeAt(i + 1) - 48;
  const month = two(5);
  const day = two(8);
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]) return false;
  if (month !== 2 || day !== 29) return true;
  const year = two(0) * 100 + two(2);
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function instant(value: unknown, field: string): number {
  const raw = text(value, field);
  const ms = isoShaped(raw) && dayExists(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(ms)) throw new Error(`field \`${field}\` is not an ISO-8601 instant`);
  return ms;
}

/**
 * What {@link decodeClickEvent} makes of a record: the event; a number, the event time of a
 * heartbeat; or a string, why the record is not an event.
 */
export type DecodedRecord = ClickEvent | number | string;

/**
 * Decodes one stream record into an event (or a heartbeat), or says why it is not one: not UTF-8
 * JSON, a missing, mistyped or unknown field, an unknown event type, a product event without a product, or
 * an event time more than `futureToleranceMs` after the record arrived (or before
 * `earliestEventTime`). The reason is what the dead-letter table records.
 *
 * @example
 * const decoded = decodeClickEvent(bytes, record.arrivedAt, limits);
 * if (typeof decoded === 'string') deadLetter(decoded); // e.g. 'missing field `event_id`'
 */
export function decodeClickEvent(
  data: Uint8Array,
  arrivedAt: number,
  limits: ClickEventLimits,
): DecodedRecord {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(data));
  } catch {
    return 'not UTF-8 JSON';
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return 'not a JSON object';
  const raw = json as Record<string, unknown>;
  try {
    const eventType = text(raw.event_type, 'event_type');
    if (eventType === HEARTBEAT) {
      const at = instant(raw.device_ts, 'device_ts');
      return at > arrivedAt + limits.futureToleranceMs ? 'heartbeat from the future' : at;
    }
    if (!TYPES.has(eventType)) return `unknown event_type \`${eventType.slice(0, 40)}\``;
    // NOTE: as the batch path quarantines a line with a field it does not know: a client that
    // starts sending a new field is seen in the dead letters, not silently half-read.
    for (const name in raw) {
      if (KNOWN_FIELDS.has(name)) continue;
      const near = closestMatches(name, EVENT_FIELDS, 1)[0];
      return `unknown field \`${name.slice(0, 40)}\`${near ? `, did you mean \`${near}\`?` : ''}`;
    }
    const productId = optionalInt(raw.product_id, 'product_id');
    if (productId === null && NEEDS_PRODUCT.has(eventType)) return `${eventType} without product_id`;
    let price: number | null = null;
    if (raw.price !== undefined && raw.price !== null) {
      if (typeof raw.price !== 'number' || !Number.isFinite(raw.price) || raw.price < 0)
        throw new Error('field `price` is not a non-negative number');
      price = raw.price;
    }
    const event: ClickEvent = {
      eventId: text(raw.event_id, 'event_id'),
      eventType: eventType as ClickEventType,
      sessionId: text(raw.session_id, 'session_id'),
      anonymousId: text(raw.anonymous_id, 'anonymous_id'),
      customerId: optionalInt(raw.customer_id, 'customer_id'),
      productId,
      price,
      page: raw.page === undefined || raw.page === null ? '' : text(raw.page, 'page'),
      eventTime: instant(raw.device_ts, 'device_ts'),
      // NOTE: sent_ts is checked, not parsed: nothing downstream reads it.
      sentTime: 0,
    };
    if (!isoShaped(text(raw.sent_ts, 'sent_ts')))
      throw new Error('field `sent_ts` is not an ISO-8601 instant');
    if (event.eventTime > arrivedAt + limits.futureToleranceMs) {
      return `device_ts ${new Date(event.eventTime).toISOString()} is more than ${Math.round(limits.futureToleranceMs / 1000)} s after the record arrived`;
    }
    if (event.eventTime < limits.earliestEventTime) {
      return `device_ts ${new Date(event.eventTime).toISOString()} is before ${new Date(limits.earliestEventTime).toISOString().slice(0, 10)}`;
    }
    return event;
  } catch (error) {
    return (error as Error).message;
  }
}
