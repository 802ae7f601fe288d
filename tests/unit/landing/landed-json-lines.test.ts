import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readLandedJsonLines } from '../../../assets/bronze/landed-json-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'landed-jsonl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SOURCE = 'raw/year=2024/month=01/day=15/clickstream/clickstream.jsonl';

async function read(content: string | Buffer) {
  const input = join(dir, 'in.jsonl');
  const output = join(dir, 'out.jsonl');
  writeFileSync(input, content);
  const report = await readLandedJsonLines(input, output, {
    fields: { id: 'string', customer_id: 'integer' },
    source: SOURCE,
  });
  const rows = readFileSync(output, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  return { report, rows };
}

describe('a landed JSON lines file is read against its declared fields', () => {
  test('well-formed lines keep every declared field, absent ones null', async () => {
    const { report, rows } = await read('{"id":"a","customer_id":7}\r\n{"id":"b"}\n');
    expect(report).toMatchObject({ records: 2, rows: 2, rejected: [] });
    expect(rows).toEqual([
      { id: 'a', customer_id: 7, source_line: 1, load_error: null },
      { id: 'b', customer_id: null, source_line: 2, load_error: null },
    ]);
  });

  test('an empty file holds no records', async () => {
    expect((await read('')).report).toMatchObject({ records: 0, rows: 0 });
  });

  test('lines that cannot be read are rejected with the line and the reason', async () => {
    const { report, rows } = await read(
      Buffer.concat([
        Buffer.from(
          [
            '{"id":"a","customer_id":1}',
            '{"id":"b","custmer_id":2}',
            '{"id":"c","customer_id":"x"}',
            '{"id":"d"',
            '[1]',
            '',
            '{"id":"e","customer_id":1.5}',
            '',
          ].join('\n'),
        ),
        Buffer.from([0x7b, 0xff, 0x7d, 0x0a]),
        Buffer.from('{"id":"f"}'),
      ]),
    );
    expect(report.rows).toBe(2);
    expect(report.rejected.map((r) => [r.line, r.reason.replace(/\(.*\)/, '(…)')])).toEqual([
      [2, 'unknown field `custmer_id`, did you mean `customer_id`?: {"id":"b","custmer_id":2}'],
      [3, '`customer_id` is the text "x", expected a whole number: {"id":"c","customer_id":"x"}'],
      [4, 'not valid JSON (…): {"id":"d"'],
      [5, 'not a JSON object but a list: [1]'],
      [6, 'a blank line'],
      [7, '`customer_id` is the number 1.5, expected a whole number: {"id":"e","customer_id":1.5}'],
      [8, 'bytes that are not UTF-8 text: {\\xff}'],
    ]);
    expect(rows.at(-1)).toEqual({ id: 'f', customer_id: null, source_line: 9, load_error: null });
    expect(rows[1]).toMatchObject({ source_line: 2, load_error: expect.stringContaining('unknown field') });
  });

  test('a last line cut short fails the file as truncated', async () => {
    await expect(read('{"id":"a"}\n{"id":"b","cust')).rejects.toThrow(
      `${SOURCE} ends in the middle of line 2 (not valid JSON`,
    );
    expect((await read('{"id":"a"}')).report).toMatchObject({ rows: 1, rejected: [] });
  });

  test('a binary file fails naming the landing key', async () => {
    await expect(read(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]))).rejects.toThrow(
      `${SOURCE} is not a text file (a NUL byte at byte 4)`,
    );
  });

  test('lines in canonical form, kept as they are, read the same as lines parsed field by field', async () => {
    const records = [
      '"id":"a","customer_id":7',
      '"id":"q\\"uote \\\\ slash\\/ \\n \\u00e9 \\ud83d\\ude00 Zoë","customer_id":-0',
      '"id":null,"customer_id":123456789012345',
      '"id":"","customer_id":null',
    ];
    // NOTE: a space after the brace sends a line down the parser; without it, the pattern takes it.
    const canonical = await read(`${records.map((r) => `{${r}}`).join('\n')}\n`);
    const parsed = await read(`${records.map((r) => `{ ${r}}`).join('\n')}\n`);
    expect(canonical.report).toEqual(parsed.report);
    expect(canonical.rows).toEqual(parsed.rows);
    expect(canonical.rows[1]).toEqual({
      id: 'q"uote \\ slash/ \n é 😀 Zoë',
      customer_id: 0,
      source_line: 2,
      load_error: null,
    });
  });

  test('a file of many reads mixing kept, parsed, non-ASCII and rejected lines reads as the parser reads it', async () => {
    // NOTE: 6,000 lines (about 200 KiB) span several reads of the file; ASCII reads are matched as
    // one text, and a read holding `é` goes line by line.
    const lines = Array.from({ length: 6_000 }, (_, i) => {
      if (i % 997 === 3) return '{"id":"cut","customer_id":';
      if (i % 1_499 === 5) return '';
      const id = i % 211 === 7 ? `café-${i}` : `event-${i}-${'x'.repeat(i % 13)}`;
      return `{"id":${JSON.stringify(id)},"customer_id":${i % 17 === 0 ? 'null' : i}}`;
    });
    const endings = lines.map((_, i) => (i % 89 === 1 ? '\r\n' : '\n'));
    const text = (line: (l: string) => string) => lines.map((l, i) => line(l) + endings[i]).join('');
    const kept = await read(text((l) => l));
    const written = readFileSync(join(dir, 'out.jsonl'), 'utf8').split('\n');
    // NOTE: a space after the brace sends a line that reads through the parser.
    const parsed = await read(text((l) => (l.endsWith('}') ? l.replace(/^\{/, '{ ') : l)));
    expect(kept.report).toEqual(parsed.report);
    expect(kept.rows).toEqual(parsed.rows);
    expect(kept.report.rejected.map((r) => r.line)).toEqual(
      lines.flatMap((l, i) => (l === '' || l.endsWith(':') ? [i + 1] : [])),
    );
    // NOTE: a kept line is the landed text as it was, with its line and no error.
    expect(written[4]).toBe(`${lines[4].slice(0, -1)},"source_line":5,"load_error":null}`);
    expect(written).toHaveLength(lines.length + 1);
  });

  test('what JSON does not allow is rejected even when the line looks canonical', async () => {
    const { report } = await read(
      [
        '{"id":"bad \\x escape","customer_id":1}',
        '{"id":"raw\ttab","customer_id":1}',
        '{"id":"a","customer_id":9007199254740993}',
        '{"id":"a","customer_id":1234567890123456}',
        '{"id":"a","__proto__":1}',
        '{"customer_id":1,"id":"b","id":2}',
        '',
      ].join('\n'),
    );
    expect(report.rows).toBe(1);
    expect(report.rejected.map((r) => [r.line, r.reason.replace(/ \(.*\)/, '').replace(/:.*$/, '')])).toEqual(
      [
        [1, 'not valid JSON'],
        [2, 'not valid JSON'],
        [3, '`customer_id` is the number 9007199254740992, expected a whole number'],
        [5, 'unknown field `__proto__`'],
        [6, '`id` is the number 2, expected text'],
      ],
    );
  });
});
