import type { AssetGraph } from '../graph/asset-graph.js';
import type { InstanceStore, RunRecord } from '../instance/instance-store.js';

/**
 * When a run whose process is gone really stopped: its last event (or its start when it has
 * none). Its duration ends there, not when someone noticed the process was gone.
 */
export async function lastSignOfLife(store: InstanceStore, run: RunRecord): Promise<string> {
  const [last] = await store.listEvents({ runId: run.id, newestFirst: true, limit: 1 });
  return last?.ts ?? run.startedAt ?? run.createdAt;
}

/**
 * Ends a run whose process is gone, on its behalf: the run gets `status` with `error`, finishing at
 * its last event; partitions it was materializing get a failed attempt; its locks are released; a
 * final event (`run_failure` or `run_canceled`) dated at that last event records when the ending
 * was detected (`data.detectedAt`). Unfinished temporary files of the run are swept when `graph`
 * and `lakeRoot` are given.
 *
 * @example
 * await finishAbandonedRun({ store, run, status: 'failed', error: 'run abandoned: …', now });
 */
export async function finishAbandonedRun(options: {
  store: InstanceStore;
  run: RunRecord;
  status: 'failed' | 'canceled';
  error: string;
  now: Date;
  data?: Record<string, unknown>;
  graph?: AssetGraph;
  lakeRoot?: string;
}): Promise<void> {
  const { store, run, error } = options;
  const finishedAt = await lastSignOfLife(store, run);
  await store.updateRun(run.id, { status: options.status, finishedAt, error });
  for (const state of await store.listAssetPartitionStates()) {
    if (state.lastRunId === run.id && state.lastAttemptStatus === 'running') {
      await store.recordAttempt({
        assetKey: state.assetKey,
        partitionKey: state.partitionKey,
        runId: run.id,
        status: 'failed',
        error,
      });
    }
  }
  await store.releaseLocksOfRun(run.id);
  await store.appendEvent({
    runId: run.id,
    ts: finishedAt,
    type: options.status === 'failed' ? 'run_failure' : 'run_canceled',
    message: error,
    data: { ...options.data, detectedAt: options.now.toISOString() },
  });
  if (options.graph && options.lakeRoot) {
    for (const asset of options.graph.assets) await asset.io.sweep?.(options.lakeRoot, asset.key, [run.id]);
  }
}
