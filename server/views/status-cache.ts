import {
  type AssetPartitionState,
  type AssetStatusSummary,
  type ChangeLog,
  loadChangeLogs,
  type ShopflowRuntime,
  summarizeAssetStatus,
} from '../../framework/index.js';

/** The status of every asset at one moment, with the partition states it was computed from. */
export interface StatusSnapshot {
  /** Increases with every recomputation; lets callers cache what they derive from it. */
  version: number;
  computedAt: Date;
  states: AssetPartitionState[];
  statuses: Map<string, AssetStatusSummary>;
  /** Change logs of as-of-window upstreams, read with the states. */
  changeLogs: Map<string, ChangeLog>;
}

/**
 * Computes {@link summarizeAssetStatus} at most once per `maxAgeMs` however many requests ask, and
 * again as soon as this process emits an event (a run it started moved on). Runs of other
 * processes (CLI, daemon) show up within `maxAgeMs`. Concurrent callers share one computation.
 *
 * @example
 * const cache = new StatusCache(runtime);
 * const { statuses } = await cache.get();
 */
export class StatusCache {
  private current?: StatusSnapshot;
  private computedAtMs = 0;
  private pending?: Promise<StatusSnapshot>;
  private dirty = false;
  private version = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly runtime: ShopflowRuntime,
    private readonly maxAgeMs = 1000,
  ) {
    this.unsubscribe = runtime.onEvent(() => {
      this.dirty = true;
    });
  }

  async get(): Promise<StatusSnapshot> {
    if (this.current && !this.dirty && Date.now() - this.computedAtMs < this.maxAgeMs) return this.current;
    this.pending ??= this.compute().finally(() => {
      this.pending = undefined;
    });
    return await this.pending;
  }

  private async compute(): Promise<StatusSnapshot> {
    // NOTE: cleared before reading, so an event that lands while computing marks the result stale again.
    this.dirty = false;
    const states = await this.runtime.store.listAssetPartitionStates();
    const changeLogs = await loadChangeLogs(this.runtime.store, this.runtime.graph);
    const now = this.runtime.services.now();
    const statuses = summarizeAssetStatus(this.runtime.graph, states, now, changeLogs);
    this.current = { version: ++this.version, computedAt: now, states, statuses, changeLogs };
    this.computedAtMs = Date.now();
    return this.current;
  }

  dispose(): void {
    this.unsubscribe();
  }
}
