import type { AssetPartitionState, AttemptStatus, LineageInput } from './instance-store.js';

/** `latest_items` of an asset partition that was attempted but never materialized. */
export const NEVER_MATERIALIZED = 'null,null,null,null,null,[]';

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

/**
 * Decodes the JSON arrays built by `stateArraySql` — one `JSON.parse` per row, no other
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
 * Separates the rows of one asset in the text `plannerStatesSql` aggregates. JSON text never
 * holds a raw control character, so it cannot occur inside a row.
 */
export const ROW_SEPARATOR = '\u001e';

function decodeInputs(flat: Array<string | null>): LineageInput[] {
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

/** The fields of a planner state read only on demand. */
interface PlannerStateDetails {
  lastAttemptAt: string | null;
  lastRunId: string | null;
  lastError: string | null;
  rowCount: number | null;
  materializedAt: string | null;
}

const ATTEMPT_STATUSES: readonly AttemptStatus[] = ['running', 'success', 'failed', 'skipped'];

/**
 * An asset partition state read for planning. The fields every plan reads are decoded up front;
 * the others (`lastAttemptAt`, `lastRunId`, `lastError`, `rowCount`, `materializedAt`, `inputs`)
 * are accessors that decode the stored text when one of them is first read. `JSON.stringify`
 * writes it like a plain state; spreading it copies only the fields decoded up front.
 *
 * @example
 * const [state] = await store.listPlannerStates();
 * state.dataVersion; // decoded already
 * state.inputs; // decoded now
 */
export class PlannerAssetPartitionState implements AssetPartitionState {
  // NOTE: a plan reads hundreds of thousands of states and the inputs of few of them; leaving the
  // rest as text saves decoding it and, above all, the garbage collector's copying it.
  assetKey: string;
  partitionKey: string | null;
  lastAttemptStatus: AttemptStatus | null;
  materializationId: string | null;
  dataVersion: string | null;
  codeVersion: string | null;
  readonly #text: string;
  readonly #textHasEscapes: boolean;
  /** Where this row's `lastAttemptAt` item starts in `#text`. */
  readonly #detailsAt: number;
  #details?: PlannerStateDetails;
  #inputs?: LineageInput[];

  constructor(reader: JsonItemsReader, assetKey: string) {
    this.assetKey = assetKey;
    this.partitionKey = reader.item() as string | null;
    this.lastAttemptStatus = reader.attemptStatus();
    this.#text = reader.text;
    this.#textHasEscapes = reader.hasEscapes;
    this.#detailsAt = reader.position;
    reader.skip(3);
    this.materializationId = reader.item() as string | null;
    this.dataVersion = reader.item() as string | null;
    this.codeVersion = reader.item() as string | null;
    reader.skipRow();
  }

  get lastAttemptAt(): string | null {
    return this.#read().lastAttemptAt;
  }

  set lastAttemptAt(value: string | null) {
    this.#read().lastAttemptAt = value;
  }

  get lastRunId(): string | null {
    return this.#read().lastRunId;
  }

  set lastRunId(value: string | null) {
    this.#read().lastRunId = value;
  }

  get lastError(): string | null {
    return this.#read().lastError;
  }

  set lastError(value: string | null) {
    this.#read().lastError = value;
  }

  get rowCount(): number | null {
    return this.#read().rowCount;
  }

  set rowCount(value: number | null) {
    this.#read().rowCount = value;
  }

  get materializedAt(): string | null {
    return this.#read().materializedAt;
  }

  set materializedAt(value: string | null) {
    this.#read().materializedAt = value;
  }

  get inputs(): LineageInput[] {
    this.#inputs ??= decodeInputs(this.flatInputs());
    return this.#inputs;
  }

  set inputs(inputs: LineageInput[]) {
    this.#inputs = inputs;
  }

  /**
   * The inputs as one flat list, `[assetKey, partitionKey, materializationId, dataVersion, …]`,
   * decoded anew on every call and kept nowhere (a plan reads each partition's inputs once).
   */
  flatInputs(): Array<string | null> {
    if (this.#inputs) {
      return this.#inputs.flatMap((i) => [i.assetKey, i.partitionKey, i.materializationId, i.dataVersion]);
    }
    const reader = new JsonItemsReader(this.#text, this.#detailsAt, this.#textHasEscapes);
    reader.skip(8);
    return JSON.parse(reader.restOfRow());
  }

  #read(): PlannerStateDetails {
    if (this.#details) return this.#details;
    const reader = new JsonItemsReader(this.#text, this.#detailsAt, this.#textHasEscapes);
    const lastAttemptAt = reader.item() as string | null;
    const lastRunId = reader.item() as string | null;
    const lastError = reader.item() as string | null;
    reader.skip(3);
    const rowCount = reader.item() as number | null;
    const materializedAt = reader.item() as string | null;
    this.#details = { lastAttemptAt, lastRunId, lastError, rowCount, materializedAt };
    return this.#details;
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
 * Reads the rows `plannerStatesSql` aggregated: JSON items one at a time, without parsing
 * what is not read. Strings without escapes are sliced out of the text; others go to `JSON.parse`.
 */
class JsonItemsReader {
  readonly text: string;
  /** Whether `text` holds a backslash anywhere, i.e. whether strings may need unescaping. */
  readonly hasEscapes: boolean;
  /** Where the next item starts. */
  position: number;

  constructor(text: string, position = 0, hasEscapes = text.includes('\\')) {
    this.text = text;
    this.position = position;
    this.hasEscapes = hasEscapes;
  }

  get done(): boolean {
    return this.position >= this.text.length;
  }

  /** The next item, a string, number or null, and the comma after it. */
  item(): string | number | null {
    const text = this.text;
    const start = this.position;
    if (text.charCodeAt(start) !== QUOTE) {
      const end = text.indexOf(',', start);
      this.position = end + 1;
      const token = text.slice(start, end);
      return token === 'null' ? null : JSON.parse(token);
    }
    const end = this.#stringEnd(start);
    this.position = end + 2;
    if (!this.hasEscapes || !hasBackslash(text, start, end)) return text.slice(start + 1, end);
    return JSON.parse(text.slice(start, end + 1));
  }

  /** The next item as an attempt status, shared rather than sliced. */
  attemptStatus(): AttemptStatus | null {
    for (const status of ATTEMPT_STATUSES) if (this.skipIf(status)) return status;
    return this.item() as AttemptStatus | null;
  }

  /** Passes over the next item if it is the string `value` (which holds no backslash); says whether it did. */
  skipIf(value: string): boolean {
    const start = this.position;
    const end = start + value.length + 1;
    if (
      this.text.charCodeAt(start) !== QUOTE ||
      this.text.charCodeAt(end) !== QUOTE ||
      !this.text.startsWith(value, start + 1)
    ) {
      return false;
    }
    this.position = end + 2;
    return true;
  }

  /** Passes over the next `count` string, number or null items. */
  skip(count: number): void {
    for (let i = 0; i < count; i++) {
      const start = this.position;
      this.position =
        this.text.charCodeAt(start) === QUOTE
          ? this.#stringEnd(start) + 2
          : this.text.indexOf(',', start) + 1;
    }
  }

  /** The rest of the current row as JSON text, and the row separator after it. */
  restOfRow(): string {
    const start = this.position;
    this.skipRow();
    return this.text.slice(start, this.position - 1);
  }

  /** Passes over the rest of the current row and the row separator after it. */
  skipRow(): void {
    const separator = this.text.indexOf(ROW_SEPARATOR, this.position);
    this.position = (separator === -1 ? this.text.length : separator) + 1;
  }

  /** The position of the quote that closes the string opening at `start`. */
  #stringEnd(start: number): number {
    let end = this.text.indexOf('"', start + 1);
    if (this.hasEscapes) while (isEscaped(this.text, end)) end = this.text.indexOf('"', end + 1);
    return end;
  }
}

function hasBackslash(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === BACKSLASH) return true;
  return false;
}

/** Whether the quote at `position` is escaped (preceded by an odd number of backslashes). */
function isEscaped(text: string, position: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(position - 1 - backslashes) === BACKSLASH) backslashes++;
  return backslashes % 2 === 1;
}

/**
 * Decodes rows that `plannerStatesSql` aggregated, appending them to `into`.
 *
 * @example
 * for (const row of rows) decodePlannerStates(row.states, states);
 */
export function decodePlannerStates(text: string, into: AssetPartitionState[]): void {
  const reader = new JsonItemsReader(text);
  let assetKey = '';
  let plain = true;
  while (!reader.done) {
    // NOTE: the states of one asset share one key string, compared in place rather than sliced.
    if (!plain || !reader.skipIf(assetKey)) {
      assetKey = reader.item() as string;
      plain = !assetKey.includes('\\');
    }
    into.push(new PlannerAssetPartitionState(reader, assetKey));
  }
}
