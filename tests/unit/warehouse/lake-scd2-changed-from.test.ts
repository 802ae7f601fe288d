import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lakeScd2ChangedFrom, lakeScd2Versions } from '../../../assets/warehouse/lake-scd2-versions.js';

// Two change sets of a customer dimension (before and after a load) are turned into SCD2 versions
// with `lakeScd2Versions`; `lakeScd2ChangedFrom` must name the earliest instant at which the
// version valid for some customer differs between them.

type Change = [customerId: number, name: string, email: string, updatedAt: string];

const TRACKED = ['name', 'email'];

const ANNA = (name: string, email: string, at: string): Change => [1, name, email, at];
const BEN = (name: string, email: string, at: string): Change => [2, name, email, at];

const BASE: Change[] = [
  ANNA('Anna', 'anna@x.io', '2024-01-01T08:00:00Z'),
  BEN('Ben', 'ben@x.io', '2024-01-02T09:00:00Z'),
];

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

async function changesTable(name: string, changes: Change[]): Promise<void> {
  const values = changes.map(([id, n, e, at]) => `(${id}, '${n}', '${e}', TIMESTAMPTZ '${at}')`).join(', ');
  await connection.run(
    `CREATE OR REPLACE TABLE ${name} AS SELECT * FROM (VALUES ${values}) t(customer_id, name, email, updated_at)`,
  );
}

async function versionsTable(name: string, changes: Change[]): Promise<void> {
  await changesTable(`${name}_changes`, changes);
  await connection.run(
    `CREATE OR REPLACE TABLE ${name} AS ${lakeScd2Versions(`${name}_changes`, 'customer_id', TRACKED, 'updated_at')}`,
  );
}

/** `changedFrom` between the dimensions built from `before` and `after`, as an ISO instant or null. */
async function changedFrom(before: Change[], after: Change[]): Promise<string | null> {
  await versionsTable('previous_dim', before);
  await versionsTable('current_dim', after);
  const query = lakeScd2ChangedFrom('previous_dim', 'current_dim', 'customer_id', TRACKED);
  const reader = await connection.runAndReadAll(
    `SELECT strftime(h, '%Y-%m-%dT%H:%M:%SZ') AS h FROM (${query}) q(h)`,
  );
  const rows = reader.getRowObjectsJson();
  expect(rows).toHaveLength(1);
  return (rows[0].h as string | null) ?? null;
}

async function versionsOf(changes: Change[]) {
  await versionsTable('shown_dim', changes);
  const reader = await connection.runAndReadAll(
    `SELECT customer_id::INTEGER AS id, name, strftime(valid_from, '%Y-%m-%d') AS valid_from,
       CASE WHEN isinf(valid_to) THEN 'infinity' ELSE strftime(valid_to, '%Y-%m-%d') END AS valid_to,
       is_current, version FROM shown_dim ORDER BY customer_id, valid_from`,
  );
  return reader.getRowObjectsJson();
}

describe('lakeScd2ChangedFrom', () => {
  it('a new version of an existing customer changes from its own start, not from the version it closes', async () => {
    const after = [...BASE, ANNA('Anna B', 'anna@x.io', '2024-01-05T10:00:00Z')];
    expect(await versionsOf(after)).toEqual([
      {
        id: 1,
        name: 'Anna',
        valid_from: '2024-01-01',
        valid_to: '2024-01-05',
        is_current: false,
        version: 1,
      },
      {
        id: 1,
        name: 'Anna B',
        valid_from: '2024-01-05',
        valid_to: 'infinity',
        is_current: true,
        version: 2,
      },
      { id: 2, name: 'Ben', valid_from: '2024-01-02', valid_to: 'infinity', is_current: true, version: 1 },
    ]);
    expect(await changedFrom(BASE, after)).toBe('2024-01-05T10:00:00Z');
  });

  it('a late change between two versions changes from its start', async () => {
    const before = [...BASE, ANNA('Anna C', 'anna@x.io', '2024-01-09T00:00:00Z')];
    const after = [...before, ANNA('Anna B', 'anna@x.io', '2024-01-05T10:00:00Z')];
    expect((await versionsOf(after)).filter((v) => v.id === 1).map((v) => [v.name, v.version])).toEqual([
      ['Anna', 1],
      ['Anna B', 2],
      ['Anna C', 3],
    ]);
    expect(await changedFrom(before, after)).toBe('2024-01-05T10:00:00Z');
  });

  it('identical versions change nothing', async () => {
    expect(await changedFrom(BASE, BASE)).toBeNull();
    // A change that repeats the tracked attributes starts no version.
    const repeated = [...BASE, BEN('Ben', 'ben@x.io', '2024-01-03T00:00:00Z')];
    expect(await changedFrom(BASE, repeated)).toBeNull();
  });

  it('a new customer changes from its first version', async () => {
    const after = [
      ...BASE,
      [3, 'Cleo', 'cleo@x.io', '2024-01-04T12:00:00Z'] as Change,
      [3, 'Cleo', 'cleo@y.io', '2024-01-06T12:00:00Z'] as Change,
    ];
    expect(await changedFrom(BASE, after)).toBe('2024-01-04T12:00:00Z');
  });

  it('a removed version changes from its start', async () => {
    const before = [...BASE, BEN('Ben', 'ben@y.io', '2024-01-07T00:00:00Z')];
    expect(await changedFrom(before, BASE)).toBe('2024-01-07T00:00:00Z');
  });

  it('an altered attribute of a version changes from its start', async () => {
    const before = [...BASE, BEN('Ben', 'ben@y.io', '2024-01-07T00:00:00Z')];
    const after = [...BASE, BEN('Ben', 'ben@z.io', '2024-01-07T00:00:00Z')];
    expect(await changedFrom(before, after)).toBe('2024-01-07T00:00:00Z');
  });

  it('a first version that starts earlier changes from the earlier start', async () => {
    const after = [...BASE, BEN('Ben', 'ben@x.io', '2023-12-30T00:00:00Z')];
    expect((await versionsOf(after)).filter((v) => v.id === 2)).toEqual([
      { id: 2, name: 'Ben', valid_from: '2023-12-30', valid_to: 'infinity', is_current: true, version: 1 },
    ]);
    expect(await changedFrom(BASE, after)).toBe('2023-12-30T00:00:00Z');
  });

  it('several changes count from the earliest', async () => {
    const after = [
      ...BASE,
      ANNA('Anna B', 'anna@x.io', '2024-01-08T00:00:00Z'),
      BEN('Ben', 'ben@y.io', '2024-01-06T00:00:00Z'),
    ];
    expect(await changedFrom(BASE, after)).toBe('2024-01-06T00:00:00Z');
  });
});
