import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedFromColumn } from '../../../framework/index.js';

// `changedFromColumn('updated_at')` compares two versions of a table whose rows are dated by
// `updated_at` and returns the earliest date among the rows that differ.

let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
});

afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

type Row = [id: number, name: string, updatedAt: string | null];

function relation(rows: Row[]): { toSql: () => string } {
  const values = rows
    .map(
      ([id, name, at]) => `(${id}, '${name}', ${at === null ? 'NULL::TIMESTAMPTZ' : `TIMESTAMPTZ '${at}'`})`,
    )
    .join(', ');
  return { toSql: () => `(SELECT * FROM (VALUES ${values}) t(id, name, updated_at))` };
}

/** The query's one value as `{ kind, at }`: null (nothing differs), -infinity or an ISO instant. */
async function changedFrom(previous: Row[], current: Row[]) {
  const query = changedFromColumn('updated_at')({ previous: relation(previous), current: relation(current) });
  const reader = await connection.runAndReadAll(
    `SELECT h IS NULL AS none, isinf(h) AS unbounded, CASE WHEN isinf(h) THEN NULL ELSE strftime(h, '%Y-%m-%dT%H:%M:%SZ') END AS at FROM (${query.text}) q(h)`,
  );
  const [row] = reader.getRowObjectsJson();
  return row.none ? 'nothing' : row.unbounded ? 'always' : row.at;
}

const BASE: Row[] = [
  [1, 'Anna', '2024-01-01T08:00:00Z'],
  [2, 'Ben', '2024-01-03T09:00:00Z'],
];

describe('changedFromColumn', () => {
  it('is NULL when the rows are the same, in any order', async () => {
    expect(await changedFrom(BASE, [...BASE].reverse())).toBe('nothing');
  });

  it('is the date of an added row', async () => {
    expect(await changedFrom(BASE, [...BASE, [3, 'Cleo', '2024-01-05T00:00:00Z']])).toBe(
      '2024-01-05T00:00:00Z',
    );
  });

  it('is the earlier date of a row altered in place', async () => {
    const altered: Row[] = [BASE[0], [2, 'Benjamin', '2024-01-03T09:00:00Z']];
    expect(await changedFrom(BASE, altered)).toBe('2024-01-03T09:00:00Z');
  });

  it('is the date of a removed row, and the earliest of several changes', async () => {
    expect(await changedFrom(BASE, [BASE[1]])).toBe('2024-01-01T08:00:00Z');
    expect(
      await changedFrom(BASE, [
        BASE[0],
        [2, 'Ben', '2024-01-02T00:00:00Z'],
        [3, 'Cleo', '2024-01-09T00:00:00Z'],
      ]),
    ).toBe('2024-01-02T00:00:00Z');
  });

  it('counts a duplicate row as a change (rows are compared as a multiset)', async () => {
    expect(await changedFrom(BASE, [...BASE, BASE[1]])).toBe('2024-01-03T09:00:00Z');
  });

  it('is -infinity when a changed row has no date: readers at any time may see it', async () => {
    expect(await changedFrom(BASE, [...BASE, [3, 'Cleo', null]])).toBe('always');
    expect(await changedFrom([...BASE, [3, 'Cleo', null]], BASE)).toBe('always');
  });
});
