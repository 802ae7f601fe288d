import type { InstanceStore } from '../instance/instance-store.js';

/** Fewer earlier durations than this give no baseline (a ratio against one run is noise). */
export const MIN_BASELINE_RUNS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface Entry {
  /** `runId/partitionKey`: one materialization. */
  key: string;
  at: string;
  ms: number;
}

/**
 * The trailing median of each asset's step durations: seeded once per asset and process from the
 * asset's latest materializations in the instance store (their `durationMs` metadata), then kept in
 * memory as this process materializes more. So a freshly started daemon judges tonight's run against
 * the previous nights', not against nothing. A step is compared with the materializations of its
 * asset that were recorded before it, whichever process or run recorded them, each counted once.
 *
 * @example
 * const baseline = new DurationBaseline(store, 20);
 * await baseline.ratio('silver_transactions', 'run-1', '2024-01-02', 1800, at); // 1.5 when the median was 1200 ms
 */
export class DurationBaseline {
  private readonly windows = new Map<string, Promise<Entry[]>>();

  constructor(
    private readonly store: InstanceStore,
    private readonly size: number,
  ) {}

  /**
   * `durationMs` ÷ the median of the asset's last `size` durations recorded before `at` (null with
   * fewer than {@link MIN_BASELINE_RUNS}); then remembers this one.
   */
  async ratio(
    assetKey: string,
    runId: string,
    partitionKey: string | null,
    durationMs: number,
    at: string,
  ): Promise<number | null> {
    let window = this.windows.get(assetKey);
    if (!window) {
      window = this.seed(assetKey);
      this.windows.set(assetKey, window);
    }
    const entries = await window;
    const key = `${runId}/${partitionKey ?? ''}`;
    const earlier = entries
      .filter((e) => e.key !== key && e.at < at)
      .sort((a, b) => (a.at < b.at ? 1 : -1))
      .slice(0, this.size)
      .map((e) => e.ms);
    const existing = entries.findIndex((e) => e.key === key);
    if (existing >= 0) entries.splice(existing, 1);
    entries.push({ key, at, ms: durationMs });
    if (entries.length > this.size * 4) {
      entries.sort((a, b) => (a.at < b.at ? 1 : -1));
      entries.length = this.size * 2;
    }
    const base = earlier.length >= MIN_BASELINE_RUNS ? median(earlier) : null;
    return base === null || base <= 0 ? null : durationMs / base;
  }

  private async seed(assetKey: string): Promise<Entry[]> {
    const recent = await this.store.listMaterializations({ assetKey, limit: this.size * 2 }).catch(() => []);
    return recent
      .filter((m) => typeof m.metadata.durationMs === 'number' && Number.isFinite(m.metadata.durationMs))
      .map((m) => ({
        key: `${m.runId}/${m.partitionKey ?? ''}`,
        at: m.createdAt,
        ms: m.metadata.durationMs as number,
      }));
  }
}
