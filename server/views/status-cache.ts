import {
  type AssetStateIndex,
  type AssetStatusReport,
  loadAssetStatus,
  type ShopflowRuntime,
  type StalenessReason,
} from '../../framework/index.js';

/** The status of every asset and partition at one moment. */
export interface StatusSnapshot {
  /** Increases with every recomputation; lets callers cache what they derive from it. */
  version: number;
  computedAt: Date;
  report: AssetStatusReport;
}

/**
 * Computes {@link loadAssetStatus} (the computation `shopflow assets` and `shopflow plan` share) at
 * most once per `maxAgeMs` however many requests ask, and again as soon as this process emits an
 * event (a run it started moved on). Runs of other processes (CLI, daemon) show up within
 * `maxAgeMs`. Concurrent callers share one computation.
 *
 * @example
 * const cache = new StatusCache(runtime);
 * const { report } = await cache.get();
 */
export class StatusCache {
  private current?: StatusSnapshot;
  private computedAtMs = 0;
  private pending?: Promise<StatusSnapshot>;
  private dirty = false;
  private version = 0;
  private readonly unsubscribe: () => void;
  private observed?: { at: number; changes: ReadonlyMap<string, readonly StalenessReason[]> };

  constructor(
    private readonly runtime: ShopflowRuntime,
    private readonly maxAgeMs = 1000,
    /** How long external inputs (files, landed objects) are taken as observed; each look may ask S3. */
    private readonly observeMaxAgeMs = 10_000,
  ) {
    this.unsubscribe = runtime.onEvent(() => {
      this.dirty = true;
      this.observed = undefined;
    });
  }

  private async observe(states: AssetStateIndex): Promise<ReadonlyMap<string, readonly StalenessReason[]>> {
    if (this.observed && Date.now() - this.observed.at < this.observeMaxAgeMs) return this.observed.changes;
    const changes = await this.runtime.observeInputs({ states });
    this.observed = { at: Date.now(), changes };
    return changes;
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
    const now = this.runtime.services.now();
    const report = await loadAssetStatus(this.runtime.store, this.runtime.graph, now, {
      observe: (states) => this.observe(states),
    });
    this.current = { version: ++this.version, computedAt: now, report };
    this.computedAtMs = Date.now();
    return this.current;
  }

  dispose(): void {
    this.unsubscribe();
  }
}
