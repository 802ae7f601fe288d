import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DuckDbEngine } from '../../../framework/duckdb/duckdb-session.js';
import { structFields } from '../../../framework/duckdb/struct-type-text.js';

describe('structFields', () => {
  test('splits a STRUCT type at its top-level commas and unquotes the names', () => {
    expect(
      structFields(
        `STRUCT(id BIGINT, "first name" VARCHAR, "say ""hi""" VARCHAR, price DECIMAL(12,2), tags VARCHAR[], kind ENUM('a, b', 'it''s'), nested STRUCT("x, y" INTEGER, z DOUBLE[3]), m MAP(VARCHAR, INTEGER[]))`,
      ),
    ).toEqual([
      { name: 'id', type: 'BIGINT' },
      { name: 'first name', type: 'VARCHAR' },
      { name: 'say "hi"', type: 'VARCHAR' },
      { name: 'price', type: 'DECIMAL(12,2)' },
      { name: 'tags', type: 'VARCHAR[]' },
      { name: 'kind', type: "ENUM('a, b', 'it''s')" },
      { name: 'nested', type: 'STRUCT("x, y" INTEGER, z DOUBLE[3])' },
      { name: 'm', type: 'MAP(VARCHAR, INTEGER[])' },
    ]);
  });

  test('refuses text that is not a whole STRUCT type', () => {
    expect(structFields('INTEGER')).toBeUndefined();
    expect(structFields('STRUCT(a INTEGER')).toBeUndefined();
    expect(structFields('STRUCT(a INTEGER, b DECIMAL(12,2)')).toBeUndefined();
    expect(structFields('STRUCT("a INTEGER)')).toBeUndefined();
  });
});

describe('a written file read back in one scan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shopflow-columns-'));
  const engine = new DuckDbEngine({ threads: 1 });
  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // NOTE: every type the lake tables write, and the nested and quoted cases, with NULLs.
  const QUERY = `select range::BIGINT as id, (range % 7)::INTEGER as "order", 'n' || range as "first name",
      (range / 3)::DECIMAL(12,2) as price, (range * 1.5)::DECIMAL(18,2) as amount, range / 7 as ratio,
      TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(range) as ts, DATE '2024-01-01' + range::INTEGER as day,
      range % 2 = 0 as even, case when range % 3 = 0 then null else 'x' end as maybe,
      [range, range + 1] as pair, {'a': range, 'b c': 'v' || range} as nest, uuid() is not null as has_uuid,
      TIME '01:02:03' as at, INTERVAL 3 DAY as span, 'blob'::BLOB as raw, range::HUGEINT as big,
      map(['k'], [range]) as m
    from range(50)`;

  test('the columns taken from the row type are the columns a bind of the file gives', async () => {
    const file = join(dir, 'wide.parquet');
    const session = await engine.session();
    try {
      await session.run(`COPY (${QUERY}) TO '${file}' (FORMAT parquet)`);
      const relation = `read_parquet(['${file}'], union_by_name = true, hive_partitioning = false)`;
      const [row] = await session.query(`SELECT any_value(typeof(s)) AS ty FROM ${relation} s`);
      const bound = await session.columnsOf(`SELECT * FROM ${relation}`);
      expect(bound.length).toBe(18);
      expect(structFields(String(row.ty))).toEqual(bound);
    } finally {
      session.close();
    }
  });

  test("the sum of the columns' combined hashes equals the sum of the rows' struct hashes", async () => {
    const file = join(dir, 'hash.parquet');
    const session = await engine.session();
    try {
      await session.run(
        `COPY (${QUERY.replace('uuid() is not null', 'true')}) TO '${file}' (FORMAT parquet)`,
      );
      const relation = `read_parquet(['${file}'], union_by_name = true, hive_partitioning = false)`;
      const [struct] = await session.query(
        `SELECT sum(hash(r)::HUGEINT)::VARCHAR AS h FROM (SELECT t AS r FROM ${relation} t)`,
      );
      const [columns] = await session.query(
        `SELECT sum(hash(*COLUMNS(*))::HUGEINT)::VARCHAR AS h FROM ${relation}`,
      );
      const [reordered] = await session.query(
        `SELECT sum(hash("first name", *COLUMNS(* EXCLUDE ("first name")))::HUGEINT)::VARCHAR AS h FROM ${relation}`,
      );
      expect(columns.h).toBe(struct.h);
      // Column order counts: the same values in another column order are other data.
      expect(reordered.h).not.toBe(struct.h);
    } finally {
      session.close();
    }
  });
});
