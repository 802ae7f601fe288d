import type { InstanceStore } from '../instance/instance-store.js';

/** Fewer earlier durations than this give no baseline (a ratio against one run is noise). */
export const MIN_BASELINE_RUNS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The trailing median of each asset's step durations: seeded once per asset and process from the
 * asset's latest materializations in the instance store (their `durationMs` metadata), then kept in
 * memory as this process materializes more. So a freshly started daemon judges tonight's run against
 * the previous nights', not against nothing.
 *
 * @example
 * const baseline = new DurationBaseline(store, 20);
 * await baseline.ratio('silver_transactions', 'run-1', '2024-01-02', 1800); // 1.5 when the median was 1200 ms
 */
export class DurationBaseline {
  private readonly windows = new Map<string, Promise<number[]>>();

  constructor(
    private readonly store: InstanceStore,
    private readonly size: number,
  ) {}

  /**
   * `durationMs` ÷ the median of the earlier durations (null with fewer than
   * {@link MIN_BASELINE_RUNS}), then adds it to the window. The materialization of
   * (`runId`, `partitionKey`) itself, already on record, is not part of its own baseline.
   */
  async ratio(
    assetKey: string,
    runId: string,
    partitionKey: string | null,
    durationMs: number,
  ): Promise<number | null> {
    let window = this.windows.get(assetKey);
    if (!window) {
      window = this.seed(assetKey, runId, partitionKey);
      this.windows.set(assetKey, window);
    }
    const earlier = await window;
    const base = earlier.length >= MIN_BASELINE_RUNS ? median(earlier) : null;
    earlier.unshift(durationMs);
    if (earlier.length > this.size) earlier.length = this.size;
    return base === null || base <= 0 ? null : durationMs / base;
  }

  private async seed(assetKey: string, runId: string, partitionKey: string | null): Promise<number[]> {
    const recent = await this.store.listMaterializations({ assetKey, limit: this.size + 1 }).catch(() => []);
    return recent
      .filter((m) => !(m.runId === runId && m.partitionKey === partitionKey))
      .map((m) => m.metadata.durationMs)
      .filter((d): d is number => typeof d === 'number' && Number.isFinite(d))
      .slice(0, this.size);
  }
}
