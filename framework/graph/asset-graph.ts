import { DirectedGraph } from 'graphology';
import type { AnyAsset } from '../definitions/define-asset.js';
import { didYouMean } from '../errors/did-you-mean.js';
import { ShopflowError } from '../errors/error-catalog.js';
import { formatCheckKey } from '../keys/asset-key.js';
import { AsOfWindowMapping } from '../partitions/mapping/as-of-window-mapping.js';
import { defaultPartitionMapping } from '../partitions/mapping/default-partition-mapping.js';
import type { PartitionMapping } from '../partitions/partitions-definition.js';
import { MinHeap } from './min-heap.js';

/** One dependency edge, as the downstream asset declared it. */
export interface AssetDependency {
  /** The local name in the downstream's `deps`. */
  name: string;
  assetKey: string;
  mapping: PartitionMapping;
}

type NodeAttributes =
  | { kind: 'asset'; asset: AnyAsset }
  | { kind: 'check'; assetKey: string; checkName: string };

/**
 * The static graph of assets and their checks (checks are nodes hanging off their asset). Built
 * once from the definitions; rejects duplicate keys, unknown dependencies and cycles.
 */
export class AssetGraph {
  readonly graph = new DirectedGraph<NodeAttributes>();
  private readonly assetsByKey = new Map<string, AnyAsset>();
  private readonly upstreamByKey = new Map<string, AssetDependency[]>();
  private readonly downstreamByKey = new Map<string, string[]>();
  private order?: string[];

  constructor(assets: readonly AnyAsset[]) {
    for (const asset of assets) {
      if (this.assetsByKey.has(asset.key)) {
        throw new ShopflowError('SF_DUPLICATE_ASSET', `two assets have the key \`${asset.key}\``, {
          hint: 'rename one of them; asset keys are unique',
        });
      }
      this.assetsByKey.set(asset.key, asset);
      this.graph.addNode(asset.key, { kind: 'asset', asset });
      this.downstreamByKey.set(asset.key, []);
    }
    for (const asset of assets) {
      const deps: AssetDependency[] = [];
      for (const [name, dep] of Object.entries(asset.deps as Record<string, AnyAsset | string>)) {
        const key = typeof dep === 'string' ? dep : dep.key;
        const upstream = this.assetsByKey.get(key);
        if (!upstream || (typeof dep !== 'string' && upstream !== dep)) {
          throw new ShopflowError(
            'SF_UNKNOWN_DEP',
            `asset \`${asset.key}\` depends on \`${key}\` (deps.${name}), which is not in the definitions`,
            { hint: didYouMean(key, this.assetsByKey.keys()) ?? 'add the upstream asset to the definitions' },
          );
        }
        const mapping =
          (asset.partitionMappings as Record<string, PartitionMapping> | undefined)?.[name] ??
          defaultPartitionMapping(upstream.partitions, asset.partitions, {
            upstream: key,
            downstream: asset.key,
          });
        if (
          mapping instanceof AsOfWindowMapping &&
          (upstream.partitions || asset.partitions?.kind !== 'time-window')
        ) {
          throw new ShopflowError(
            'SF_INVALID_ASSET',
            `asset \`${asset.key}\` reads \`${key}\` (deps.${name}) through an as-of-window mapping, which needs a time-window partitioned reader and an unpartitioned upstream`,
            { hint: 'use it for daily/weekly/monthly assets reading an unpartitioned, time-indexed asset' },
          );
        }
        deps.push({ name, assetKey: key, mapping });
        this.graph.mergeEdge(key, asset.key);
        this.downstreamByKey.get(key)!.push(asset.key);
      }
      this.upstreamByKey.set(asset.key, deps);
      for (const check of asset.checks) {
        const checkKey = formatCheckKey(asset.key, check.name);
        this.graph.addNode(checkKey, { kind: 'check', assetKey: asset.key, checkName: check.name });
        this.graph.addEdge(asset.key, checkKey);
      }
    }
    for (const list of this.downstreamByKey.values()) list.sort();
    this.rejectCycles();
  }

  private rejectCycles(): void {
    const state = new Map<string, 1 | 2>();
    const stack: string[] = [];
    const visit = (key: string): void => {
      state.set(key, 1);
      stack.push(key);
      for (const next of this.downstreamByKey.get(key) ?? []) {
        const seen = state.get(next);
        if (seen === 1) {
          const cycle = [...stack.slice(stack.indexOf(next)), next];
          throw new ShopflowError('SF_CYCLE', `the assets form a cycle: ${cycle.join(' → ')}`, {
            hint: 'remove one of these dependencies',
          });
        }
        if (seen === undefined) visit(next);
      }
      stack.pop();
      state.set(key, 2);
    };
    for (const key of [...this.assetsByKey.keys()].sort()) if (!state.has(key)) visit(key);
  }

  get assets(): AnyAsset[] {
    return [...this.assetsByKey.values()];
  }

  get keys(): string[] {
    return [...this.assetsByKey.keys()];
  }

  has(key: string): boolean {
    return this.assetsByKey.has(key);
  }

  /** The asset with `key`; `SF_UNKNOWN_ASSET` with a did-you-mean hint otherwise. */
  get(key: string): AnyAsset {
    const asset = this.assetsByKey.get(key);
    if (!asset) {
      throw new ShopflowError('SF_UNKNOWN_ASSET', `unknown asset \`${key}\``, {
        hint: didYouMean(key, this.assetsByKey.keys()) ?? 'run `shopflow assets` to list the assets',
      });
    }
    return asset;
  }

  upstream(key: string): AssetDependency[] {
    return this.upstreamByKey.get(key) ?? [];
  }

  downstream(key: string): string[] {
    return this.downstreamByKey.get(key) ?? [];
  }

  /**
   * Every asset key in topological order, ties broken alphabetically, so plans are deterministic.
   */
  toposorted(): string[] {
    if (this.order) return this.order;
    const indegree = new Map<string, number>();
    for (const key of this.assetsByKey.keys()) indegree.set(key, this.upstream(key).length);
    const ready = [...indegree].filter(([, n]) => n === 0).map(([k]) => k);
    const heap = new MinHeap(ready);
    const order: string[] = [];
    while (heap.size > 0) {
      const key = heap.pop();
      order.push(key);
      for (const next of this.downstream(key)) {
        const n = indegree.get(next)! - 1;
        indegree.set(next, n);
        if (n === 0) heap.push(next);
      }
    }
    this.order = order;
    return order;
  }

  /** All assets upstream of `key` (not including it). */
  ancestors(key: string): Set<string> {
    return this.walk(key, (k) => this.upstream(k).map((d) => d.assetKey));
  }

  /** All assets downstream of `key` (not including it). */
  descendants(key: string): Set<string> {
    return this.walk(key, (k) => this.downstream(k));
  }

  private walk(start: string, next: (key: string) => string[]): Set<string> {
    this.get(start);
    const seen = new Set<string>();
    const stack = [start];
    while (stack.length) {
      for (const k of next(stack.pop()!)) {
        if (!seen.has(k)) {
          seen.add(k);
          stack.push(k);
        }
      }
    }
    return seen;
  }
}
