import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { featureColumn } from '../../../assets/features/feature-column.js';
import {
  decimal,
  decimalTypeOf,
  isShopflowError,
  schemaColumns,
  storedTypeMismatches,
  storedTypeSatisfies,
} from '../../../framework/index.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('decimal(precision, scale)', () => {
  test('declares a DECIMAL column that every schema reader shows, through describe, nullable and meta', () => {
    const schema = z.object({
      unit_price: decimal(12, 2).describe('Price per unit paid, EUR'),
      refund: decimal(18, 2).nullable().describe('Refunded, EUR'),
      rate: decimal(9, 4).optional(),
      feature: featureColumn(decimal(18, 2), { description: 'Spend, EUR', version: 2, sources: ['x'] }),
      cents: z.array(decimal(18, 0)),
      plain: z.number(),
      count: z.int(),
    });
    expect(schemaColumns(schema).map((c) => [c.name, c.type, c.nullable, c.description])).toEqual([
      ['unit_price', 'DECIMAL(12,2)', false, 'Price per unit paid, EUR'],
      ['refund', 'DECIMAL(18,2)', true, 'Refunded, EUR'],
      ['rate', 'DECIMAL(9,4)', true, ''],
      ['feature', 'DECIMAL(18,2)', false, 'Spend, EUR'],
      ['cents', 'DECIMAL(18,0)[]', false, ''],
      ['plain', 'DOUBLE', false, ''],
      ['count', 'BIGINT', false, ''],
    ]);
    expect(decimalTypeOf(schema.shape.refund)).toEqual({ precision: 18, scale: 2 });
    expect(decimalTypeOf(schema.shape.plain)).toBeUndefined();
  });

  test('accepts values that fit and rejects more decimals or more integer digits than declared', () => {
    const price = decimal(6, 2);
    for (const ok of [0, 10.99, -0.05, 9999.99, 1e-2])
      expect(price.safeParse(ok).success, String(ok)).toBe(true);
    for (const bad of [10.999, 0.1 + 0.2, 10_000, -10_000.5]) {
      const result = price.safeParse(bad);
      expect(result.success, String(bad)).toBe(false);
      expect(result.error?.issues[0].message).toContain('DECIMAL(6,2)');
    }
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, '10.99'])
      expect(price.safeParse(bad).success, String(bad)).toBe(false);
  });

  test('a precision or scale that no table can store is a definition error naming it', () => {
    for (const [precision, scale, named] of [
      [0, 0, 'precision 0'],
      [39, 2, 'precision 39'],
      [12.5, 2, 'precision 12.5'],
      [12, -1, 'scale -1'],
      [12, 13, 'scale 13'],
    ] as const) {
      const error = thrown(() => decimal(precision, scale));
      expect(isShopflowError(error) && error.code).toBe('SF_INVALID_ASSET');
      expect((error as Error).message).toContain(`decimal(${precision}, ${scale}) has ${named}`);
    }
  });
});

describe('stored types against declared types', () => {
  test('decimals match only in precision and scale; integers of any width up to 64 bits satisfy z.int()', () => {
    expect(storedTypeSatisfies('DECIMAL(18,2)', 'DECIMAL(18,2)')).toBe(true);
    expect(storedTypeSatisfies('DECIMAL(18,2)', 'decimal(18, 2)')).toBe(true);
    expect(storedTypeSatisfies('DECIMAL(18,2)', 'DECIMAL(12,2)')).toBe(false);
    expect(storedTypeSatisfies('DECIMAL(18,2)', 'DECIMAL(18,3)')).toBe(false);
    expect(storedTypeSatisfies('DECIMAL(18,2)', 'DOUBLE')).toBe(false);
    expect(storedTypeSatisfies('DOUBLE', 'DECIMAL(18,2)')).toBe(false);
    for (const width of ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'UINTEGER'])
      expect(storedTypeSatisfies('BIGINT', width), width).toBe(true);
    for (const wide of ['HUGEINT', 'UBIGINT', 'DOUBLE', 'DECIMAL(18,0)'])
      expect(storedTypeSatisfies('BIGINT', wide), wide).toBe(false);
    expect(storedTypeSatisfies('TIMESTAMPTZ', 'TIMESTAMP WITH TIME ZONE')).toBe(true);
    expect(storedTypeSatisfies('TIMESTAMPTZ', 'TIMESTAMP')).toBe(false);
    expect(storedTypeSatisfies('BIGINT[]', 'INTEGER[]')).toBe(true);
    expect(storedTypeSatisfies('DECIMAL(18,2)[]', 'DOUBLE[]')).toBe(false);
    expect(storedTypeSatisfies('JSON', 'STRUCT(a INTEGER)')).toBe(true);
  });

  test('lists every declared column stored with another type or not stored; extra stored columns are fine', () => {
    const declared = schemaColumns(
      z.object({ id: z.int(), amount: decimal(18, 2), price: decimal(12, 2), day: z.iso.date() }),
    );
    expect(
      storedTypeMismatches(declared, [
        { name: 'id', type: 'INTEGER' },
        { name: 'amount', type: 'DOUBLE' },
        { name: 'price', type: 'DECIMAL(12,2)' },
        { name: 'loaded_at', type: 'TIMESTAMP WITH TIME ZONE' },
      ]),
    ).toEqual([
      { column: 'amount', declared: 'DECIMAL(18,2)', stored: 'DOUBLE' },
      { column: 'day', declared: 'DATE', stored: null },
    ]);
  });
});
