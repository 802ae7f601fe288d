import { ShopflowError } from '../../framework/errors/error-catalog.js';
import type { ColumnSpec } from './table-spec.js';

const NEEDS_QUOTES = /[",\r\n\\]/;

function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * One value as a field of PostgreSQL's CSV COPY format: `null`/`undefined` become an unquoted empty
 * field (NULL), the empty string becomes `""`, text with separators, quotes, line breaks or
 * backslashes is quoted, a `Date` becomes ISO 8601 (just the UTC day for `date` columns).
 *
 * @example
 * encodeCsvField('say "hi", bob', 'text'); // '"say ""hi"", bob"'
 * encodeCsvField(null, 'text'); // ''
 */
export function encodeCsvField(value: unknown, type: string): string {
  switch (typeof value) {
    case 'undefined':
      return '';
    case 'string':
      return value === '' || NEEDS_QUOTES.test(value) ? quote(value) : value;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    default:
      break;
  }
  if (value === null) return '';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) {
      throw new ShopflowError('SF_INPUT_INVALID', `an invalid Date was given for a \`${type}\` column`, {
        hint: 'pass a valid Date, an ISO 8601 string or null',
      });
    }
    const iso = value.toISOString();
    return type === 'date' ? iso.slice(0, 10) : iso;
  }
  const text =
    typeof value === 'object' && value.toString !== Object.prototype.toString
      ? String(value)
      : JSON.stringify(value);
  return text === '' || NEEDS_QUOTES.test(text) ? quote(text) : text;
}

/**
 * Encodes records as CSV lines in `columns` order (no header), yielding chunks of about
 * `chunkBytes` so a COPY stream gets few large writes and memory stays flat.
 *
 * @example
 * Readable.from(encodeCsvRecords(rows, spec.columns)).pipe(copyStream);
 */
export async function* encodeCsvRecords(
  rows: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>,
  columns: ColumnSpec[],
  chunkBytes = 64 * 1024,
): AsyncGenerator<Buffer> {
  let chunk = '';
  for await (const row of rows) {
    let line = '';
    for (let i = 0; i < columns.length; i++) {
      if (i > 0) line += ',';
      line += encodeCsvField(row[columns[i].name], columns[i].type);
    }
    chunk += `${line}\n`;
    if (chunk.length >= chunkBytes) {
      yield Buffer.from(chunk);
      chunk = '';
    }
  }
  if (chunk.length > 0) yield Buffer.from(chunk);
}
