import { createHash } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { defineAsset, defineDefinitions, sql } from '../../../framework/index.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** One column of each kind a lake table holds, nested ones included. */
const KINDS = `select 1::BIGINT as id, 'x' as "a name", 1.5::DECIMAL(12, 2) as price, TIMESTAMPTZ '2024-01-01 10:00:00+00' as at,
  DATE '2024-01-01' as day, true as ok, 1.5::DOUBLE as ratio, [1, 2] as list, NULL::INTEGER as nothing,
  12::HUGEINT as big, 3::UTINYINT as small, INTERVAL 1 DAY as span, {'k': 1, 'v': 'w'} as pair`;

describe('the columns of a written file', () => {
  test('a written partition records its columns as DESCRIBE spells them, nested types included, and its data version by definition', async () => {
    const kinds = defineAsset({
      key: 'kinds',
      description: 'one column of each kind',
      schema: z.object(
        Object.fromEntries(
          [
            'id',
            'a name',
            'price',
            'at',
            'day',
            'ok',
            'ratio',
            'list',
            'nothing',
            'big',
            'small',
            'span',
            'pair',
          ].map((name) => [name, z.unknown()]),
        ),
      ),
      materialize: () => sql`${sql.raw(KINDS)}`,
    });
    const { home, cleanup } = tempHome();
    const runtime = await openTestRuntime(defineDefinitions({ assets: [kinds] }), home);
    cleanups.push(cleanup, () => runtime.close());
    const result = await runtime.execute(await runtime.plan());
    expect([...result.outcomes.values()].map((o) => o.status)).toEqual(['success']);
    const [materialization] = await runtime.store.listMaterializations({ assetKey: 'kinds' });
    const session = await runtime.engine.session();
    cleanups.push(() => session.close());
    const file = runtime.lake.locate({ assetKey: 'kinds', partitionKey: null }, 'data.parquet');
    const described = await session.query(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    const schema = described.map((row) => ({ name: row.column_name, type: row.column_type }));
    expect(materialization.metadata.schema).toEqual(schema);
    expect(schema.find((c) => c.name === 'pair')?.type).toMatch(/^STRUCT\(/);
    expect(materialization.rowCount).toBe(1);
    // The data version by its definition, computed the long way (the columns, the row count, the
    // sum of the rows' hashes as structs): a scan that gave another version for the same data
    // would re-open every partition of every existing lake.
    const [scan] = await session.query(
      `SELECT count(*)::BIGINT AS n, sum(hash(r)::HUGEINT)::VARCHAR AS h FROM (SELECT t AS r FROM read_parquet('${file}') t)`,
    );
    expect(materialization.dataVersion).toBe(
      createHash('sha256')
        .update(JSON.stringify(schema))
        .update(`|${scan.n}|${scan.h}`)
        .digest('hex')
        .slice(0, 20),
    );
  });
});
