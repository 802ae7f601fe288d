import { describe, expect, test } from 'vitest';
import {
  snapshotDates,
  TRAINING_SNAPSHOTS,
  trainingDataset,
} from '../../../assets/features/training-dataset.js';
import { MAX_LATENESS_DAYS } from '../../../assets/gold/sales-by-sale-date.js';
import { shopflowDays } from '../../../assets/shopflow-calendar.js';

const DAY = 86_400_000;
const plus = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

describe('training snapshots', () => {
  test('the last snapshot is the declared last one, and the description names it', () => {
    const dates = snapshotDates();
    expect(dates).toEqual(['2024-01-29', '2024-02-05', '2024-02-12', '2024-02-19', '2024-02-26']);
    expect(dates.at(-1)).toBe(TRAINING_SNAPSHOTS.last);
    expect(trainingDataset.description).toContain(
      `from ${TRAINING_SNAPSHOTS.first} to ${TRAINING_SNAPSHOTS.last}`,
    );
  });

  test('every label window is fully observed: it ends, late deliveries included, by the last delivered day', () => {
    const lastDelivered = shopflowDays.keys().at(-1)!;
    for (const snapshot of snapshotDates()) {
      const windowEnd = plus(snapshot, TRAINING_SNAPSHOTS.labelDays); // exclusive
      expect(plus(windowEnd, MAX_LATENESS_DAYS - 1) <= lastDelivered, `${snapshot} → ${windowEnd}`).toBe(
        true,
      );
    }
    expect(plus(TRAINING_SNAPSHOTS.last, TRAINING_SNAPSHOTS.labelDays)).toBe('2024-03-27');
  });
});
