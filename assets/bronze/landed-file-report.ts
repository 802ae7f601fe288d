import { isUtf8 } from 'node:buffer';
import { ShopflowError } from '../../framework/index.js';

/** One record of a landed file that could not be read, with the line it starts on and why. */
export interface RejectedRecord {
  /** Line of the landed file where the record starts (the header is line 1 of a CSV file). */
  line: number;
  /** Why, naming the column where one is to blame, with the start of the line. */
  reason: string;
}

/** What reading one landed file found: records read, rows kept, records rejected. */
export interface LandedFileReport {
  /** What was read, as messages name it (the landing key). */
  source: string;
  /** Data records in the file (after a CSV header): `rows + rejected.length`. */
  records: number;
  /** Well-formed records, written to the output. */
  rows: number;
  rejected: RejectedRecord[];
  /** The header's columns in file order (CSV only). */
  header?: string[];
  /** Whether the header named the declared columns in another order (they were read by name). */
  reordered?: boolean;
}

/** Records longer than this are rejected: no real row of a ShopFlow extract comes near it. */
export const MAX_RECORD_BYTES = 1 << 20;

/** Bytes looked at to tell a binary file from text (as git does: a NUL byte among them). */
export const BINARY_SNIFF_BYTES = 8000;

const PREVIEW_CHARS = 60;

/**
 * The start of a line for a message: valid text as is, anything else escaped (`\xNN`, `\n`), cut
 * after 60 characters.
 *
 * @example
 * linePreview(Buffer.from('7,"Ann\x00')); // '7,"Ann\\x00'
 */
export function linePreview(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, PREVIEW_CHARS * 4));
  // NOTE: valid UTF-8 keeps its letters; anything else is shown byte by byte.
  const text = isUtf8(head) ? head.toString('utf8') : head.toString('latin1');
  const escapeBytes = !isUtf8(head);
  let out = '';
  let shown = 0;
  for (const ch of text) {
    if (shown >= PREVIEW_CHARS) return `${out}…`;
    shown++;
    const code = ch.codePointAt(0)!;
    if (code === 0x0a) out += '\\n';
    else if (code === 0x0d) out += '\\r';
    else if (code === 0x09) out += '\\t';
    else if (code < 0x20 || code === 0x7f || (escapeBytes && code >= 0x80))
      out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return shown < [...text].length || head.length < bytes.length ? `${out}…` : out;
}

/** The offset of the first NUL byte among the first {@link BINARY_SNIFF_BYTES}, or -1. */
export function binarySniff(bytes: Uint8Array): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, BINARY_SNIFF_BYTES)).indexOf(0);
}

/** The error for a file whose last line, without a line break, cannot be read: it was cut short. */
export function truncated(source: string, line: number, problem: string, preview: string): ShopflowError {
  return new ShopflowError(
    'SF_INPUT_INVALID',
    `${source} ends in the middle of line ${line} (${problem}: ${preview}, and no line break): the file looks truncated`,
    { hint: 'deliver the whole file again', details: { source, line } },
  );
}
