import type { AssetGraph } from '../graph/asset-graph.js';
import type { InstanceStore, RunRecord, RunStatus } from '../instance/instance-store.js';
import type { LakeStorage } from '../io/lake-storage/lake-storage.js';

/**
 * When a run whose process is gone really stopped: its last event or its last heartbeat, whichever
 * is later (or its start when it has neither) — a run waiting on workers or a long step beats
 * without events. Its duration ends there, not when someone noticed the process was gone.
 */
export async function lastSignOfLife(store: InstanceStore, run: RunRecord): Promise<string> {
  const [last] = await store.listEvents({ runId: run.id, newestFirst: true, limit: 1 });
  const signs = [last?.ts, run.heartbeatAt].filter((t): t is string => typeof t === 'string');
  if (signs.length === 0) return run.startedAt ?? run.createdAt;
  return signs.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
}

/**
 * Ends a run whose process is gone, on its behalf: the run gets `status` with `error`, finishing at
 * its last event; partitions it was materializing get a failed attempt; its locks are released; a
 * final event (`run_failure` or `run_canceled`) dated at that last event records when the ending
 * was detected (`data.detectedAt`). Its unfinished temporary files are the caller's to sweep
 * (`sweepRunFiles`). Only a run whose status is still one of `from` (default: not finished) is
 * ended, so a run that finished, or that another process ended or took meanwhile, is left as it
 * is; returns whether it was ended.
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
  from?: readonly RunStatus[];
}): Promise<boolean> {
  const { store, run, error } = options;
  const finishedAt = await lastSignOfLife(store, run);
  const ended = await store.transitionRun(run.id, options.from ?? ['queued', 'running'], {
    status: options.status,
    finishedAt,
    error,
  });
  if (!ended) return false;
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
  return true;
}

/** Removes the unfinished temporary files the runs left in the lake (their processes are gone). */
export async function sweepRunFiles(graph: AssetGraph, lake: LakeStorage, runIds: string[]): Promise<void> {
  for (const asset of graph.assets) {
    // NOTE: a sweep that fails (S3 unreachable) must not keep dead runs from being ended.
    await asset.io.sweep?.(lake, asset.key, runIds).catch(() => 0);
  }
}
