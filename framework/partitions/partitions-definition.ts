import type { ShopflowConfig } from '../config/config-schema.js';

/** One partition of an asset. Time-window partitions carry their window (end exclusive). */
export interface Partition {
  key: string;
  start?: Date;
  end?: Date;
}

/**
 * The set of partitions of an asset: a time window cadence (daily, weekly, monthly) or a static
 * list. Keys are strings; time-window keys are the window's start date in the definition's
 * timezone, `YYYY-MM-DD` for every cadence.
 */
export interface PartitionsDefinition {
  readonly kind: 'time-window' | 'static';
  /** Human-readable, e.g. `daily from 2024-01-01 (Europe/Berlin)`. */
  readonly description: string;
  /**
   * Every partition key that exists at `now`, in order. For time windows: windows that have
   * completely ended by `now` (plus the current one if `endOffset` is 1), from the start date.
   */
  keys(now?: Date): string[];
  /** Whether `key` is a valid key of this definition at `now`. */
  has(key: string, now?: Date): boolean;
  /**
   * Throws `SF_BAD_PARTITION` naming the key, the expected format and the nearest valid key
   * when `key` is not valid at `now`.
   */
  validate(key: string, now?: Date): void;
  /**
   * The keys from `from` to `to`, both included. Throws `SF_BAD_PARTITION` for an invalid end and
   * `SF_BAD_PARTITION_RANGE` when `from` is after `to`.
   */
  range(from: string, to: string, now?: Date): string[];
  /** The partition for `key` (with its window for time windows). */
  partition(key: string): Partition;
  /**
   * The definition as a runtime with these settings uses it, for definitions whose bounds come from
   * the configuration (see `bindDefinitions`); absent or returning `this` when they do not.
   */
  bind?(context: PartitionsBindContext): PartitionsDefinition;
}

/** What a definition is bound with when a runtime opens: the configuration and the runtime's clock. */
export interface PartitionsBindContext {
  settings: ShopflowConfig;
  /** When the runtime opened (its injected clock in tests). */
  now: Date;
}

/** Which upstream (or downstream) partitions a partition maps to. Missing keys are reported, never dropped. */
export interface PartitionMappingResult {
  /** Keys that exist in the other definition. `[null]` means the other side is unpartitioned. */
  valid: Array<string | null>;
  /** Keys that the mapping asks for but the other definition does not have (e.g. before its start). */
  missing: string[];
}

/**
 * How the partitions of a downstream asset relate to those of one upstream asset.
 * `null` stands for "unpartitioned" on either side.
 */
export interface PartitionMapping {
  readonly name: string;
  /** Upstream partitions that downstream partition `downstreamKey` reads. */
  upstreamFor(
    downstreamKey: string | null,
    downstream: PartitionsDefinition | undefined,
    upstream: PartitionsDefinition | undefined,
    now?: Date,
  ): PartitionMappingResult;
  /** Downstream partitions that read upstream partition `upstreamKey`. */
  downstreamFor(
    upstreamKey: string | null,
    upstream: PartitionsDefinition | undefined,
    downstream: PartitionsDefinition | undefined,
    now?: Date,
  ): PartitionMappingResult;
}
