import { basename } from 'node:path';
import type { Logger } from 'pino';
import { isShopflowError } from '../errors/error-catalog.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import type { AssetPartitionState, InstanceStore } from '../instance/instance-store.js';
import type { LakeFileProblem, VerifyDepth } from '../io/lake-storage/lake-file-integrity.js';
import type { LakeStorage } from '../io/lake-storage/lake-storage.js';
import { mapLimited } from '../io/map-limited.js';
import { formatAssetPartition } from '../keys/asset-key.js';
import { AssetStateIndex } from './asset-state-index.js';
import { type PartitionFilter, partitionsForFilter } from './plan-materialization.js';
import type { StalenessReason } from './staleness-reason.js';

/** The instance-store checkpoint holding the partitions found corrupt, by `asset[partition]`. */
const CORRUPT_PARTITIONS = 'lake.corrupt-partitions';

/** Partitions verified at once (a deep look on S3 asks for every object). */
const VERIFICATIONS_IN_FLIGHT = 8;

/** A partition whose stored version was found damaged, until a new materialization replaces it. */
export interface CorruptPartition {
  assetKey: string;
  partitionKey: string | null;
  /** The materialization whose files were found damaged; a newer one clears the finding. */
  materializationId: string;
  location: string;
  problem: string;
  detectedAt: string;
}

type CorruptPartitions = Record<string, CorruptPartition>;

/** The reason a plan gives for a partition whose stored files are damaged. */
export function fileCorruptReason(found: LakeFileProblem): StalenessReason {
  return {
    code: 'file_corrupt',
    message: `missing — file corrupt: ${basename(found.location)} ${found.problem}`,
    file: found.location,
  };
}

/** Whether a partition's reasons say its stored files are damaged (it counts as missing). */
export function isFileCorrupt(reasons: readonly StalenessReason[] | undefined): boolean {
  return reasons?.some((r) => r.code === 'file_corrupt') ?? false;
}

/**
 * Records that a read found the stored version of a partition damaged (an `SF_LAKE_CORRUPT` error
 * with its details), so every plan shows it as missing — file corrupt until it is materialized
 * again, also where plans cannot look at the files themselves (S3). Returns whether `error` was such
 * an error. Obsolete findings (the partition was materialized again since) are dropped.
 *
 * @example
 * await recordCorruptPartition(store, error, new Date());
 */
export async function recordCorruptPartition(
  store: InstanceStore,
  error: unknown,
  now: Date,
): Promise<boolean> {
  if (!isShopflowError(error, 'SF_LAKE_CORRUPT') || !error.details) return false;
  const { assetKey, partitionKey, location, problem } = error.details as {
    assetKey: string;
    partitionKey: string | null;
    location: string;
    problem: string;
  };
  const [state] = await store.listAssetPartitionStates([assetKey], [partitionKey]);
  if (!state?.materializationId) return true;
  await recordFindings(store, [
    {
      assetKey,
      partitionKey,
      materializationId: state.materializationId,
      location,
      problem,
      detectedAt: now.toISOString(),
    },
  ]);
  return true;
}

/** Adds findings to the recorded ones, dropping those a newer materialization made obsolete. */
export async function recordFindings(store: InstanceStore, findings: CorruptPartition[]): Promise<void> {
  const recorded = (await store.getCheckpoint<CorruptPartitions>(CORRUPT_PARTITIONS)) ?? {};
  for (const found of findings) recorded[formatAssetPartition(found.assetKey, found.partitionKey)] = found;
  const current = new AssetStateIndex(
    await store.listAssetPartitionStates([...new Set(Object.values(recorded).map((f) => f.assetKey))]),
  );
  const kept: CorruptPartitions = {};
  for (const [label, found] of Object.entries(recorded)) {
    const state = current.partitionsOf(found.assetKey).get(found.partitionKey);
    if (state?.materializationId === found.materializationId) kept[label] = found;
  }
  await store.setCheckpoint(CORRUPT_PARTITIONS, kept);
}

/**
 * Finds the materialized lake partitions whose stored files are missing or damaged: those a read
 * or `shopflow doctor` recorded (see {@link recordCorruptPartition}), and those a `quick` look at
 * the lake finds now (local lake: a stat per file against the size recorded at commit; nothing is
 * read). With `deep`, every file's checksum (local) or object size (S3) is checked. Returns a
 * `file_corrupt` reason by step key (`asset[partition]`), what `planMaterialization` takes as
 * `observed`, and the findings themselves.
 *
 * @example
 * const { reasons } = await observeLakeIntegrity({ graph, store, lake, states, now, depth: 'quick' });
 */
export async function observeLakeIntegrity(input: {
  graph: AssetGraph;
  store: InstanceStore;
  lake: LakeStorage;
  states: Iterable<AssetPartitionState> | AssetStateIndex;
  now: Date;
  depth: VerifyDepth;
  log?: Logger;
  assetKeys?: readonly string[];
  partitions?: PartitionFilter | null;
}): Promise<{
  reasons: Map<string, StalenessReason[]>;
  findings: CorruptPartition[];
  checked: number;
  /** Partitions whose files could not be looked at (the lake unreachable, access denied), with why. */
  unverified: Array<{ label: string; error: string }>;
  /** Recorded findings a deep look found repaired (the file restored): no longer damaged. */
  cleared: string[];
}> {
  const { graph, store, lake, now } = input;
  const index = input.states instanceof AssetStateIndex ? input.states : new AssetStateIndex(input.states);
  const recorded = (await store.getCheckpoint<CorruptPartitions>(CORRUPT_PARTITIONS)) ?? {};
  const wanted = input.assetKeys ? new Set(input.assetKeys) : undefined;
  const reasons = new Map<string, StalenessReason[]>();
  const findings: CorruptPartition[] = [];
  const work: AssetPartitionState[] = [];
  const recheck = new Set<string>();
  const unverified: Array<{ label: string; error: string }> = [];
  const cleared: string[] = [];
  const lookAtFiles = input.depth === 'deep' || lake.kind === 'local';
  for (const asset of graph.assets) {
    if (asset.io.kind !== 'lake-table' || (wanted && !wanted.has(asset.key))) continue;
    const targets = asset.partitions ? partitionsForFilter(asset.partitions, input.partitions, now) : [null];
    const own = index.partitionsOf(asset.key);
    for (const key of targets) {
      const state = own.get(key);
      if (!state?.materializationId) continue;
      const label = formatAssetPartition(asset.key, key);
      const mark = recorded[label];
      if (mark?.materializationId === state.materializationId) {
        // NOTE: a deep look checks a recorded finding again (a restored file clears it); a quick
        // one cannot tell a damaged file of the right size from a good one, so the finding stands.
        if (input.depth === 'deep') {
          recheck.add(label);
          work.push(state);
          continue;
        }
        findings.push(mark);
        reasons.set(label, [fileCorruptReason(mark)]);
      } else if (lookAtFiles) work.push(state);
    }
  }
  await mapLimited(work, VERIFICATIONS_IN_FLIGHT, async (state) => {
    const ref = { assetKey: state.assetKey, partitionKey: state.partitionKey };
    let problems: LakeFileProblem[];
    try {
      problems = await lake.verify(ref, input.depth);
    } catch (error) {
      const label = formatAssetPartition(state.assetKey, state.partitionKey);
      input.log?.warn(
        { asset: state.assetKey, partition: state.partitionKey, err: error },
        `could not verify the lake files of ${label}`,
      );
      unverified.push({ label, error: error instanceof Error ? error.message : String(error) });
      const mark = recorded[label];
      if (mark?.materializationId === state.materializationId) {
        findings.push(mark);
        reasons.set(label, [fileCorruptReason(mark)]);
      }
      return;
    }
    if (problems.length === 0) {
      const label = formatAssetPartition(state.assetKey, state.partitionKey);
      if (recheck.has(label)) cleared.push(label);
      return;
    }
    findings.push({
      assetKey: state.assetKey,
      partitionKey: state.partitionKey,
      materializationId: state.materializationId!,
      ...problems[0],
      detectedAt: now.toISOString(),
    });
    reasons.set(formatAssetPartition(state.assetKey, state.partitionKey), problems.map(fileCorruptReason));
  });
  unverified.sort((a, b) => a.label.localeCompare(b.label));
  return { reasons, findings, checked: work.length - unverified.length, unverified, cleared };
}

/** Forgets recorded findings of partitions found intact again (`cleared` of {@link observeLakeIntegrity}). */
export async function clearFindings(store: InstanceStore, labels: readonly string[]): Promise<void> {
  if (labels.length === 0) return;
  const recorded = (await store.getCheckpoint<CorruptPartitions>(CORRUPT_PARTITIONS)) ?? {};
  for (const label of labels) delete recorded[label];
  await store.setCheckpoint(CORRUPT_PARTITIONS, recorded);
}
