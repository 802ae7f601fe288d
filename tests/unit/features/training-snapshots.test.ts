import { describe, expect, test } from 'vitest';
import {
  snapshotDates,
  TRAINING_SNAPSHOTS,
  trainingDataset,
  trainingReads,
} from '../../../assets/features/training-dataset.js';
import { MAX_LATENESS_DAYS } from '../../../assets/gold/sales-by-sale-date.js';

const DAY = 86_400_000;
const plus = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

describe('training snapshots', () => {
  test('on the 2024 quarter they are the five Mondays up to 2024-02-26, whose label window ends 2024-03-27', () => {
    const dates = snapshotDates('2024-03-30', '2024-01-01');
    expect(dates).toEqual(['2024-01-29', '2024-02-05', '2024-02-12', '2024-02-19', '2024-02-26']);
    expect(plus(dates.at(-1)!, TRAINING_SNAPSHOTS.labelDays)).toBe('2024-03-27');
    expect(trainingDataset.description).toContain(`${TRAINING_SNAPSHOTS.count} snapshots`);
  });

  test('every label window is fully observed, late deliveries included, and the last snapshot is the latest such Monday', () => {
    for (let offset = 0; offset < 60; offset++) {
      const lastDelivered = plus('2026-10-01', offset);
      const dates = snapshotDates(lastDelivered, '2026-01-01');
      expect(dates).toHaveLength(TRAINING_SNAPSHOTS.count);
      for (const snapshot of dates) {
        expect(new Date(`${snapshot}T00:00:00Z`).getUTCDay(), snapshot).toBe(1);
        const windowEnd = plus(snapshot, TRAINING_SNAPSHOTS.labelDays); // exclusive
        expect(
          plus(windowEnd, MAX_LATENESS_DAYS - 1) <= lastDelivered,
          `${snapshot} → ${lastDelivered}`,
        ).toBe(true);
      }
      // A week later the label window would not be complete yet.
      const next = plus(dates.at(-1)!, TRAINING_SNAPSHOTS.everyDays);
      expect(plus(plus(next, TRAINING_SNAPSHOTS.labelDays), MAX_LATENESS_DAYS - 1) > lastDelivered).toBe(
        true,
      );
    }
  });

  test('a short history has only the snapshots after its first day, and none at all when too short', () => {
    expect(snapshotDates('2026-03-20', '2026-01-25')).toEqual([
      '2026-01-26',
      '2026-02-02',
      '2026-02-09',
      '2026-02-16',
    ]);
    expect(snapshotDates('2026-02-20', '2026-01-19')).toEqual([]);
  });

  test('what it reads ends with the last label window (deliveries) and the last snapshot (sessions, products)', () => {
    const days = Array.from({ length: 90 }, (_, i) => plus('2024-01-01', i)); // … 2024-03-30
    expect(trainingReads(days)).toEqual({
      transactions: '2024-03-30T00:00:00.000Z',
      sessions: '2024-02-26T00:00:00.000Z',
      products: '2024-02-26T00:00:00.000Z',
    });
    // Deliveries of the last label window, late ones included, start before the bound.
    const [last] = snapshotDates('2024-03-30', '2024-01-01').slice(-1);
    const latestLabelDelivery = plus(plus(last, TRAINING_SNAPSHOTS.labelDays - 1), MAX_LATENESS_DAYS);
    expect(`${latestLabelDelivery}T00:00:00.000Z` < trainingReads(days).transactions!).toBe(true);
    expect(trainingReads([])).toEqual({});
    expect(trainingReads(days.slice(0, 30))).toEqual({});
  });

  test('a new delivery day changes what it reads only when it moves the snapshots (once a week)', () => {
    let moved = 0;
    for (let n = 60; n < 130; n++) {
      const days = Array.from({ length: n }, (_, i) => plus('2024-01-01', i));
      const before = trainingReads(days.slice(0, -1));
      const after = trainingReads(days);
      const same = JSON.stringify(before) === JSON.stringify(after);
      expect(same).toBe(
        JSON.stringify(snapshotDates(days.at(-2)!, days[0])) ===
          JSON.stringify(snapshotDates(days.at(-1)!, days[0])),
      );
      // The new day itself is never read until the snapshots move.
      if (same) expect(`${days.at(-1)}T00:00:00.000Z` >= after.transactions!).toBe(true);
      else moved++;
    }
    expect(moved).toBe(10);
  });
});
