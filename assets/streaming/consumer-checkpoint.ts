import type { EngineState } from './click-window-engine.js';

/**
 * The slice a consumer is about to commit to the lake, saved before the lake write: a restart
 * that finds it reads exactly these records again and writes the same rows.
 */
export interface CommitIntent {
  epoch: number;
  start: number;
  end: number;
  /** Last record of the slice per shard. */
  through: Record<string, string>;
}

/** The consumer's checkpoint in the instance store; one record, replaced whole (atomically). */
export interface ConsumerCheckpoint {
  version: 1;
  stream: string;
  /** Lake commits so far. */
  epoch: number;
  engine: EngineState;
  /** Where the next arrival slice starts. */
  nextSliceStart: number | null;
  /** Shards closed, read to their end and processed: a restart does not read them again. */
  endedShards: string[];
  intent: CommitIntent | null;
  savedAt: string;
}

/** The instance-store name of the consumer checkpoint of `stream`. */
export function consumerCheckpointName(stream: string): string {
  return `stream:${stream}:consumer`;
}

/** The instance-store name of the live dashboard the consumer publishes (one per instance). */
export { STREAM_DASHBOARD as STREAM_DASHBOARD_CHECKPOINT } from '../../server/stream-dashboard-events.js';
