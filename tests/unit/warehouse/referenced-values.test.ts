import { describe, expect, it } from 'vitest';
import { loadStatements } from '../../../resources/postgres/load-statements.js';
import { lockReferencedRows } from '../../../resources/postgres/set-based-references.js';
import { transactionsSpec } from '../../../resources/postgres/shopflow-tables.js';
import type { TableSpec } from '../../../resources/postgres/table-spec.js';

const transactionKeys = [
  { column: 'customer_id', table: 'shopflow.customers', references: 'customer_id' },
  { column: 'payment_method_id', table: 'shopflow.payment_methods', references: 'payment_method_id' },
  { column: 'product_id', table: 'shopflow.products', references: 'product_id' },
];

describe('the values a load checks its foreign keys with', () => {
  it('reads a straight column as staged, and a lookup id by the natural key it was looked up with', () => {
    const sql = loadStatements(transactionsSpec);
    const values = sql.referencedValues(transactionKeys, false)!;
    expect(values.map((v) => [v.table, v.column])).toEqual([
      ['shopflow.customers', 'customer_id'],
      ['shopflow.payment_methods', 'name'],
      ['shopflow.products', 'product_id'],
    ]);
    expect(values[1].values).toBe(`select s."payment_method" as v from "${sql.stageTable}" s`);
    // NOTE: with rejected rows, their values are left out (they are not written).
    expect(sql.referencedValues(transactionKeys, true)![0].values).toMatch(
      /where not exists \(select 1 from/,
    );
  });

  it('gives up (per-row checks) on a key whose values the staged rows do not hold as they are', () => {
    const computed: TableSpec = {
      table: 'shopflow.things',
      key: ['thing_id'],
      columns: [
        { name: 'thing_id', type: 'bigint' },
        { name: 'owner', type: 'bigint' },
      ],
      target: { thing_id: 's.thing_id', owner_id: 's.owner + 1' },
      compare: ['owner_id'],
    };
    const key = { column: 'owner_id', table: 'shopflow.owners', references: 'owner_id' };
    expect(loadStatements(computed).referencedValues([key], false)).toBeUndefined();
    const unwritten = { column: 'parent_id', table: 'shopflow.things', references: 'thing_id' };
    expect(loadStatements(computed).referencedValues([unwritten], false)).toBeUndefined();
    // NOTE: a lookup into another table than the key's is not the key's check either.
    const elsewhere = { ...transactionKeys[1], table: 'shopflow.other_methods' };
    expect(loadStatements(transactionsSpec).referencedValues([elsewhere], false)).toBeUndefined();
  });

  it('locks the referenced rows as a foreign-key check does and turns the triggers off only when none is missing', () => {
    const text = lockReferencedRows([
      { table: 'shopflow.customers', column: 'customer_id', values: 'select 1 as v' },
    ]);
    expect(text).toContain('join k0 on r."customer_id" = k0.v for key share of r');
    expect(text).toMatch(
      /case when missing = 0 then set_config\('session_replication_role', 'replica', true\) end/,
    );
    expect(lockReferencedRows([])).toContain("set_config('session_replication_role', 'replica', true)");
  });
});
