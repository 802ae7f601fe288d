import { describe, expect, test } from 'vitest';
import { ClickLineEncoder, jsonStringBytes } from '../../../assets/raw/simulator/click-line-encoder.js';
import { type ClickSession, PendingClicks } from '../../../assets/raw/simulator/pending-clicks.js';
import { type ClickEventType, formatClickEvent } from '../../../assets/raw/simulator/raw-file-formats.js';
import { formatDayTime } from '../../../assets/raw/simulator/utc-time.js';
import { mulberry32 } from '../../support/seeded-random.js';

/** Collects what an encoder hands over. */
class Collected {
  chunks: Buffer[] = [];
  rows = 0;
  pushBytes(bytes: Uint8Array, rows: number): boolean {
    this.chunks.push(Buffer.from(bytes));
    this.rows += rows;
    return false;
  }
}

describe('ClickLineEncoder', () => {
  test('writes exactly formatClickEvent plus a line end, for null and large ids, every page and time', () => {
    const target = new Collected();
    const encoder = new ClickLineEncoder('2024-02-29', target);
    const expected: string[] = [];
    const types: ClickEventType[] = ['page_view', 'product_view', 'add_to_cart', 'checkout', 'purchase'];
    const pages = ['/', '/search?q=caf\u00e9 "au lait"', null];
    const random = mulberry32(3);
    for (let i = 0; i < 3_000; i++) {
      const eventNumber = i === 7 ? 98_765_432_109_876 : i + 1;
      const session = i === 8 ? 3_000_000_000 : 1 + (i >> 2);
      const customerId = i % 3 === 0 ? null : Math.floor(random() * 1e6);
      const productId = i % 5 === 0 ? 2 ** 45 + i : Math.floor(random() * 5_000);
      const page = pages[i % pages.length];
      const ms = i === 9 ? 86_399_999 : Math.floor(random() * 86_400_000);
      const type = types[i % types.length];
      encoder.event(
        eventNumber,
        session,
        customerId,
        type,
        page === null ? null : jsonStringBytes(page),
        productId,
        ms,
      );
      expected.push(
        formatClickEvent({
          event_id: `e20240229-${String(eventNumber).padStart(7, '0')}`,
          session_id: `s20240229-${String(session).padStart(6, '0')}`,
          customer_id: customerId,
          event_type: type,
          page: page ?? `/product/${productId}`,
          product_id: productId,
          timestamp: formatDayTime('2024-02-29', ms, true),
        }),
      );
    }
    encoder.handOver();
    expect(Buffer.concat(target.chunks).toString('utf8')).toBe(`${expected.join('\n')}\n`);
    expect(target.rows).toBe(3_000);
    expect(target.chunks.length).toBeGreaterThan(1);
  });
});

describe('PendingClicks', () => {
  /** 2,000 sessions of 1–6 events (`longAt`: one of 80). */
  const sessions = (longAt: number) => {
    const random = mulberry32(11);
    return Array.from({ length: 2_000 }, (_, i): ClickSession => {
      const events = i === longAt ? 80 : 1 + Math.floor(random() * 6);
      // NOTE: starts on a 10-second grid, so sessions often share a time and the tie-breaks decide.
      const times: number[] = [Math.floor(random() * 8_000) * 10_000];
      for (let e = 1; e < events; e++) times.push(times[e - 1] + Math.floor(random() * 3) * 1000);
      return { number: i + 1, times };
    });
  };

  /**
   * Adds the sessions in four batches with a release after each, then releases the rest; checks
   * that every release gives exactly the pending events before its bound, in (time, session,
   * position) order — what a plain list sorted by the three gives.
   */
  const expectReleasesInOrder = (all: ClickSession[]) => {
    const pending = new PendingClicks<ClickSession>();
    let model: Array<{ ms: number; number: number; index: number }> = [];
    const key = (e: { ms: number; number: number; index: number }) => `${e.ms}/${e.number}/${e.index}`;
    let total = 0;
    for (let batch = 0; batch <= 4; batch++) {
      for (const session of all.slice(batch * 500, (batch + 1) * 500)) {
        pending.add(session);
        model.push(...session.times.map((ms, index) => ({ ms, number: session.number, index })));
      }
      const bound = batch === 4 ? Number.POSITIVE_INFINITY : (batch + 1) * 15_000_000;
      const got: string[] = [];
      pending.release(bound, (session, index) =>
        got.push(`${session.times[index]}/${session.number}/${index}`),
      );
      const due = model
        .filter((e) => e.ms < bound)
        .sort((a, b) => a.ms - b.ms || a.number - b.number || a.index - b.index);
      model = model.filter((e) => e.ms >= bound);
      expect(got, `release ${batch}`).toEqual(due.map(key));
      total += got.length;
    }
    expect(total).toBe(all.reduce((n, s) => n + s.times.length, 0));
  };

  test('releases the events due by each bound, by time, then session, then position', () => {
    expectReleasesInOrder(sessions(-1));
  });

  test('after a session of more than 64 events (the comparison sort), in the same order', () => {
    expectReleasesInOrder(sessions(1_200));
  });
});
