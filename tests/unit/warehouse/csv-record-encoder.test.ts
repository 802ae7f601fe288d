import { describe, expect, it } from 'vitest';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
import { encodeCsvField, encodeCsvRecords } from '../../../resources/postgres/csv-record-encoder.js';

async function collect(chunks: AsyncIterable<Buffer>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(chunk.toString('utf8'));
  return out;
}

describe('encodeCsvField', () => {
  it('writes null and undefined as an unquoted empty field and the empty string as ""', () => {
    expect(encodeCsvField(null, 'text')).toBe('');
    expect(encodeCsvField(undefined, 'text')).toBe('');
    expect(encodeCsvField('', 'text')).toBe('""');
  });

  it('quotes separators, quotes, line breaks and backslashes, doubling quotes', () => {
    expect(encodeCsvField('plain', 'text')).toBe('plain');
    expect(encodeCsvField('a,b', 'text')).toBe('"a,b"');
    expect(encodeCsvField('say "hi"', 'text')).toBe('"say ""hi"""');
    expect(encodeCsvField('two\nlines', 'text')).toBe('"two\nlines"');
    expect(encodeCsvField('cr\rhere', 'text')).toBe('"cr\rhere"');
    expect(encodeCsvField('\\.', 'text')).toBe('"\\."');
  });

  it('writes numbers, bigints and booleans as text', () => {
    expect(encodeCsvField(12.5, 'numeric')).toBe('12.5');
    expect(encodeCsvField(9007199254740993n, 'bigint')).toBe('9007199254740993');
    expect(encodeCsvField(true, 'boolean')).toBe('true');
  });

  it('writes a Date as ISO 8601, and only the UTC day for date columns', () => {
    const at = new Date('2024-03-01T23:30:00.000Z');
    expect(encodeCsvField(at, 'timestamptz')).toBe('2024-03-01T23:30:00.000Z');
    expect(encodeCsvField(at, 'date')).toBe('2024-03-01');
  });

  it('rejects an invalid Date with SF_INPUT_INVALID', () => {
    let error: unknown;
    try {
      encodeCsvField(new Date('nope'), 'date');
    } catch (caught) {
      error = caught;
    }
    expect(isShopflowError(error, 'SF_INPUT_INVALID')).toBe(true);
  });

  it('uses an object’s own toString, and JSON otherwise', () => {
    expect(encodeCsvField({ toString: () => '12.30' }, 'numeric')).toBe('12.30');
    expect(encodeCsvField({ a: 1 }, 'jsonb')).toBe('"{""a"":1}"');
  });
});

describe('encodeCsvRecords', () => {
  const columns = [
    { name: 'id', type: 'bigint' },
    { name: 'note', type: 'text' },
  ];

  it('encodes records in column order, missing keys as null, one line per record', async () => {
    const chunks = await collect(
      encodeCsvRecords([{ note: 'x', id: 1 }, { id: 2 }, { id: 3, note: 'a,b', extra: 'ignored' }], columns),
    );
    expect(chunks.join('')).toBe('1,x\n2,\n3,"a,b"\n');
  });

  it('reads async iterables and yields bounded chunks', async () => {
    async function* rows() {
      for (let id = 1; id <= 1000; id++) yield { id, note: 'n'.repeat(50) };
    }
    const chunks = await collect(encodeCsvRecords(rows(), columns, 4096));
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) expect(chunk.length).toBeLessThan(4096 + 100);
    const lines = chunks.join('').split('\n');
    expect(lines).toHaveLength(1001);
    expect(lines[999]).toBe(`1000,${'n'.repeat(50)}`);
  });

  it('yields nothing for no rows', async () => {
    expect(await collect(encodeCsvRecords([], columns))).toEqual([]);
  });
});
