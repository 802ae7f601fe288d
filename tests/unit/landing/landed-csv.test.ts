import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readLandedCsv } from '../../../assets/bronze/landed-csv.js';
import { isShopflowError } from '../../../framework/index.js';

const dir = mkdtempSync(join(tmpdir(), 'landed-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COLUMNS = ['id', 'name', 'price'];
const SOURCE = 'raw/year=2024/month=01/day=15/products/products.csv';

function read(content: string | Buffer) {
  const input = join(dir, 'in.csv');
  const output = join(dir, 'out.csv');
  writeFileSync(input, content);
  const report = readLandedCsv(input, output, { columns: COLUMNS, source: SOURCE });
  return { report, output: readFileSync(output, 'utf8') };
}

function failure(content: string | Buffer): string {
  try {
    read(content);
  } catch (error) {
    if (isShopflowError(error, 'SF_INPUT_INVALID')) return error.message;
    throw error;
  }
  throw new Error('the file was read');
}

describe('a landed CSV file is read against its declared header', () => {
  test('a well-formed file is written out as it is, with the line of every row', () => {
    const { report, output } = read('id,name,price\n1,Ann,3.50\n2,"Lee, Bo",4\r\n3,,5\n');
    expect(report).toMatchObject({ records: 3, rows: 3, rejected: [], reordered: false });
    expect(output).toBe('id,name,price,source_line,load_error\n1,Ann,3.50,2,\n2,"Lee, Bo",4,3,\n3,,5,4,\n');
  });

  test('columns in another order are read by name', () => {
    const { report, output } = read('price,id,name\n3.50,1,Ann\n');
    expect(report.reordered).toBe(true);
    expect(output).toBe('id,name,price,source_line,load_error\n1,Ann,3.50,2,\n');
  });

  test('a header that lacks, adds or repeats a column fails, naming the file, the line and the column', () => {
    expect(failure('id,name\n1,Ann\n')).toBe(
      `${SOURCE}: line 1 (the header) lacks \`price\`; the header must name the columns id,name,price (in any order); fix the file and deliver it again`,
    );
    expect(failure('id,name,price,prise\n1,Ann,3,3\n')).toContain(
      'line 1 (the header) unknown column `prise` (column 4)',
    );
    expect(failure('id,nme,price\n1,Ann,3\n')).toContain(
      'unknown column `nme` (column 2), did you mean `name`?; lacks `name`',
    );
    expect(failure('id,name,id,price\n')).toContain('column `id` appears twice (columns 1 and 3)');
  });

  test('an empty or binary file fails with one clear message', () => {
    expect(failure('')).toMatch(
      /^raw\/year=2024\/month=01\/day=15\/products\/products\.csv is empty \(0 bytes\)/,
    );
    expect(failure(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x10]))).toContain(
      'is not a text file (a NUL byte at byte 5, line 1)',
    );
  });

  test('a last line cut short fails the file as truncated; a complete one without a line break is read', () => {
    expect(failure('id,name,price\n1,Ann,3\n2,B')).toBe(
      `${SOURCE} ends in the middle of line 3 (2 fields where the header has 3: \`price\` missing: 2,B, and no line break): the file looks truncated; deliver the whole file again`,
    );
    expect(read('id,name,price\n1,Ann,3').report).toMatchObject({ rows: 1, rejected: [] });
  });

  test('a quote never closed rejects its own line only, whatever follows', () => {
    const { report } = read('id,name,price\n1,"Ann,3\n2,Bo,4\n');
    expect(report.rejected).toEqual([
      { line: 2, reason: 'a quoted field opened in column 2 is never closed: 1,"Ann,3' },
    ]);
    expect(report.rows).toBe(1);
  });

  test('records that cannot be read become rejected rows with the line and the reason', () => {
    const { report, output } = read(
      Buffer.concat([
        Buffer.from(
          ['id,name,price', '1,Ann,3', '2,Bo,4,extra', '3,Cy', '', '4,"Di,5', '5,Ed,6', '6,E"d,7', ''].join(
            '\n',
          ),
        ),
        Buffer.from([0x37, 0x2c, 0xff, 0x2c, 0x38, 0x0a]),
        Buffer.from('8,Flo,9'),
      ]),
    );
    expect(report.rows).toBe(3);
    expect(report.rejected.map((r) => [r.line, r.reason])).toEqual([
      [3, '4 fields where the header has 3: a field after the last column `price`: 2,Bo,4,extra'],
      [4, '2 fields where the header has 3: `price` missing: 3,Cy'],
      [5, 'a blank line'],
      [6, 'a quoted field opened in column 2 is not closed on its line: 4,"Di,5'],
      [8, 'a stray quote inside column 2: 6,E"d,7'],
      [9, 'bytes that are not UTF-8 text: 7,\\xff,8'],
    ]);
    expect(report.records).toBe(9);
    const lines = output.trim().split('\n');
    expect(lines).toContain('5,Ed,6,7,');
    expect(lines).toContain('8,Flo,9,10,');
    expect(lines).toContain(',,,4,"2 fields where the header has 3: `price` missing: 3,Cy"');
  });

  test('plain lines, written as they are, read the same as lines parsed field by field', () => {
    const lines = ['1,Ann,3.50', '2,Zoë Ñ,4', '3,,5', '4,"Lee, Bo",6', '5,Ed,'];
    // NOTE: a carriage return sends every line down the field-by-field parser.
    const plain = read(`id,name,price\n${lines.join('\n')}\n`);
    const parsed = read(`id,name,price\r\n${lines.join('\r\n')}\r\n`);
    expect(plain.output).toBe(parsed.output);
    expect(plain.report).toEqual(parsed.report);
    expect(plain.output).toBe(
      'id,name,price,source_line,load_error\n1,Ann,3.50,2,\n2,Zoë Ñ,4,3,\n3,,5,4,\n4,"Lee, Bo",6,5,\n5,Ed,,6,\n',
    );
  });

  test('a plain line with a NUL byte is rejected, not written as it is', () => {
    // NOTE: past the bytes a binary file is recognised by, so the line is read as a record.
    const filler = '0,Al,1\n'.repeat(1200);
    const { report, output } = read(Buffer.from(`id,name,price\n${filler}1,A\x00n,3\n2,Bo,4\n`));
    expect(report.rejected).toEqual([{ line: 1202, reason: 'a NUL byte at position 4: 1,A\\x00n,3' }]);
    expect(output.trim().split('\n').slice(-2)).toEqual([
      ',,,1202,"a NUL byte at position 4: 1,A\\x00n,3"',
      '2,Bo,4,1203,',
    ]);
  });
});
