import { describe, expect, it } from 'vitest';
import {
  formatCustomerRow,
  formatProductRow,
  ORPHAN_ID_BASE,
  ShopflowSimulator,
  type SimulatedDay,
  simulateDay,
} from '../../../assets/raw/simulator/index.js';
import { isSnapshotDay, PERIOD_DAYS } from '../../../assets/raw/simulator/shopflow-calendar.js';

const BASE = { seed: 5, scale: 0.05, defectRate: 0.02 };
const EPOCH = Date.parse('2024-01-01T00:00:00Z');
const dateOf = (day: number) => new Date(EPOCH + day * 86_400_000).toISOString().slice(0, 10);

describe('the simulation is open-ended and a day depends only on the seed and the day', () => {
  it('gives the same rows for a day whatever the range and whichever days were generated before', () => {
    const day = dateOf(400);
    const alone = simulateDay({ ...BASE, days: null }, day);
    const longRange = new ShopflowSimulator({ ...BASE, days: 1_000 });
    for (const earlier of [3, 150, 399]) longRange.day(dateOf(earlier));
    expect(longRange.day(day)).toEqual(alone);
    expect(simulateDay({ ...BASE, days: 401 }, day)).toEqual(alone);
    // The quarter's days are the same in an open-ended simulation.
    expect(simulateDay({ ...BASE, days: null }, '2024-02-10')).toEqual(simulateDay(BASE, '2024-02-10'));
  });

  it('a snapshot day gives the same rows after earlier snapshot days as generated alone', () => {
    // NOTE: customers' names and emails are kept from one snapshot day for the next.
    const first = 4 * PERIOD_DAYS;
    const second = first + 30;
    expect(isSnapshotDay(first) && isSnapshotDay(second)).toBe(true);
    const open = new ShopflowSimulator({ ...BASE, days: null });
    const earlier = open.day(dateOf(first));
    const later = open.day(dateOf(second));
    expect(later).toEqual(simulateDay({ ...BASE, days: null }, dateOf(second)));
    const named = new Set(earlier.customers.map((c) => c.customer_id));
    expect(later.customers.filter((c) => named.has(c.customer_id)).length).toBeGreaterThan(40);
    expect(later.customers.some((c) => c.name.includes(',') || c.name.includes('"'))).toBe(true);
  });

  it('keeps selling and registering after the first quarter', () => {
    const open = new ShopflowSimulator({ ...BASE, days: null });
    const later = Array.from({ length: 30 }, (_, i) => open.day(dateOf(3 * PERIOD_DAYS + i)));
    expect(later.reduce((n, d) => n + d.transactions.length, 0)).toBeGreaterThan(0);
    expect(later.reduce((n, d) => n + d.clickstream.length, 0)).toBeGreaterThan(0);
    const ids = later.flatMap((d) => d.transactions.map((t) => t.transaction_id)).filter((id) => id < 1e6);
    // Transaction ids keep counting from the quarters before.
    expect(Math.min(...ids)).toBeGreaterThan(3 * 250);
  });

  it('a run of days starting on a snapshot day names only customers and products delivered in it', () => {
    const open = new ShopflowSimulator({ ...BASE, days: null });
    for (const first of [PERIOD_DAYS, 8 * 30]) {
      expect(isSnapshotDay(first)).toBe(true);
      const days = Array.from({ length: 12 }, (_, i) => open.day(dateOf(first + i)));
      const customers = new Set<number>();
      const products = new Set<number>();
      const unknown: string[] = [];
      for (const day of days) {
        for (const c of day.customers) customers.add(c.customer_id);
        for (const p of day.products) products.add(p.product_id);
        for (const t of day.transactions) {
          if (t.customer_id < ORPHAN_ID_BASE && !customers.has(t.customer_id))
            unknown.push(`c${t.customer_id}`);
          if (t.product_id < ORPHAN_ID_BASE && !products.has(t.product_id)) unknown.push(`p${t.product_id}`);
        }
        for (const e of day.clickstream) {
          if (e.customer_id !== null && !customers.has(e.customer_id)) unknown.push(`c${e.customer_id}`);
          if (e.product_id !== null && !products.has(e.product_id)) unknown.push(`p${e.product_id}`);
        }
      }
      expect(unknown).toEqual([]);
      expect(days[0].transactions.length + days[1].transactions.length).toBeGreaterThan(0);
    }
  });

  it('a snapshot repeats, byte for byte, the version of every entity current at its midnight', () => {
    const open = new ShopflowSimulator({ ...BASE, days: null });
    // NOTE: a `duplicate_id` defect adds a second row with the same key and version right after the
    // first; an entity's version is the first row of its (key, updated_at).
    const current = new Map<string, { updatedAt: string; line: string }>();
    const firstRows = (day: SimulatedDay) => {
      const rows = new Map<string, { updatedAt: string; line: string }>();
      const add = (key: string, updatedAt: string, line: string) => {
        if (rows.get(key)?.updatedAt !== updatedAt && !rows.has(`${key}@${updatedAt}`)) {
          rows.set(key, { updatedAt, line });
          rows.set(`${key}@${updatedAt}`, { updatedAt, line });
        }
      };
      for (const row of day.customers) add(`c${row.customer_id}`, row.updated_at, formatCustomerRow(row));
      for (const row of day.products) add(`p${row.product_id}`, row.updated_at, formatProductRow(row));
      return rows;
    };
    let snapshots = 0;
    for (let day = 0; day <= 4 * 30; day++) {
      const simulated = open.day(dateOf(day));
      const rows = firstRows(simulated);
      if (day > 0 && isSnapshotDay(day)) {
        snapshots++;
        const before = [...current].filter(([key]) => !key.includes('@'));
        expect(before.length).toBeGreaterThan(0);
        for (const [key, version] of before) {
          expect(rows.get(`${key}@${version.updatedAt}`)?.line, key).toBe(version.line);
        }
      }
      for (const [key, version] of rows) {
        const known = current.get(key);
        if (!key.includes('@') && (!known || known.updatedAt < version.updatedAt)) current.set(key, version);
      }
    }
    expect(snapshots).toBe(2);
  });

  it('refuses whole-range questions on an open-ended simulation, and days before the start', () => {
    const open = new ShopflowSimulator({ ...BASE, days: null });
    expect(() => open.dates).toThrowError(expect.objectContaining({ code: 'SF_BAD_USAGE' }));
    expect(() => open.entityCounts).toThrowError(expect.objectContaining({ code: 'SF_BAD_USAGE' }));
    expect(() => open.day('2023-12-31')).toThrowError(
      expect.objectContaining({ code: 'SF_BAD_USAGE', message: expect.stringContaining('2023-12-31') }),
    );
  });
});
