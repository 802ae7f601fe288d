import { describe, expect, it } from 'vitest';
import { toCsvLine } from '../../../assets/raw/simulator/index.js';
import { parseCsv } from './parse-csv.js';

describe('toCsvLine', () => {
  it('quotes only fields that need it and doubles inner quotes', () => {
    expect(toCsvLine([1, 'plain', null, 2.5])).toBe('1,plain,,2.5');
    expect(toCsvLine(['Smith, Jo', 'say "hi"', 'two\nlines'])).toBe('"Smith, Jo","say ""hi""","two\nlines"');
  });

  it('round-trips awkward values through an independent RFC 4180 reader', () => {
    const values = [
      'Quigley, Glenn',
      'Marilou "Matteo" Murray',
      '"',
      ',',
      '',
      'a\r\nb',
      "O'Reilly",
      'ünïcødé',
    ];
    expect(parseCsv(`${toCsvLine(values)}\n`)).toEqual([values]);
  });
});
