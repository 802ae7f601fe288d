import {
  type BackfillRecord,
  cancelRun,
  HOSTNAME,
  processIsAlive,
  ShopflowError,
  type ShopflowRuntime,
} from '../framework/index.js';
import { findBackfill } from './backfill.js';

const CANCELABLE = new Set(['running', 'interrupted', 'failed']);

function ownerIsAlive(backfill: BackfillRecord, now: Date, deadAfterMs: number): boolean {
  if (backfill.status !== 'running' || backfill.pid === null || backfill.hostname === null) return false;
  if (backfill.hostname === HOSTNAME && !processIsAlive(backfill.pid)) return false;
  return !(backfill.heartbeatAt && now.getTime() - Date.parse(backfill.heartbeatAt) > deadAfterMs);
}

/**
 * Cancels a backfill (id or unique prefix) from any process: it is marked `canceled` in the
 * instance store, so the process running it starts no further batch, and the run of the batch in
 * flight is canceled too (no new step starts; partitions it did not reach stay `pending`). An
 * interrupted or failed backfill is canceled so that running the same command again starts a new
 * one instead of resuming it. A successful or already canceled backfill cannot be canceled
 * (`SF_BACKFILL_NOT_CANCELABLE`). Resume a canceled backfill with `--resume ID`.
 *
 * @example
 * const backfill = await cancelBackfill(runtime, '1a2b3c4d', 'the CLI');
 */
export async function cancelBackfill(
  runtime: ShopflowRuntime,
  id: string,
  by: string,
): Promise<{ backfill: BackfillRecord; runsCanceled: string[] }> {
  const { store } = runtime;
  const backfill = await findBackfill(runtime, id);
  if (!CANCELABLE.has(backfill.status)) {
    throw new ShopflowError(
      'SF_BACKFILL_NOT_CANCELABLE',
      `backfill ${backfill.id} has ${backfill.status === 'canceled' ? 'been canceled already' : `finished: ${backfill.status}`}`,
      { hint: 'only running, interrupted or failed backfills can be canceled' },
    );
  }
  const now = runtime.services.now();
  const live = ownerIsAlive(backfill, now, runtime.services.deadAfterMs);
  await store.updateBackfill(backfill.id, {
    status: 'canceled',
    message: `canceled by ${by}`,
    // NOTE: a live owner finishes the batch in flight and then records the end itself.
    ...(live ? {} : { finishedAt: now.toISOString() }),
  });
  const runsCanceled: string[] = [];
  for (const run of await store.listRuns({ status: ['running'], limit: 1000 })) {
    if (run.tags.backfill !== backfill.id) continue;
    try {
      await cancelRun(runtime, run, `${by} (backfill ${backfill.id.slice(0, 8)})`);
      runsCanceled.push(run.id);
    } catch (error) {
      // NOTE: the run finished between listing and canceling: nothing left to stop.
      if (!(error instanceof ShopflowError && error.code === 'SF_RUN_NOT_CANCELABLE')) throw error;
    }
  }
  return { backfill: (await store.getBackfill(backfill.id))!, runsCanceled };
}
