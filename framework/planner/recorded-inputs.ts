import { PlannerAssetPartitionState } from '../instance/asset-partition-items.js';
import type { AssetPartitionState } from '../instance/instance-store.js';

// NOTE: most materializations read a handful of inputs; scanning them is cheaper than building a
// map for every partition a plan looks at. Longer lists (an unpartitioned asset reading a year of
// daily partitions) get a map, built once, on the first lookup.
const SCAN_LIMIT = 16;

/**
 * The data versions the latest materialization of an asset partition read, looked up by upstream
 * asset partition. When an upstream partition was recorded twice, the last record counts; a `null`
 * partition key and `''` are the same key.
 *
 * @example
 * const recorded = RecordedInputs.of(state);
 * recorded.versionOf('raw_orders', '2024-01-15'); // 'a1b2…' or undefined
 */
export class RecordedInputs {
  /** `[assetKey, partitionKey, materializationId, dataVersion, …]` */
  readonly #flat: ReadonlyArray<string | null>;
  #byAsset?: Map<string, Map<string, string>>;

  constructor(flat: ReadonlyArray<string | null>) {
    this.#flat = flat;
  }

  /** The inputs of `state`'s latest materialization. */
  static of(state: AssetPartitionState): RecordedInputs {
    // NOTE: a state read for planning hands over its inputs without building (and keeping) objects.
    if (state instanceof PlannerAssetPartitionState) return new RecordedInputs(state.flatInputs());
    const flat: Array<string | null> = [];
    for (const input of state.inputs) {
      flat.push(input.assetKey, input.partitionKey, input.materializationId, input.dataVersion);
    }
    return new RecordedInputs(flat);
  }

  /** The data version recorded for the upstream partition, undefined when it was not read. */
  versionOf(assetKey: string, partitionKey: string | null): string | undefined {
    const flat = this.#flat;
    const key = partitionKey ?? '';
    if (flat.length <= SCAN_LIMIT * 4) {
      for (let i = flat.length - 4; i >= 0; i -= 4) {
        if (flat[i] === assetKey && (flat[i + 1] ?? '') === key) return flat[i + 3] as string;
      }
      return undefined;
    }
    this.#byAsset ??= indexInputs(flat);
    return this.#byAsset.get(assetKey)?.get(key);
  }
}

function indexInputs(flat: ReadonlyArray<string | null>): Map<string, Map<string, string>> {
  const byAsset = new Map<string, Map<string, string>>();
  for (let i = 0; i < flat.length; i += 4) {
    const assetKey = flat[i] as string;
    let partitions = byAsset.get(assetKey);
    if (!partitions) {
      partitions = new Map();
      byAsset.set(assetKey, partitions);
    }
    partitions.set(flat[i + 1] ?? '', flat[i + 3] as string);
  }
  return byAsset;
}
