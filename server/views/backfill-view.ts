import {
  type BackfillPartitionRecord,
  type BackfillRecord,
  HOSTNAME,
  type InstanceStore,
  processIsAlive,
} from '../../framework/index.js';

/** A backfill with its progress, as the Backfills page lists it. */
export interface BackfillSummary extends BackfillRecord {
  total: number;
  done: number;
  failed: number;
  pending: number;
  /** Whether the process recorded as running it is alive (a dead one leaves it resumable). */
  ownerAlive: boolean;
}

function ownerAlive(backfill: BackfillRecord, now: Date, deadAfterMs: number): boolean {
  if (backfill.status !== 'running' || backfill.pid === null || backfill.hostname === null) return false;
  if (backfill.hostname === HOSTNAME && !processIsAlive(backfill.pid)) return false;
  return !(backfill.heartbeatAt && now.getTime() - Date.parse(backfill.heartbeatAt) > deadAfterMs);
}

/**
 * A backfill's progress from its partitions' states.
 *
 * @example
 * summarizeBackfill(backfill, await store.listBackfillPartitions(backfill.id), now, 60_000)
 */
export function summarizeBackfill(
  backfill: BackfillRecord,
  partitions: BackfillPartitionRecord[],
  now: Date,
  deadAfterMs: number,
): BackfillSummary {
  let done = 0;
  let failed = 0;
  for (const p of partitions) {
    if (p.status === 'success') done++;
    else if (p.status === 'failed') failed++;
  }
  return {
    ...backfill,
    total: partitions.length,
    done,
    failed,
    pending: partitions.length - done - failed,
    ownerAlive: ownerAlive(backfill, now, deadAfterMs),
  };
}

/** The newest backfills with their progress. */
export async function listBackfillSummaries(
  store: InstanceStore,
  now: Date,
  deadAfterMs: number,
  limit: number,
): Promise<BackfillSummary[]> {
  const backfills = await store.listBackfills({ limit });
  return await Promise.all(
    backfills.map(async (b) =>
      summarizeBackfill(b, await store.listBackfillPartitions(b.id), now, deadAfterMs),
    ),
  );
}
