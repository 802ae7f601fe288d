import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { closestMatches, ShopflowError } from '../../framework/index.js';
import {
  binarySniff,
  type LandedFileReport,
  linePreview,
  MAX_RECORD_BYTES,
  type RejectedRecord,
  truncated,
} from './landed-file-report.js';

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** One parsed CSV record: its fields, or why it cannot be read; `next` is where the next record starts. */
type ParsedRecord = (
  | { fields: string[]; next: number; error?: undefined }
  | { fields?: undefined; next: number; error: string }
) & {
  /** The column (from 1) of the first quoted field that runs over a line break. */
  multiline?: number;
};

/** The offset after the line feed that ends the line holding `at` (the end of the file without one). */
function endOfLine(bytes: Buffer, at: number): number {
  const lf = bytes.indexOf(LF, at);
  return lf === -1 ? bytes.length : lf + 1;
}

function decode(bytes: Buffer, from: number, to: number): string {
  // NOTE: a CR before the line feed belongs to the line ending, not to the last field.
  return bytes.toString('utf8', from, to > from && bytes[to - 1] === CR ? to - 1 : to);
}

/**
 * Parses the RFC 4180 record starting at `start` (comma separated, `"` quotes with `""` inside,
 * LF or CRLF line endings). A record that cannot be read resumes at the next line: an unclosed
 * quote rejects the line it opened on, never the rest of the file.
 */
function parseRecord(bytes: Buffer, start: number): ParsedRecord {
  const fields: string[] = [];
  let multiline: number | undefined;
  let i = start;
  for (;;) {
    if (bytes[i] === QUOTE) {
      const open = i;
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = bytes.indexOf(QUOTE, from);
        if (q === -1) {
          return {
            next: endOfLine(bytes, open),
            error: `a quoted field opened in column ${fields.length + 1} is never closed`,
          };
        }
        if (bytes[q + 1] === QUOTE) {
          value += bytes.toString('utf8', from, q + 1);
          from = q + 2;
          continue;
        }
        value += bytes.toString('utf8', from, q);
        i = q + 1;
        break;
      }
      fields.push(value);
      if (multiline === undefined && bytes.subarray(open, i).includes(LF)) multiline = fields.length;
      const after = bytes[i];
      if (after === COMMA) {
        i++;
        continue;
      }
      if (i >= bytes.length) return { fields, next: i, multiline };
      if (after === LF) return { fields, next: i + 1, multiline };
      if (after === CR && bytes[i + 1] === LF) return { fields, next: i + 2, multiline };
      return {
        next: endOfLine(bytes, i),
        error: `text after the closing quote of column ${fields.length}`,
        multiline,
      };
    }
    let j = i;
    while (j < bytes.length) {
      const b = bytes[j];
      if (b === COMMA || b === LF) break;
      if (b === QUOTE) {
        return {
          next: endOfLine(bytes, j),
          error: `a stray quote inside column ${fields.length + 1}`,
          multiline,
        };
      }
      j++;
    }
    fields.push(decode(bytes, i, j));
    if (j < bytes.length && bytes[j] === COMMA) {
      i = j + 1;
      continue;
    }
    return { fields, next: j < bytes.length ? j + 1 : j, multiline };
  }
}

/** Why the bytes of one record are unfit as text, or undefined. */
function textProblem(bytes: Buffer, from: number, to: number): string | undefined {
  const record = bytes.subarray(from, to);
  if (record.length > MAX_RECORD_BYTES) return `the line is longer than ${MAX_RECORD_BYTES} bytes`;
  const nul = record.indexOf(0);
  if (nul !== -1) return `a NUL byte at position ${nul + 1}`;
  if (!isUtf8(record)) return 'bytes that are not UTF-8 text';
  return undefined;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Checks the header against the declared columns by name; returns each declared column's index in the file. */
function matchHeader(source: string, header: string[], columns: readonly string[]): number[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    const first = seen.get(name);
    if (first !== undefined) {
      problems.push(`column \`${name}\` appears twice (columns ${first + 1} and ${i + 1})`);
    } else seen.set(name, i);
  });
  const declared = new Set(columns);
  header.forEach((name, i) => {
    if (declared.has(name) || seen.get(name) !== i) return;
    const near = closestMatches(name, columns, 1)[0];
    problems.push(
      name === ''
        ? `column ${i + 1} has no name`
        : `unknown column \`${name}\` (column ${i + 1})${near && !seen.has(near) ? `, did you mean \`${near}\`?` : ''}`,
    );
  });
  const missing = columns.filter((c) => !seen.has(c));
  if (missing.length > 0) problems.push(`lacks ${missing.map((c) => `\`${c}\``).join(', ')}`);
  if (problems.length > 0) {
    throw new ShopflowError('SF_INPUT_INVALID', `${source}: line 1 (the header) ${problems.join('; ')}`, {
      hint: `the header must name the columns ${columns.join(',')} (in any order); fix the file and deliver it again`,
      details: { source, line: 1 },
    });
  }
  return columns.map((c) => seen.get(c)!);
}

/**
 * Reads a landed CSV file against its declared columns and writes the well-formed records to
 * `output` as a clean CSV: the declared columns by name (a header in another order is read by
 * name), then `source_line` and `load_error`. A record that cannot be read — too few or too many
 * fields, a quote never closed, bytes that are not UTF-8 text, a blank line — is written as a row
 * with only `source_line` and `load_error` (why, naming the column, with the start of the line),
 * so it can be quarantined. A file that cannot be read at all — empty (0 bytes), binary, or with
 * a header that lacks, repeats or adds a column — throws `SF_INPUT_INVALID` naming `source`, the
 * line and the column.
 *
 * @example
 * const report = readLandedCsv('landed/transactions.csv', 'staged/transactions.csv', {
 *   columns: ['id', 'name'], source: 'raw/year=2024/month=01/day=15/customers/customers.csv',
 * });
 * report.rejected; // [{ line: 7, reason: '3 fields where the header has 2: … ' }]
 */
export function readLandedCsv(
  input: string,
  output: string,
  options: { columns: readonly string[]; source: string },
): LandedFileReport {
  const { columns, source } = options;
  const bytes = readFileSync(input);
  const expected = `expected CSV text starting with the header line \`${columns.join(',')}\``;
  if (bytes.length === 0) {
    throw new ShopflowError('SF_INPUT_INVALID', `${source} is empty (0 bytes)`, {
      hint: `${expected}; deliver the file again`,
      details: { source, line: null },
    });
  }
  const nul = binarySniff(bytes);
  if (nul !== -1) {
    throw new ShopflowError(
      'SF_INPUT_INVALID',
      `${source} is not a text file (a NUL byte at byte ${nul + 1}, line ${countLines(bytes, nul)})`,
      { hint: `${expected}; deliver the file again`, details: { source, line: countLines(bytes, nul) } },
    );
  }
  // NOTE: a UTF-8 byte order mark is not part of the first column's name.
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const headerProblem = textProblem(bytes, start, endOfLine(bytes, start));
  const parsedHeader = headerProblem ? undefined : parseRecord(bytes, start);
  if (!parsedHeader?.fields) {
    throw new ShopflowError(
      'SF_INPUT_INVALID',
      `${source}: line 1 (the header) cannot be read: ${headerProblem ?? parsedHeader?.error}`,
      { hint: expected, details: { source, line: 1 } },
    );
  }
  const header = parsedHeader.fields.map((name) => name.trim());
  const positions = matchHeader(source, header, columns);
  const reordered = positions.some((p, i) => p !== i);

  const out = openSync(output, 'w');
  const rejected: RejectedRecord[] = [];
  let rows = 0;
  let buffered: string[] = [];
  const flush = () => {
    if (buffered.length > 0) writeSync(out, `${buffered.join('\n')}\n`);
    buffered = [];
  };
  try {
    buffered.push([...columns, 'source_line', 'load_error'].join(','));
    const empty = ','.repeat(columns.length);
    const reject = (line: number, reason: string, from: number, to: number) => {
      // NOTE: the preview leaves out the line ending.
      const end = bytes[to - 1] === LF ? (bytes[to - 2] === CR ? to - 2 : to - 1) : to;
      const preview = linePreview(bytes.subarray(from, end));
      const text = preview ? `${reason}: ${preview}` : reason;
      rejected.push({ line, reason: text });
      buffered.push(`${empty}${line},${csvField(text)}`);
    };
    let at = parsedHeader.next;
    let line = 2;
    while (at < bytes.length) {
      const lineEnd = endOfLine(bytes, at);
      if (!reordered) {
        const text = plainRecordText(bytes, at, lineEnd, header.length);
        if (text !== undefined) {
          buffered.push(`${text},${line},`);
          rows++;
          line++;
          at = lineEnd;
          if (buffered.length >= 4096) flush();
          continue;
        }
      }
      const blank = lineEnd - at === 1 || (lineEnd - at === 2 && bytes[at] === CR);
      const parsed = blank ? undefined : parseRecord(bytes, at);
      const fields = parsed?.fields;
      // NOTE: a record that cannot be read rejects the line it starts on only, and reading goes on
      // at the next line: a stray quote never swallows the rows after it.
      let problem = blank
        ? 'a blank line'
        : (textProblem(bytes, at, parsed!.next) ??
          parsed!.error ??
          (fields!.length === header.length ? undefined : fieldCountProblem(fields!.length, header)));
      if (problem && parsed?.multiline !== undefined) {
        problem = `a quoted field opened in column ${parsed.multiline} is not closed on its line`;
      }
      const next = problem ? lineEnd : parsed!.next;
      if (problem && lineEnd === bytes.length && bytes[bytes.length - 1] !== LF && !blank) {
        throw truncated(source, line, problem, linePreview(bytes.subarray(at)));
      }
      if (problem) reject(line, problem, at, lineEnd);
      else {
        buffered.push(`${positions.map((p) => csvField(fields![p])).join(',')},${line},`);
        rows++;
      }
      line += countLines(bytes, next, at);
      at = next;
      if (buffered.length >= 4096) flush();
    }
    flush();
  } finally {
    closeSync(out);
  }
  return { source, records: rows + rejected.length, rows, rejected, header, reordered };
}

/**
 * The text of a line that is a record as most lines are — no quotes, no carriage return, as many
 * fields as the header, UTF-8 text without NUL bytes, not too long — which is then written as it
 * is; undefined for any other line, which is parsed field by field. One pass over the bytes.
 */
function plainRecordText(bytes: Buffer, from: number, lineEnd: number, fields: number): string | undefined {
  const to = lineEnd > from && bytes[lineEnd - 1] === LF ? lineEnd - 1 : lineEnd;
  if (to === from || to - from > MAX_RECORD_BYTES) return undefined;
  let commas = 0;
  let wide = false;
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (b === COMMA) commas++;
    else if (b === QUOTE || b === CR || b === 0) return undefined;
    else if (b >= 0x80) wide = true;
  }
  if (commas !== fields - 1) return undefined;
  if (wide && !isUtf8(bytes.subarray(from, to))) return undefined;
  return bytes.toString('utf8', from, to);
}

function fieldCountProblem(count: number, header: string[]): string {
  const base = `${count} fields where the header has ${header.length}`;
  if (count > header.length) return `${base}: a field after the last column \`${header[header.length - 1]}\``;
  const missing = header.slice(count).map((c) => `\`${c}\``);
  return `${base}: ${missing.join(', ')} missing`;
}

/** The line number of byte `at` (from 1), or with `from`, the line feeds in `[from, at)`. */
function countLines(bytes: Buffer, at: number, from?: number): number {
  let n = from === undefined ? 1 : 0;
  for (let i = from ?? 0; i < at; i++) if (bytes[i] === LF) n++;
  return n;
}
