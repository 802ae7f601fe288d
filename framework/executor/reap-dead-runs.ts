import type { AssetGraph } from '../graph/asset-graph.js';
import type { InstanceStore, RunRecord } from '../instance/instance-store.js';
import type { LakeStorage } from '../io/lake-storage/lake-storage.js';
import { finishAbandonedRun, sweepRunFiles } from './finish-abandoned-run.js';
import { deathReason, HOSTNAME } from './process-liveness.js';

/**
 * The runs marked running whose process died (gone from this host, or silent for longer than
 * `deadAfterMs`), with why each counts as dead; changes nothing (see {@link reapDeadRuns}).
 */
export async function findDeadRuns(
  store: InstanceStore,
  now: Date,
  deadAfterMs: number,
): Promise<Array<{ run: RunRecord; reason: string }>> {
  const dead: Array<{ run: RunRecord; reason: string }> = [];
  for (const run of await store.listRuns({ status: ['running'], limit: 1000 })) {
    if (run.pid === process.pid && run.hostname === HOSTNAME) continue;
    const reason = deathReason(run, now, deadAfterMs);
    if (reason) dead.push({ run, reason });
  }
  return dead;
}

/**
 * Finds runs marked running whose process died (gone from this host, or silent for longer than
 * `deadAfterMs`), marks them failed with the reason, marks their in-flight steps failed, releases
 * their locks and removes their unfinished temporary files. A reaped run finishes at its last
 * event, so its duration does not include the time it took to notice. Returns the reaped run ids.
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
  for (const { run, reason } of await findDeadRuns(store, now, options.deadAfterMs)) {
    const ended = await finishAbandonedRun({
      store,
      run,
      status: 'failed',
      error: `run abandoned: ${reason}`,
      now,
      data: { reaped: true },
      from: ['running'],
    });
    // NOTE: another process may have reaped it (or it finished) since it was listed.
    if (ended) reaped.push(run.id);
  }
  if (reaped.length && options.graph && options.lake)
    await sweepRunFiles(options.graph, options.lake, reaped);
  return reaped;
}
