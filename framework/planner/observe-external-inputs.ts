import type { Logger } from 'pino';
import type { ResourceDefinition } from '../definitions/define-resource.js';
import { EXTERNAL_INPUTS_METADATA, type ExternalInput } from '../definitions/external-input.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import type { AssetPartitionState, InstanceStore } from '../instance/instance-store.js';
import { mapLimited } from '../io/map-limited.js';
import { formatAssetPartition } from '../keys/asset-key.js';
import { AssetStateIndex } from './asset-state-index.js';
import { type PartitionFilter, partitionsForFilter } from './plan-materialization.js';
import type { StalenessReason } from './staleness-reason.js';

/** Partitions observed at once (an observer may ask a remote store). */
const OBSERVATIONS_IN_FLIGHT = 8;

function short(fingerprint: string): string {
  return fingerprint.length > 12 ? `${fingerprint.slice(0, 12)}…` : fingerprint;
}

function recordedInputs(metadata: Record<string, unknown>): ExternalInput[] {
  const inputs = metadata[EXTERNAL_INPUTS_METADATA];
  if (!Array.isArray(inputs)) return [];
  return inputs.filter(
    (i): i is ExternalInput =>
      typeof i === 'object' && i !== null && typeof i.name === 'string' && typeof i.fingerprint === 'string',
  );
}

/**
 * Asks every asset that observes its external inputs (`observeInputs`) whether the inputs its
 * partitions' latest materializations read still hold the same content. Returns, by step key
 * (`asset[partition]`), an `input_changed` reason per input that changed or is gone — what
 * `planMaterialization` takes as `observed`. Only materialized partitions the filter targets are
 * observed; an observer that fails is logged and changes nothing.
 *
 * @example
 * const observed = await observeExternalInputs({ graph, store, states, now, resource, log });
 * planMaterialization({ graph, states, assetKeys, observed });
 */
export async function observeExternalInputs(input: {
  graph: AssetGraph;
  store: InstanceStore;
  states: Iterable<AssetPartitionState> | AssetStateIndex;
  now: Date;
  resource<T>(definition: ResourceDefinition<T>): Promise<T>;
  log?: Logger;
  /** Assets to observe (default: all). */
  assetKeys?: readonly string[];
  partitions?: PartitionFilter | null;
}): Promise<Map<string, StalenessReason[]>> {
  const { graph, store, now } = input;
  const index = input.states instanceof AssetStateIndex ? input.states : new AssetStateIndex(input.states);
  const wanted = input.assetKeys ? new Set(input.assetKeys) : undefined;
  const work: Array<{ assetKey: string; state: AssetPartitionState }> = [];
  for (const asset of graph.assets) {
    if (!asset.observeInputs || (wanted && !wanted.has(asset.key))) continue;
    const targets = asset.partitions ? partitionsForFilter(asset.partitions, input.partitions, now) : [null];
    const own = index.partitionsOf(asset.key);
    for (const key of targets) {
      const state = own.get(key);
      if (state?.materializationId) work.push({ assetKey: asset.key, state });
    }
  }
  const observed = new Map<string, StalenessReason[]>();
  const sharedValues = new Map<string, Promise<unknown>>();
  const shared = <T>(name: string, create: () => Promise<T>): Promise<T> => {
    let value = sharedValues.get(name) as Promise<T> | undefined;
    if (!value) {
      value = create();
      sharedValues.set(name, value);
    }
    return value;
  };
  // NOTE: the recorded inputs of every partition in one read (a plan observes hundreds), without
  // the lineage a whole materialization record carries.
  const metadata =
    work.length > 0
      ? await store.materializationMetadata(work.map((w) => w.state.materializationId!))
      : new Map();
  await mapLimited(work, OBSERVATIONS_IN_FLIGHT, async ({ assetKey, state }) => {
    const asset = graph.get(assetKey);
    const label = formatAssetPartition(assetKey, state.partitionKey);
    try {
      const recorded = recordedInputs(metadata.get(state.materializationId!) ?? {});
      if (recorded.length === 0) return;
      const current = new Map(
        (
          await asset.observeInputs!({
            partitionKey: state.partitionKey,
            recorded,
            resource: input.resource,
            shared,
          })
        ).map((o) => [o.name, o.fingerprint]),
      );
      const reasons: StalenessReason[] = [];
      for (const { name, fingerprint } of recorded) {
        if (!current.has(name)) continue;
        const fresh = current.get(name);
        if (fresh === fingerprint) continue;
        reasons.push({
          code: 'input_changed',
          input: name,
          message:
            fresh === null
              ? `input ${name} is gone since it was read`
              : `input ${name} changed since it was read (${short(fingerprint)} → ${short(fresh!)})`,
        });
      }
      if (reasons.length > 0) observed.set(label, reasons);
    } catch (error) {
      input.log?.warn(
        { asset: assetKey, partition: state.partitionKey, err: error },
        `could not observe the external inputs of ${label}; treating them as unchanged`,
      );
    }
  });
  return observed;
}
