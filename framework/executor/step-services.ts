import type { Logger } from 'pino';
import type { RetryPolicy } from '../definitions/define-asset.js';
import type { DuckDbEngine } from '../duckdb/duckdb-session.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import type { EventRecord, InstanceStore, NewEvent } from '../instance/instance-store.js';
import type { LakeStorage } from '../io/lake-storage/lake-storage.js';
import type { ResourceCache } from './resource-cache.js';

/** Everything a step needs from the process that runs it. */
export interface StepServices {
  store: InstanceStore;
  graph: AssetGraph;
  engine: DuckDbEngine;
  resources: ResourceCache;
  /** Where lake tables keep their files. */
  lake: LakeStorage;
  log: Logger;
  retryDefaults: RetryPolicy;
  lockWaitMs: number;
  deadAfterMs: number;
  now(): Date;
  sleep(ms: number): Promise<void>;
  /** Appends an event to the store and tells the listeners (CLI progress, server). */
  emit(event: NewEvent): Promise<EventRecord>;
  /** Appends several events at once (in order, all or none) and tells the listeners of each. */
  emitAll(events: readonly NewEvent[]): Promise<EventRecord[]>;
  /** Tells the listeners of events already in the store (written with a step's own records). */
  published(records: readonly EventRecord[]): void;
  /** The `shopflow worker` running the step (queue executor), named in its `step_start` event. */
  worker?: string;
}

/** A step as plain data: any worker that has the definitions can run it. */
export interface StepDescriptor {
  runId: string;
  key: string;
  assetKey: string;
  partitionKey: string | null;
  /** Reason codes from the plan; a step planned only because an upstream was planned may be skipped. */
  reasonCodes: string[];
}

export interface CheckOutcome {
  name: string;
  severity: 'error' | 'warn';
  passed: boolean;
  message: string | null;
}

export interface StepOutcome {
  key: string;
  status: 'success' | 'failed' | 'skipped';
  /** Why it was skipped or how it failed. */
  message: string | null;
  rowCount: number | null;
  dataVersion: string | null;
  checks: CheckOutcome[];
  /** An `error` check failed: downstream steps of this partition must not run. */
  blocking: boolean;
  /** Skipped because the run was canceled before the step started. */
  canceled?: boolean;
}
