import { describe, expect, it } from 'vitest';
import { isShopflowError, type ShopflowError } from '../../../framework/errors/error-catalog.js';
import {
  customersSpec,
  productsSpec,
  transactionsSpec,
} from '../../../resources/postgres/shopflow-tables.js';
import { quoteIdentifier } from '../../../resources/postgres/sql-identifier.js';
import { type TableSpec, targetColumns, validateTableSpec } from '../../../resources/postgres/table-spec.js';

function invalid(spec: TableSpec): ShopflowError {
  try {
    validateTableSpec(spec);
  } catch (error) {
    if (isShopflowError(error, 'SF_INPUT_INVALID')) return error;
    throw error;
  }
  throw new Error('expected validateTableSpec to throw');
}

const base: TableSpec = {
  table: 'shopflow.things',
  key: ['thing_id'],
  columns: [
    { name: 'thing_id', type: 'bigint' },
    { name: 'label', type: 'text' },
    { name: 'price', type: 'numeric(12,2)' },
  ],
  compare: ['label', 'price'],
};

describe('validateTableSpec', () => {
  it('accepts the ShopFlow specs and a plain spec', () => {
    for (const spec of [customersSpec, productsSpec, transactionsSpec, base]) validateTableSpec(spec);
  });

  it('names an unknown compare column and suggests the near one', () => {
    const error = invalid({ ...base, compare: ['lable'] });
    expect(error.message).toContain('`lable` is not a target column');
    expect(error.message).toContain('did you mean `label`?');
  });

  it('rejects unqualified tables, bad identifiers, bad types and loader-owned columns', () => {
    expect(invalid({ ...base, table: 'things' }).message).toContain('schema-qualified');
    expect(
      invalid({ ...base, columns: [...base.columns, { name: 'Bad Name', type: 'text' }] }).message,
    ).toContain('`Bad Name` is not a valid SQL name');
    expect(
      invalid({ ...base, columns: [...base.columns, { name: 'x', type: 'text; drop table y' }] }).message,
    ).toContain('invalid type');
    expect(
      invalid({ ...base, columns: [...base.columns, { name: 'version', type: 'int' }] }).message,
    ).toContain('maintained by the loader');
    expect(invalid({ ...base, columns: [...base.columns, { name: '_row', type: 'int' }] }).message).toContain(
      'reserved',
    );
  });

  it('rejects a lookup reading a column that does not arrive', () => {
    const error = invalid({
      ...base,
      lookups: [{ table: 'shopflow.labels', naturalKey: 'name', id: 'label_id', from: 'lable' }],
    });
    expect(error.message).toContain('did you mean `label`?');
  });
});

describe('targetColumns', () => {
  it('maps incoming columns to themselves by default', () => {
    expect(targetColumns(base).map((column) => column.name)).toEqual(['thing_id', 'label', 'price']);
  });

  it('replaces a lookup’s source column by the lookup id', () => {
    expect(targetColumns(productsSpec)).toEqual([
      { name: 'product_id', expression: 's.product_id' },
      { name: 'name', expression: 's.name' },
      { name: 'price', expression: 's.price' },
      { name: 'source_updated_at', expression: 's.updated_at' },
      { name: 'category_id', expression: 'l0."category_id"' },
      { name: 'supplier_id', expression: 'l1."supplier_id"' },
    ]);
  });
});

describe('quoteIdentifier', () => {
  it('quotes each part of a qualified name', () => {
    expect(quoteIdentifier('shopflow.customers')).toBe('"shopflow"."customers"');
    expect(quoteIdentifier('timestamp')).toBe('"timestamp"');
  });
});
