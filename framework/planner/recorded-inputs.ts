import type { LineageInput } from '../instance/instance-store.js';

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
 * const recorded = new RecordedInputs(state.inputs);
 * recorded.versionOf('raw_orders', '2024-01-15'); // 'a1b2…' or undefined
 */
export class RecordedInputs {
  readonly #inputs: readonly LineageInput[];
  #byAsset?: Map<string, Map<string, string>>;

  constructor(inputs: readonly LineageInput[]) {
    this.#inputs = inputs;
  }

  /** The data version recorded for the upstream partition, undefined when it was not read. */
  versionOf(assetKey: string, partitionKey: string | null): string | undefined {
    const inputs = this.#inputs;
    const key = partitionKey ?? '';
    if (inputs.length <= SCAN_LIMIT) {
      for (let i = inputs.length - 1; i >= 0; i--) {
        const input = inputs[i];
        if (input.assetKey === assetKey && (input.partitionKey ?? '') === key) return input.dataVersion;
      }
      return undefined;
    }
    this.#byAsset ??= indexInputs(inputs);
    return this.#byAsset.get(assetKey)?.get(key);
  }
}

function indexInputs(inputs: readonly LineageInput[]): Map<string, Map<string, string>> {
  const byAsset = new Map<string, Map<string, string>>();
  for (const input of inputs) {
    let partitions = byAsset.get(input.assetKey);
    if (!partitions) {
      partitions = new Map();
      byAsset.set(input.assetKey, partitions);
    }
    partitions.set(input.partitionKey ?? '', input.dataVersion);
  }
  return byAsset;
}
