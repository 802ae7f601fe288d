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

/** The SQL expression of a row's items: its attempt items, then its latest items (12 in all). */
export function stateItemsSql(): RawBuilder<string> {
  return sql<string>`${sql.ref('attempt_items')} || ',' || coalesce(${sql.ref('latest_items')}, ${NEVER_MATERIALIZED})`;
}

/** The SQL expression that joins a row's items into one JSON array (same text on both dialects). */
export function stateArraySql(): RawBuilder<string> {
  return sql<string>`'[' || ${stateItemsSql()} || ']'`;
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

/**
 * Separates the rows of one asset in the text {@link plannerStatesSql} aggregates. JSON text never
 * holds a raw control character, so it cannot occur inside a row.
 */
export const ROW_SEPARATOR = '\u001e';

/**
 * The SQL expression that aggregates an asset's rows (group by `asset_key`) into one text: each
 * row's items (see {@link stateItemsSql}), separated by {@link ROW_SEPARATOR}.
 *
 * @example
 * db.selectFrom('asset_partitions').select(['asset_key', plannerStatesSql('sqlite').as('states')]).groupBy('asset_key');
 */
export function plannerStatesSql(backend: 'sqlite' | 'postgres'): RawBuilder<string> {
  // NOTE: the one aggregate both dialects have under different names.
  const aggregate = sql.raw(backend === 'postgres' ? 'string_agg' : 'group_concat');
  return sql<string>`${aggregate}(${stateItemsSql()}, ${ROW_SEPARATOR})`;
}

function decodeInputs(text: string): LineageInput[] {
  const flat: Array<string | null> = JSON.parse(text);
  const inputs: LineageInput[] = new Array(flat.length / 4);
  for (let j = 0; j < flat.length; j += 4) {
    inputs[j / 4] = {
      assetKey: flat[j] as string,
      partitionKey: flat[j + 1],
      materializationId: flat[j + 2] as string,
      dataVersion: flat[j + 3] as string,
    };
  }
  return inputs;
}

/**
 * An asset partition state read for planning: every field is decoded up front except `inputs`, which
 * are decoded from the stored JSON text when first read (a plan reads the inputs of few partitions).
 * `JSON.stringify` writes it like a plain state.
 *
 * @example
 * const [state] = await store.listPlannerStates();
 * state.inputs; // decoded now
 */
export class PlannerAssetPartitionState implements AssetPartitionState {
  assetKey: string;
  partitionKey: string | null;
  materializationId: string | null;
  dataVersion: string | null;
  codeVersion: string | null;
  rowCount: number | null;
  materializedAt: string | null;
  lastAttemptStatus: AttemptStatus | null;
  lastAttemptAt: string | null;
  lastRunId: string | null;
  lastError: string | null;
  #inputsText: string;
  #inputs?: LineageInput[];

  constructor(reader: JsonItemsReader, assetKey: string) {
    this.assetKey = assetKey;
    this.partitionKey = reader.item() as string | null;
    this.lastAttemptStatus = reader.item() as AttemptStatus | null;
    this.lastAttemptAt = reader.item() as string | null;
    this.lastRunId = reader.item() as string | null;
    this.lastError = reader.item() as string | null;
    this.materializationId = reader.item() as string | null;
    this.dataVersion = reader.item() as string | null;
    this.codeVersion = reader.item() as string | null;
    this.rowCount = reader.item() as number | null;
    this.materializedAt = reader.item() as string | null;
    this.#inputsText = reader.restOfRow();
  }

  get inputs(): LineageInput[] {
    this.#inputs ??= decodeInputs(this.#inputsText);
    return this.#inputs;
  }

  set inputs(inputs: LineageInput[]) {
    this.#inputs = inputs;
  }

  toJSON(): AssetPartitionState {
    return {
      assetKey: this.assetKey,
      partitionKey: this.partitionKey,
      materializationId: this.materializationId,
      dataVersion: this.dataVersion,
      codeVersion: this.codeVersion,
      rowCount: this.rowCount,
      materializedAt: this.materializedAt,
      inputs: this.inputs,
      lastAttemptStatus: this.lastAttemptStatus,
      lastAttemptAt: this.lastAttemptAt,
      lastRunId: this.lastRunId,
      lastError: this.lastError,
    };
  }
}

const QUOTE = 34;
const BACKSLASH = 92;

/**
 * Reads the rows {@link plannerStatesSql} aggregated: JSON items one at a time, without parsing
 * what is not read. Strings without escapes are sliced out of the text; others go to `JSON.parse`.
 */
class JsonItemsReader {
  readonly #text: string;
  #position = 0;
  /** The first backslash at or after `#position`'s string, found once and kept until passed. */
  #nextBackslash = -1;

  constructor(text: string) {
    this.#text = text;
  }

  get done(): boolean {
    return this.#position >= this.#text.length;
  }

  /** The next item, a string, number or null, and the comma after it. */
  item(): string | number | null {
    const text = this.#text;
    const start = this.#position;
    if (text.charCodeAt(start) !== QUOTE) {
      const end = text.indexOf(',', start);
      this.#position = end + 1;
      const token = text.slice(start, end);
      return token === 'null' ? null : JSON.parse(token);
    }
    let end = text.indexOf('"', start + 1);
    if (this.#nextBackslash < start) {
      const found = text.indexOf('\\', start);
      this.#nextBackslash = found === -1 ? Number.POSITIVE_INFINITY : found;
    }
    if (this.#nextBackslash > end) {
      this.#position = end + 2;
      return text.slice(start + 1, end);
    }
    while (isEscaped(text, end)) end = text.indexOf('"', end + 1);
    this.#position = end + 2;
    return JSON.parse(text.slice(start, end + 1));
  }

  /** The rest of the current row as JSON text, and the row separator after it. */
  restOfRow(): string {
    const text = this.#text;
    const start = this.#position;
    const separator = text.indexOf(ROW_SEPARATOR, start);
    const end = separator === -1 ? text.length : separator;
    this.#position = end + 1;
    return text.slice(start, end);
  }
}

/** Whether the quote at `position` is escaped (preceded by an odd number of backslashes). */
function isEscaped(text: string, position: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(position - 1 - backslashes) === BACKSLASH) backslashes++;
  return backslashes % 2 === 1;
}

/**
 * Decodes rows that {@link plannerStatesSql} aggregated, appending them to `into`.
 *
 * @example
 * for (const row of rows) decodePlannerStates(row.states, states);
 */
export function decodePlannerStates(text: string, into: AssetPartitionState[]): void {
  const reader = new JsonItemsReader(text);
  let assetKey = '';
  while (!reader.done) {
    const key = reader.item() as string;
    // NOTE: the states of one asset share one key string.
    if (key !== assetKey) assetKey = key;
    into.push(new PlannerAssetPartitionState(reader, assetKey));
  }
}
