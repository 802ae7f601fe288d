import type { AssetGraph } from '../graph/asset-graph.js';
import type { InstanceStore } from '../instance/instance-store.js';
import type { LakeStorage } from '../io/lake-storage/lake-storage.js';
import { deathReason, HOSTNAME } from './process-liveness.js';

/**
 * Finds runs marked running whose process died (gone from this host, or silent for longer than
 * `deadAfterMs`), marks them failed with the reason, marks their in-flight steps failed, releases
 * their locks and removes their unfinished temporary files. Returns the reaped run ids.
 */
export async function reapDeadRuns(options: {
  store: InstanceStore;
  graph?: AssetGraph;
  lake?: LakeStorage;
  now?: Date;
  deadAfterMs: number;
}): Promise<string[]> {
  const { store } = options;
  const now = options.now ?? new Date();
  const reaped: string[] = [];
  for (const run of await store.listRuns({ status: ['running'], limit: 1000 })) {
    if (run.pid === process.pid && run.hostname === HOSTNAME) continue;
    const reason = deathReason(run, now, options.deadAfterMs);
    if (!reason) continue;
    const error = `run abandoned: ${reason}`;
    await store.updateRun(run.id, { status: 'failed', finishedAt: now.toISOString(), error });
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
    await store.appendEvent({ runId: run.id, type: 'run_failure', message: error, data: { reaped: true } });
    reaped.push(run.id);
  }
  if (reaped.length && options.graph && options.lake) {
    for (const asset of options.graph.assets) {
      // NOTE: a sweep that fails (S3 unreachable) must not keep dead runs from being marked failed.
      await asset.io.sweep?.(options.lake, asset.key, reaped).catch(() => 0);
    }
  }
  return reaped;
}
