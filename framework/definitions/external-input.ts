import type { ResourceDefinition } from './define-resource.js';

/**
 * An input a materialization read from outside the asset graph — a file, an object in a store —
 * with a fingerprint of its content. Recorded with the materialization (its `externalInputs`
 * metadata), so the planner can tell when the input changed after it was read.
 */
export interface ExternalInput {
  /** What was read, as the asset names it to its observer (a file name, an object key). */
  name: string;
  /** A hash of the content read (e.g. its hex SHA-256). */
  fingerprint: string;
  /**
   * Cheap facts about the input (size and modification time, an object version) that let the
   * observer keep the recorded fingerprint without hashing again while they are unchanged.
   */
  probe?: Record<string, string | number>;
}

/** What an asset's `observeInputs` receives: one partition and the inputs its latest materialization read. */
export interface ObserveInputsContext {
  partitionKey: string | null;
  recorded: readonly ExternalInput[];
  resource<T>(definition: ResourceDefinition<T>): Promise<T>;
  /**
   * What `create` returns, made once for one observation (a plan, a status) and shared by every
   * partition and asset asking under the same `name`: one listing of a store instead of one request
   * per recorded input. A failing `create` fails each observer that asked, and is not retried
   * within the observation.
   *
   * @example
   * const listed = await shared('landing-listing', () => listFingerprints(store, 'raw/'));
   */
  shared<T>(name: string, create: () => Promise<T>): Promise<T>;
}

/** The current fingerprint of a recorded input; null when the input is gone. */
export interface ObservedInput {
  name: string;
  fingerprint: string | null;
}

/** The metadata key under which a materialization keeps the external inputs it read. */
export const EXTERNAL_INPUTS_METADATA = 'externalInputs';
