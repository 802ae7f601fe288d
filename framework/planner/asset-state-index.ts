import type { AssetPartitionState } from '../instance/instance-store.js';

/** The current state of every asset partition, indexed for the planner: asset → partition → state. */
export class AssetStateIndex {
  private readonly byAsset = new Map<string, Map<string | null, AssetPartitionState>>();

  constructor(states: Iterable<AssetPartitionState>) {
    // NOTE: an index loop over an array makes no iterator results: it runs once per plan over
    // hundreds of thousands of states, often before the optimizing compiler has seen it.
    const list = Array.isArray(states) ? (states as AssetPartitionState[]) : [...states];
    // NOTE: stores list an asset's partitions together, so the last asset's map is usually the one.
    let assetKey: string | undefined;
    let partitions: Map<string | null, AssetPartitionState> | undefined;
    for (let i = 0; i < list.length; i++) {
      const state = list[i];
      if (state.assetKey !== assetKey) {
        assetKey = state.assetKey;
        partitions = this.byAsset.get(assetKey);
        if (!partitions) {
          partitions = new Map();
          this.byAsset.set(assetKey, partitions);
        }
      }
      partitions!.set(state.partitionKey, state);
    }
  }

  get(assetKey: string, partitionKey: string | null): AssetPartitionState | undefined {
    return this.byAsset.get(assetKey)?.get(partitionKey);
  }

  partitionsOf(assetKey: string): Map<string | null, AssetPartitionState> {
    return this.byAsset.get(assetKey) ?? new Map();
  }
}
