import type { AnyAsset } from '../definitions/define-asset.js';
import type { AssetPartitionState } from '../instance/instance-store.js';
import { formatAssetPartition } from '../keys/asset-key.js';
import { ListBuffer } from './list-buffer.js';
import { MAX_NAMED_UPSTREAMS, NamedUpstreams } from './named-upstreams.js';
import { RecordedInputs } from './recorded-inputs.js';
import type { StalenessReason } from './staleness-reason.js';

// NOTE: reasons without details are shared by every step they describe (often half of a plan).
const MISSING: StalenessReason = Object.freeze({ code: 'missing', message: 'never materialized' });
const FORCED: StalenessReason = Object.freeze({ code: 'forced', message: 'forced by the user' });
const NEVER_MATERIALIZED: StalenessReason[] = Object.freeze([MISSING]) as StalenessReason[];

/**
 * Decides whether one partition is stale and why, from its state and what it reads upstream. One
 * scan is reused for every partition of a plan: {@link PartitionScan.start}, then
 * {@link PartitionScan.read} for each upstream partition, then {@link PartitionScan.reasons}.
 *
 * @example
 * scan.start(state);
 * scan.read('raw_orders', '2024-01-15', plannedStepKey, upstreamState);
 * const reasons = scan.reasons(asset, { force: false, now });
 */
export class PartitionScan {
  readonly dependsOn = new ListBuffer<string>();
  readonly blockedBy = new ListBuffer<string>();
  readonly #changed = new ListBuffer<string>();
  #changedCount = 0;
  readonly #reasons = new ListBuffer<StalenessReason>();
  #state: AssetPartitionState | undefined;
  #hasData = false;
  #recorded: RecordedInputs | undefined;
  /** The last `upstream_planned` reason made, for the next partition that has the same one. */
  #planned: Extract<StalenessReason, { code: 'upstream_planned' }> | undefined;
  readonly #changedSentence = new NamedUpstreams(
    (names) => `upstream ${names} has new data since the last materialization`,
  );
  readonly #plannedSentence = new NamedUpstreams(
    (names) => `upstream ${names} will be re-materialized first`,
  );

  /** Starts the scan of a partition whose current state is `state`. */
  start(state: AssetPartitionState | undefined): void {
    this.#state = state;
    this.#hasData = state?.materializationId != null;
    this.#recorded = undefined;
    this.#changedCount = 0;
    this.#changed.clear();
    this.dependsOn.clear();
    this.blockedBy.clear();
  }

  /**
   * One upstream partition the partition reads: planned in this plan (`stepKey`), or in the state
   * `state` (undefined: never attempted). `label` is its `asset[partition]`, when already known.
   */
  read(
    assetKey: string,
    partitionKey: string | null,
    stepKey: string | undefined,
    state: AssetPartitionState | undefined,
    label?: string,
    /** For an as-of read: whether the change from `recorded` to `current` is invisible to the partition. */
    invisible?: (recorded: string | undefined, current: string) => boolean,
  ): void {
    if (stepKey !== undefined) {
      this.dependsOn.push(stepKey);
      return;
    }
    if (state?.materializationId == null) {
      this.blockedBy.push(label ?? formatAssetPartition(assetKey, partitionKey));
      return;
    }
    if (!this.#hasData) return;
    this.#recorded ??= RecordedInputs.of(this.#state!);
    const recorded = this.#recorded.versionOf(assetKey, partitionKey);
    if (recorded === state.dataVersion) return;
    if (invisible && state.dataVersion !== null && invisible(recorded, state.dataVersion)) return;
    if (this.#changedCount++ < MAX_NAMED_UPSTREAMS) {
      this.#changed.push(formatAssetPartition(assetKey, partitionKey));
    }
  }

  /** Why the scanned partition of `asset` is stale, in a fixed order; empty when it is up to date. */
  reasons(
    asset: AnyAsset,
    options: { force: boolean; now: Date },
    /** Reasons found outside the instance store (a changed external input), added after `failed`. */
    observed?: readonly StalenessReason[],
  ): StalenessReason[] {
    const reasons = this.#reasons;
    const state = this.#state;
    const hasData = this.#hasData;
    reasons.clear();
    if (options.force) reasons.push(FORCED);
    if (!hasData) {
      if (!options.force && state?.lastAttemptStatus !== 'failed') return NEVER_MATERIALIZED;
      reasons.push(MISSING);
    } else {
      // NOTE: damaged stored files come first: the partition counts as missing.
      if (observed) for (const reason of observed) if (reason.code === 'file_corrupt') reasons.push(reason);
      if (state!.codeVersion !== asset.codeVersion) {
        reasons.push({
          code: 'code_version_changed',
          message: `code version changed from ${state!.codeVersion} to ${asset.codeVersion}`,
          from: state!.codeVersion ?? '',
          to: asset.codeVersion,
        });
      }
    }
    if (state?.lastAttemptStatus === 'failed') {
      reasons.push({
        code: 'failed',
        message: `last attempt failed${state.lastRunId ? ` in run ${state.lastRunId.slice(0, 8)}` : ''}${state.lastError ? `: ${state.lastError}` : ''}`,
        runId: state.lastRunId,
        error: state.lastError,
      });
    }
    if (observed && hasData)
      for (const reason of observed) if (reason.code !== 'file_corrupt') reasons.push(reason);
    if (this.#changedCount > 0) {
      reasons.push({
        code: 'upstream_changed',
        message: this.#changedSentence.describe(this.#changed, this.#changedCount),
        upstream: this.#changed.at(0),
      });
    }
    if (this.dependsOn.length > 0 && hasData) {
      const message = this.#plannedSentence.describe(this.dependsOn, this.dependsOn.length);
      const upstream = this.dependsOn.at(0);
      let planned = this.#planned;
      // NOTE: an equal reason is shared with the partition planned before (see `ListBuffer.toArray`).
      if (planned?.message !== message || planned.upstream !== upstream) {
        planned = Object.freeze({ code: 'upstream_planned', message, upstream });
        this.#planned = planned;
      }
      reasons.push(planned);
    }
    if (hasData && asset.freshness && state!.materializedAt) {
      const lagMinutes = (options.now.getTime() - Date.parse(state!.materializedAt)) / 60_000;
      if (lagMinutes > asset.freshness.maxLagMinutes) {
        reasons.push({
          code: 'overdue',
          message: `last materialized ${Math.round(lagMinutes)} min ago, more than the allowed ${asset.freshness.maxLagMinutes} min`,
          lagMinutes: Math.round(lagMinutes),
          maxLagMinutes: asset.freshness.maxLagMinutes,
        });
      }
    }
    return reasons.toArray();
  }
}
