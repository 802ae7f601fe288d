import { describe, expect, test } from 'vitest';
import {
  decodeClickEvent,
  encodeClickEvent,
  encodeHeartbeat,
} from '../../../assets/streaming/click-event.js';
import {
  durationOption,
  rateOption,
  shareOption,
} from '../../../assets/streaming/commands/stream-options.js';

const limits = { futureToleranceMs: 300_000, earliestEventTime: Date.parse('2024-01-01T00:00:00Z') };
const arrived = Date.parse('2024-01-15T12:00:00Z');
const bytes = (value: unknown) =>
  new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const event = {
  event_id: 'e1',
  event_type: 'add_to_cart',
  session_id: 's1',
  anonymous_id: 'd1',
  customer_id: 7,
  product_id: 3,
  price: 12.5,
  page: '/product/3',
  device_ts: '2024-01-15T11:59:58.000Z',
  sent_ts: '2024-01-15T11:59:59.000Z',
};

describe('clickstream records', () => {
  test('a valid event decodes with its event time; what a client sends round-trips', () => {
    const decoded = decodeClickEvent(bytes(event), arrived, limits);
    expect(decoded).toMatchObject({
      eventId: 'e1',
      eventType: 'add_to_cart',
      customerId: 7,
      productId: 3,
      price: 12.5,
    });
    expect(typeof decoded === 'object' && decoded.eventTime).toBe(Date.parse(event.device_ts));
    const again = decodeClickEvent(
      new TextEncoder().encode(encodeClickEvent(decoded as never)),
      arrived,
      limits,
    );
    expect(again).toMatchObject({ eventId: 'e1', eventTime: Date.parse(event.device_ts) });
  });

  test.each([
    [new Uint8Array([0xff, 0xfe, 0x7b]), 'not UTF-8 JSON'],
    ['{"event_id":', 'not UTF-8 JSON'],
    ['[1,2]', 'not a JSON object'],
    [{ ...event, event_id: undefined }, 'missing field `event_id`'],
    [{ ...event, event_type: 'teleport' }, 'unknown event_type `teleport`'],
    [{ ...event, product_id: null }, 'add_to_cart without product_id'],
    [{ ...event, customer_id: 'guest' }, 'field `customer_id` is not a non-negative integer'],
    [{ ...event, price: -1 }, 'field `price` is not a non-negative number'],
    [{ ...event, device_ts: 'yesterday' }, 'field `device_ts` is not an ISO-8601 instant'],
    [{ ...event, device_ts: '2024-02-30T10:00:00.000Z' }, 'field `device_ts` is not an ISO-8601 instant'],
    [{ ...event, device_ts: '2023-02-29T10:00:00.000Z' }, 'field `device_ts` is not an ISO-8601 instant'],
    [{ ...event, sent_ts: 42 }, 'field `sent_ts` is not a string of 1 to 200 characters'],
    [
      { ...event, device_ts: '2024-01-15T12:10:00.000Z' },
      'device_ts 2024-01-15T12:10:00.000Z is more than 300 s after the record arrived',
    ],
    [
      { ...event, device_ts: '2023-12-31T23:00:00.000Z' },
      'device_ts 2023-12-31T23:00:00.000Z is before 2024-01-01',
    ],
  ])('%j is a dead letter: %s', (input, reason) => {
    expect(decodeClickEvent(input instanceof Uint8Array ? input : bytes(input), arrived, limits)).toBe(
      reason,
    );
  });

  test('a field events do not have is refused naming it, as the batch path refuses the line', () => {
    expect(decodeClickEvent(bytes({ ...event, foo: 'bar' }), arrived, limits)).toBe('unknown field `foo`');
    expect(decodeClickEvent(bytes({ ...event, sesion_id: 's2' }), arrived, limits)).toBe(
      'unknown field `sesion_id`, did you mean `session_id`?',
    );
    const proto = `${JSON.stringify(event).slice(0, -1)},"__proto__":{"x":1}}`;
    expect(decodeClickEvent(bytes(proto), arrived, limits)).toBe('unknown field `__proto__`');
  });

  test('a leap day is a day', () => {
    expect(
      decodeClickEvent(
        bytes({ ...event, device_ts: '2024-02-29T10:00:00.000Z' }),
        Date.parse('2024-02-29T10:00:01Z'),
        limits,
      ),
    ).toMatchObject({ eventId: 'e1' });
  });

  test('a heartbeat decodes to its event time; one from the future is a dead letter', () => {
    expect(decodeClickEvent(bytes(encodeHeartbeat('k', arrived - 5)), arrived, limits)).toBe(arrived - 5);
    expect(decodeClickEvent(bytes(encodeHeartbeat('k', arrived + 3_600_000)), arrived, limits)).toBe(
      'heartbeat from the future',
    );
  });

  test('CLI values are parsed or refused with the value named', () => {
    expect(durationOption('--duration', '90')).toBe(90_000);
    expect(durationOption('--duration', '5m')).toBe(300_000);
    expect(durationOption('--duration', '250ms')).toBe(250);
    expect(() => durationOption('--duration', 'soon')).toThrow('--duration soon is not a duration');
    expect(rateOption('1000/s')).toBe(1000);
    expect(() => rateOption('0')).toThrow('--rate 0 is not a rate');
    expect(shareOption('--late', '0.01')).toBe(0.01);
    expect(() => shareOption('--late', '2')).toThrow('--late 2 is not a share between 0 and 1');
  });
});
