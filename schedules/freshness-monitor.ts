import type { Alert, AssetGraph, InstanceStore } from '../framework/index.js';

/** An asset whose newest materialization is older than its freshness policy allows. */
export interface FreshnessBreach {
  assetKey: string;
  maxLagMinutes: number;
  lagMinutes: number;
  /** The newest materialization of any of its partitions. */
  lastMaterializedAt: string;
}

/**
 * The assets with a freshness policy (`freshness.maxLagMinutes`) whose newest materialization, of
 * any partition, is older than that at `now`. Assets never materialized are not breaches (they are
 * `missing`, which `shopflow assets` shows).
 *
 * @example
 * for (const b of await findFreshnessBreaches(store, graph, new Date())) console.log(b.assetKey, b.lagMinutes);
 */
export async function findFreshnessBreaches(
  store: InstanceStore,
  graph: AssetGraph,
  now: Date,
): Promise<FreshnessBreach[]> {
  const policed = graph.assets.filter((asset) => asset.freshness);
  if (policed.length === 0) return [];
  const newest = new Map<string, string>();
  for (const state of await store.listAssetPartitionStates(policed.map((a) => a.key))) {
    const at = state.materializedAt;
    if (at && (!newest.has(state.assetKey) || at > newest.get(state.assetKey)!))
      newest.set(state.assetKey, at);
  }
  const breaches: FreshnessBreach[] = [];
  for (const asset of policed) {
    const last = newest.get(asset.key);
    if (!last) continue;
    const lagMinutes = (now.getTime() - Date.parse(last)) / 60_000;
    if (lagMinutes > asset.freshness!.maxLagMinutes) {
      breaches.push({
        assetKey: asset.key,
        maxLagMinutes: asset.freshness!.maxLagMinutes,
        lagMinutes: Math.round(lagMinutes),
        lastMaterializedAt: last,
      });
    }
  }
  return breaches;
}

/** The alert for a breach; its dedupe key names the stale materialization, so it is sent once per breach. */
export function freshnessAlert(breach: FreshnessBreach, now: Date): Alert {
  return {
    kind: 'freshness_breach',
    severity: 'warning',
    dedupeKey: `freshness_breach:${breach.assetKey}:${breach.lastMaterializedAt}`,
    title: `Asset ${breach.assetKey} is overdue`,
    message: `last materialized ${breach.lagMinutes} min ago (${breach.lastMaterializedAt}), more than the allowed ${breach.maxLagMinutes} min`,
    at: now.toISOString(),
    assetKey: breach.assetKey,
    details: { lagMinutes: breach.lagMinutes, maxLagMinutes: breach.maxLagMinutes },
  };
}

/**
 * Checks freshness policies at most every `intervalSeconds` (of the clock it is given) and alerts
 * once per breach: a breach ends when the asset is materialized again, and the next one alerts anew.
 *
 * @example
 * const monitor = new FreshnessMonitor({ store, graph, alert, intervalSeconds: 60 });
 * await monitor.evaluate(new Date()); // breaches found now, alerted or already alerted
 */
export class FreshnessMonitor {
  private lastCheck = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly options: {
      store: InstanceStore;
      graph: AssetGraph;
      alert: (alert: Alert) => Promise<boolean>;
      intervalSeconds: number;
    },
  ) {}

  /** Breaches found now, or null when the interval has not passed since the last check. */
  async evaluate(now: Date): Promise<FreshnessBreach[] | null> {
    if (now.getTime() - this.lastCheck < this.options.intervalSeconds * 1000) return null;
    this.lastCheck = now.getTime();
    const breaches = await findFreshnessBreaches(this.options.store, this.options.graph, now);
    for (const breach of breaches) await this.options.alert(freshnessAlert(breach, now));
    return breaches;
  }
}
