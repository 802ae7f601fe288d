import type { AssetPartitionState } from '../instance/instance-store.js';

/** The current state of every asset partition, indexed for the planner: asset → partition → state. */
export class AssetStateIndex {
  private readonly byAsset = new Map<string, Map<string | null, AssetPartitionState>>();

  constructor(states: Iterable<AssetPartitionState>) {
    for (const state of states) {
      let partitions = this.byAsset.get(state.assetKey);
      if (!partitions) {
        partitions = new Map();
        this.byAsset.set(state.assetKey, partitions);
      }
      partitions.set(state.partitionKey, state);
    }
  }

  get(assetKey: string, partitionKey: string | null): AssetPartitionState | undefined {
    return this.byAsset.get(assetKey)?.get(partitionKey);
  }

  partitionsOf(assetKey: string): Map<string | null, AssetPartitionState> {
    return this.byAsset.get(assetKey) ?? new Map();
  }
}
