/**
 * The words for partition counts, shared by the asset header and the partition legend so they
 * always say the same thing: a stale partition is materialized *and* stale.
 */
import { formatNumber } from './format.js';

export const PARTITION_STATE_LABEL = {
  fresh: 'Fresh',
  stale: 'Stale',
  overdue: 'Overdue',
  missing: 'Missing',
  failed: 'Failed',
  running: 'Running',
};

/** `Materialized 90 of 90` */
export function materializedText(counts) {
  return `Materialized ${formatNumber(counts.materialized)} of ${formatNumber(counts.total)}`;
}

/** `Fresh 0 · Stale 90 · Missing 0 …`, only the states that occur (all of them when `all`). */
export function breakdownText(counts, all = false) {
  return Object.keys(PARTITION_STATE_LABEL)
    .filter((state) => all || counts[state] > 0)
    .map((state) => `${PARTITION_STATE_LABEL[state]} ${formatNumber(counts[state] ?? 0)}`)
    .join(' · ');
}
