import { isAscii, isUtf8 } from 'node:buffer';
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { closestMatches, ShopflowError } from '../../framework/index.js';
import {
  binarySniff,
  type LandedFileReport,
  linePreview,
  MAX_RECORD_BYTES,
  type RejectedRecord,
  truncated,
} from './landed-file-report.js';

/** The JSON type a field of a landed JSON lines file must have (or null). */
export type JsonFieldType = 'string' | 'integer';

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return `the text ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`;
  return `${typeof value === 'number' ? 'the number' : 'the value'} ${String(value)}`;
}

/** The declared fields, by name, and the same names in declaration order. */
interface FieldTable {
  types: ReadonlyMap<string, JsonFieldType>;
  names: readonly string[];
  /** `"name":` of each declared field, JSON-quoted once rather than for every line. */
  prefixes: readonly string[];
  /** Matches a line that is a record in canonical form (see {@link canonicalRecord}). */
  canonical: RegExp | undefined;
  /**
   * The same pattern, sticky, for a record in canonical form that starts at `lastIndex` of a text
   * of several lines and ends where its line does (before an optional CR and the line feed).
   */
  canonicalAt: RegExp | undefined;
}

// NOTE: a JSON string without raw control characters and with only the escapes JSON allows; a
// whole number of at most 15 digits (always a safe integer) and not `-0`, which is written as `0`;
// both exactly as `JSON.parse` reads them.
const JSON_STRING = String.raw`"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"`;
const JSON_WHOLE_NUMBER = '(?:0|-?[1-9][0-9]{0,14})';

/**
 * The source of a pattern for the form every line of a file written by a program usually has: one
 * object, no spaces, every declared field once, in declaration order, each of its type or null. A
 * line it matches is a well-formed record without parsing it, and its text can be kept as it is;
 * any other line is parsed and checked field by field.
 */
function canonicalRecord(
  names: readonly string[],
  fields: Record<string, JsonFieldType>,
): string | undefined {
  if (names.length === 0) return undefined;
  const members = names.map((name) => {
    const key = JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return `${key}:(?:${fields[name] === 'string' ? JSON_STRING : JSON_WHOLE_NUMBER}|null)`;
  });
  return `\\{${members.join(',')}\\}`;
}

function fieldTable(fields: Record<string, JsonFieldType>): FieldTable {
  const names = Object.keys(fields);
  const record = canonicalRecord(names, fields);
  return {
    types: new Map(Object.entries(fields)),
    names,
    prefixes: names.map((name) => `${JSON.stringify(name)}:`),
    canonical: record === undefined ? undefined : new RegExp(`^${record}$`),
    canonicalAt: record === undefined ? undefined : new RegExp(`${record}(?=\\r?\\n)`, 'y'),
  };
}

/** Why one line is not a record of the declared fields, or the parsed object (checked). */
function parseLine(line: Buffer, table: FieldTable): string | Record<string, unknown> {
  if (line.length === 0) return 'a blank line';
  if (line.length > MAX_RECORD_BYTES) return `the line is longer than ${MAX_RECORD_BYTES} bytes`;
  const nul = line.indexOf(0);
  if (nul !== -1) return `a NUL byte at position ${nul + 1}`;
  if (!isUtf8(line)) return 'bytes that are not UTF-8 text';
  let value: unknown;
  try {
    value = JSON.parse(line.toString('utf8'));
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `not a JSON object but ${value === null ? 'null' : describeValue(value)}`;
  }
  const record = value as Record<string, unknown>;
  // NOTE: a JSON object's keys are all its own (`JSON.parse` makes plain objects), and a field
  // named like a property of every object (`__proto__`, `constructor`) is looked up in a Map, so
  // it is unknown unless declared.
  for (const name in record) {
    const type = table.types.get(name);
    if (type === undefined) {
      const near = closestMatches(name, table.names, 1)[0];
      return `unknown field \`${name}\`${near ? `, did you mean \`${near}\`?` : ''}`;
    }
    const field = record[name];
    if (field === null) continue;
    if (type === 'string' && typeof field !== 'string')
      return `\`${name}\` is ${describeValue(field)}, expected text`;
    if (type === 'integer' && !Number.isSafeInteger(field)) {
      return `\`${name}\` is ${describeValue(field)}, expected a whole number`;
    }
  }
  return record;
}

/**
 * A checked record as one JSON line: every declared field in declaration order (absent ones
 * null), then `source_line` and `load_error`. Written field by field: a line of a large file is
 * a few microseconds, and copying the record into a new object to stringify it was most of them.
 */
function recordLine(record: Record<string, unknown>, table: FieldTable, line: number): string {
  let out = '{';
  for (let i = 0; i < table.names.length; i++) {
    const name = table.names[i];
    const field = Object.hasOwn(record, name) ? record[name] : null;
    out += table.prefixes[i];
    out += field === null ? 'null' : typeof field === 'string' ? JSON.stringify(field) : String(field);
    out += ',';
  }
  return `${out}"source_line":${line},"load_error":null}`;
}

/**
 * Reads a landed JSON lines file against its declared fields and writes the well-formed records
 * to `output` as JSON lines with every declared field (absent ones null), `source_line` and
 * `load_error`. A line that cannot be read — not JSON, not an object, an unknown field, a field
 * of the wrong type, bytes that are not UTF-8 text, a blank line — is written with only
 * `source_line` and `load_error` (why, naming the field, with the start of the line), so it can be
 * quarantined. A binary file throws `SF_INPUT_INVALID` naming `source`. An empty file holds no
 * records, which is well-formed.
 *
 * @example
 * await readLandedJsonLines('landed/clickstream.jsonl', 'staged/clickstream.jsonl', {
 *   fields: { event_id: 'string', customer_id: 'integer' },
 *   source: 'raw/year=2024/month=01/day=15/clickstream/clickstream.jsonl',
 * });
 */
export async function readLandedJsonLines(
  input: string,
  output: string,
  options: { fields: Record<string, JsonFieldType>; source: string },
): Promise<LandedFileReport> {
  const { source } = options;
  const table = fieldTable(options.fields);
  const out = new OutputLines(openSync(output, 'w'));
  const rejected: RejectedRecord[] = [];
  let rows = 0;
  let line = 0;
  const take = (bytes: Buffer, last = false) => {
    line++;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    const body = bytes.subarray(0, end);
    if (table.canonical && end > 0 && end <= MAX_RECORD_BYTES && isUtf8(body)) {
      if (table.canonical.test(body.toString('utf8'))) {
        rows++;
        out.keep(body, 0, end, line);
        return;
      }
    }
    const parsed = parseLine(body, table);
    if (typeof parsed === 'string') {
      const preview = linePreview(bytes.subarray(0, end));
      if (last) throw truncated(source, line, parsed, preview);
      const reason = preview ? `${parsed}: ${preview}` : parsed;
      rejected.push({ line, reason });
      out.text(JSON.stringify({ source_line: line, load_error: reason }));
    } else {
      rows++;
      out.text(recordLine(parsed, table, line));
    }
  };
  // NOTE: the complete lines of a chunk of ASCII text are matched in one decoded text, without a
  // string or a buffer per line, and a record in canonical form is copied byte for byte (ASCII:
  // an offset in the text is one in the bytes); any other line, and every line of a chunk that is
  // not ASCII, goes through `take` with its bytes.
  const takeAscii = (bytes: Buffer, through: number): number => {
    const pattern = table.canonicalAt!;
    const text = bytes.toString('latin1', 0, through + 1);
    let at = 0;
    for (let lf = text.indexOf('\n'); lf !== -1; lf = text.indexOf('\n', at)) {
      const end = lf > at && text.charCodeAt(lf - 1) === 0x0d ? lf - 1 : lf;
      pattern.lastIndex = at;
      if (end - at <= MAX_RECORD_BYTES && pattern.test(text)) {
        line++;
        rows++;
        out.keep(bytes, at, end, line);
      } else {
        take(bytes.subarray(at, lf));
      }
      at = lf + 1;
    }
    return at;
  };
  try {
    let pending: Buffer = Buffer.alloc(0);
    let sniffed = false;
    for await (const chunk of createReadStream(input, { highWaterMark: 1 << 16 })) {
      let bytes = pending.length > 0 ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
      // NOTE: chunks are far larger than the bytes sniffed, so the first one decides.
      if (!sniffed) sniffed = sniff(bytes, source);
      let at = 0;
      const lastLf = bytes.lastIndexOf(0x0a);
      if (table.canonicalAt && lastLf !== -1 && isAscii(bytes.subarray(0, lastLf)))
        at = takeAscii(bytes, lastLf);
      for (let lf = bytes.indexOf(0x0a, at); lf !== -1; lf = bytes.indexOf(0x0a, at)) {
        take(bytes.subarray(at, lf));
        at = lf + 1;
      }
      bytes = bytes.subarray(at);
      pending =
        bytes.length > MAX_RECORD_BYTES * 2 ? bytes.subarray(0, MAX_RECORD_BYTES + 1) : Buffer.from(bytes);
    }
    // NOTE: a last line without a line break that cannot be read was cut short.
    if (pending.length > 0) take(pending, true);
    out.flush();
  } finally {
    out.close();
  }
  return { source, records: rows + rejected.length, rows, rejected };
}

/** The checked file, written through one buffer: lines of text, and records kept byte for byte. */
class OutputLines {
  private buffer = Buffer.allocUnsafe(1 << 20);
  private used = 0;

  constructor(private readonly fd: number) {}

  /** Writes `line` and a line feed. */
  text(line: string): void {
    this.reserve(Buffer.byteLength(line) + 1);
    this.used += this.buffer.write(line, this.used, 'utf8');
    this.buffer[this.used++] = 0x0a;
  }

  /** Writes the record `bytes[start, end)` (`{…}`) with its `source_line` and a null `load_error`. */
  keep(bytes: Buffer, start: number, end: number, line: number): void {
    this.reserve(end - start + 64);
    this.used += bytes.copy(this.buffer, this.used, start, end - 1);
    this.used += this.buffer.write(`,"source_line":${line},"load_error":null}\n`, this.used, 'latin1');
  }

  private reserve(bytes: number): void {
    if (this.buffer.length - this.used >= bytes) return;
    this.flush();
    if (this.buffer.length < bytes) this.buffer = Buffer.allocUnsafe(bytes);
  }

  flush(): void {
    for (let at = 0; at < this.used; ) at += writeSync(this.fd, this.buffer, at, this.used - at);
    this.used = 0;
  }

  close(): void {
    closeSync(this.fd);
  }
}

function sniff(bytes: Buffer, source: string): true {
  const nul = binarySniff(bytes);
  if (nul !== -1) {
    throw new ShopflowError(
      'SF_INPUT_INVALID',
      `${source} is not a text file (a NUL byte at byte ${nul + 1})`,
      {
        hint: 'expected JSON lines text, one event object per line; deliver the file again',
        details: { source },
      },
    );
  }
  return true;
}
