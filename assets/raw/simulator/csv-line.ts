/** A CSV field value: null and undefined are written as an empty field. */
export type CsvValue = string | number | null | undefined;

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One RFC 4180 record without its line ending: fields holding a comma, a quote or a line break are
 * quoted, with inner quotes doubled.
 *
 * @example
 * toCsvLine([7, 'Smith, "Jo"', null]); // '7,"Smith, ""Jo""",'
 */
export function toCsvLine(values: readonly CsvValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += ',';
    const value = values[i];
    if (value == null) continue;
    // NOTE: a number's text never needs quotes; only strings are tested.
    if (typeof value !== 'string') line += String(value);
    else line += NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
  }
  return line;
}
