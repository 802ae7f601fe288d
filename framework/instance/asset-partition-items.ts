import { type RawBuilder, sql } from 'kysely';
import type { AssetPartitionState, AttemptStatus, LineageInput } from './instance-store.js';

/** `latest_items` of an asset partition that was attempted but never materialized. */
const NEVER_MATERIALIZED = 'null,null,null,null,null,[]';

function items(values: unknown[]): string {
  return JSON.stringify(values).slice(1, -1);
}

/**
 * Encodes the keys and last attempt of an asset partition as JSON array items (see
 * `AssetPartitionsTable`).
 *
 * @example
 * attemptItems({ assetKey: 'a', partitionKey: null, status: 'failed', at, runId, error: 'boom' });
 */
export function attemptItems(attempt: {
  assetKey: string;
  partitionKey: string | null;
  status: AttemptStatus;
  at: string;
  runId: string;
  error: string | null;
}): string {
  return items([
    attempt.assetKey,
    attempt.partitionKey,
    attempt.status,
    attempt.at,
    attempt.runId,
    attempt.error,
  ]);
}

/**
 * Encodes the latest materialization of an asset partition as JSON array items; inputs are
 * flattened to `assetKey, partitionKey, materializationId, dataVersion` per input.
 *
 * @example
 * latestItems({ id, dataVersion: 'abc', codeVersion: '1', rowCount: 10, createdAt, inputs: [] });
 */
export function latestItems(materialization: {
  id: string;
  dataVersion: string;
  codeVersion: string;
  rowCount: number | null;
  createdAt: string;
  inputs: LineageInput[];
}): string {
  const inputs: Array<string | null> = [];
  for (const input of materialization.inputs) {
    inputs.push(input.assetKey, input.partitionKey, input.materializationId, input.dataVersion);
  }
  return items([
    materialization.id,
    materialization.dataVersion,
    materialization.codeVersion,
    materialization.rowCount,
    materialization.createdAt,
    inputs,
  ]);
}

/** The SQL expression that joins a row's items into one JSON array (same text on both dialects). */
export function stateArraySql(): RawBuilder<string> {
  return sql<string>`'[' || ${sql.ref('attempt_items')} || ',' || coalesce(${sql.ref('latest_items')}, ${NEVER_MATERIALIZED}) || ']'`;
}

/**
 * Decodes the JSON arrays built by {@link stateArraySql} — one `JSON.parse` per row, no other
 * per-row work — into asset partition states.
 *
 * @example
 * const states = decodeAssetPartitionStates(rows.map((row) => row.state));
 */
export function decodeAssetPartitionStates(encoded: string[]): AssetPartitionState[] {
  const states: AssetPartitionState[] = new Array(encoded.length);
  for (let i = 0; i < encoded.length; i++) {
    const row = JSON.parse(encoded[i]);
    const flat: Array<string | null> = row[11];
    const inputs: LineageInput[] = new Array(flat.length / 4);
    for (let j = 0; j < flat.length; j += 4) {
      inputs[j / 4] = {
        assetKey: flat[j] as string,
        partitionKey: flat[j + 1],
        materializationId: flat[j + 2] as string,
        dataVersion: flat[j + 3] as string,
      };
    }
    states[i] = {
      assetKey: row[0],
      partitionKey: row[1],
      materializationId: row[6],
      dataVersion: row[7],
      codeVersion: row[8],
      rowCount: row[9],
      materializedAt: row[10],
      inputs,
      lastAttemptStatus: row[2],
      lastAttemptAt: row[3],
      lastRunId: row[4],
      lastError: row[5],
    };
  }
  return states;
}
