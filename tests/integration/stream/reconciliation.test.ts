import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ClickEventSource, ReplayedDay } from '../../../assets/streaming/clickstream-sources.js';
import type { ShopflowRuntime } from '../../../framework/index.js';
import { type ShopflowTestHome, shopflowTestHome } from '../../support/shopflow-test-home.js';
import { startTestKinesis, type TestKinesis } from '../../support/test-kinesis.js';
import { closeAll, consumeUntilIdle, lakeRows, produce, testStreamSettings } from './stream-fixture.js';

let kinesis: TestKinesis;
let home: ShopflowTestHome;
let runtime: ShopflowRuntime;
const DAYS = ['2024-01-15', '2024-01-16', '2024-01-17'];

/** A replayed day that loses every tenth event on the way (a broken client). */
function lossy(date: string): ClickEventSource {
  const day = new ReplayedDay({ seed: 7, scale: 0.2 }, date);
  let n = 0;
  return {
    get exhausted() {
      return day.exhausted;
    },
    next: (until, max) => day.next(until, max).filter(() => ++n % 10 !== 0),
  };
}

beforeAll(async () => {
  kinesis = await startTestKinesis();
  home = shopflowTestHome({ scale: 0.2, seed: 7 });
  runtime = await home.open();
  const result = await runtime.execute(
    await runtime.plan({ selection: '+raw_clickstream', partitions: { keys: DAYS } }),
  );
  expect(result.status).toBe('success');
});
afterAll(async () => {
  await runtime.close();
  home.cleanup();
  await kinesis.stop();
});

describe('the daily batch and the stream agree on a closed day', () => {
  test('stream accepted plus late events equal the batch events per type; a day the stream lost events fails the check (a warning)', async () => {
    const transport = await kinesis.transport('clicks', 2);
    const sent = await produce(transport, { source: new ReplayedDay({ seed: 7, scale: 0.2 }, DAYS[0]) });
    await produce(transport, { source: lossy(DAYS[1]), seed: 12 });
    await closeAll(transport);
    expect(sent.late).toBeGreaterThan(0);
    await consumeUntilIdle(runtime, transport, testStreamSettings('clicks'));

    const result = await runtime.execute(
      await runtime.plan({ selection: 'click_stream_reconciliation', partitions: { keys: DAYS } }),
    );
    const checks = await runtime.store.latestCheckEvaluations({ assetKey: 'click_stream_reconciliation' });
    const byDay = Object.fromEntries(checks.map((c) => [c.partitionKey, c.passed]));
    expect(byDay).toEqual({ [DAYS[0]]: true, [DAYS[1]]: false, [DAYS[2]]: true });
    expect(checks.every((c) => c.severity === 'warn')).toBe(true);
    expect(result.status).toBe('success');

    const rows = await lakeRows(runtime, 'click_stream_reconciliation');
    const closed = rows.filter((r) => r.partitionKey === DAYS[0]).map((r) => r.row);
    expect(closed).toHaveLength(5);
    for (const r of closed) {
      expect(r.stream_closed).toBe(true);
      expect(Number(r.stream_events) + Number(r.late_events)).toBe(Number(r.batch_events));
    }
    expect(closed.reduce((sum, r) => sum + Number(r.batch_events), 0)).toBe(sent.events);
    expect(closed.reduce((sum, r) => sum + Number(r.late_events), 0)).toBeGreaterThan(0);
    const lossyDay = rows.filter((r) => r.partitionKey === DAYS[1]).map((r) => r.row);
    const missing = lossyDay.reduce(
      (sum, r) => sum + Number(r.batch_events) - Number(r.stream_events) - Number(r.late_events),
      0,
    );
    expect(missing).toBe(Math.floor(new ReplayedDay({ seed: 7, scale: 0.2 }, DAYS[1]).size / 10));
    // A day the stream never saw is reported, not compared.
    const unseen = rows.filter((r) => r.partitionKey === DAYS[2]).map((r) => r.row);
    expect(unseen.every((r) => r.stream_closed === false && r.stream_events === null)).toBe(true);
  });

  test('features read the stream-built sessions without counting a session the batch has twice', async () => {
    const duckdb = await runtime.engine.session();
    try {
      const { sessionsWithStream } = await import('../../../assets/streaming/sessions-with-stream.js');
      const batch = {
        toSql: () => `(select * from (values
          (1, 'a', DATE '2024-01-15', 3, 1, 1, 0, TIMESTAMPTZ '2024-01-15 10:00:00+00', TIMESTAMPTZ '2024-01-15 10:05:00+00'))
          t(customer_id, session_id, event_date, events, product_views, add_to_carts, purchases, first_event_ts, last_event_ts))`,
      };
      const stream = {
        toSql: () => `(select * from (values
          ('a', TIMESTAMPTZ '2024-01-15 10:00:00+00', TIMESTAMPTZ '2024-01-15 10:05:00+00', 1, 3, 1, 1, 0),
          ('b', TIMESTAMPTZ '2024-01-16 09:00:00+00', TIMESTAMPTZ '2024-01-16 09:20:00+00', 2, 6, 3, 2, 1),
          ('c', TIMESTAMPTZ '2024-01-16 11:00:00+00', TIMESTAMPTZ '2024-01-16 11:01:00+00', NULL, 2, 1, 0, 0))
          t(session_id, session_start, session_end, customer_id, events, product_views, cart_adds, purchases))`,
      };
      const rows = await duckdb.query(
        `select customer_id, session_id, event_date::VARCHAR as day, events, add_to_carts, purchases from ${sessionsWithStream(batch, stream).toSql()} s order by session_id`,
      );
      expect(rows).toEqual([
        { customer_id: 1, session_id: 'a', day: '2024-01-15', events: 3, add_to_carts: 1, purchases: 0 },
        { customer_id: 2, session_id: 'b', day: '2024-01-16', events: 6, add_to_carts: 2, purchases: 1 },
      ]);
    } finally {
      duckdb.close();
    }
  });
});
