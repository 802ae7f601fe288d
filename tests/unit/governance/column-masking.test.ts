import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  classifyColumns,
  maskRows,
  maskValue,
  PII_MASK,
  sensitiveColumns,
} from '../../../framework/index.js';

const schema = z.object({
  customer_id: z.int(),
  name: z.string().describe('Full name').meta({ pii: true }),
  email: z.string().meta({ pii: true }).nullable(),
  country: z.string(),
});

describe('column classification and masking', () => {
  test('classifies columns from the schema metadata', () => {
    const classes = classifyColumns(schema);
    expect(Object.fromEntries(classes)).toEqual({
      customer_id: 'none',
      name: 'pii',
      email: 'pii',
      country: 'none',
    });
    expect(sensitiveColumns(classes)).toEqual(['name', 'email']);
  });

  test('masks sensitive values, keeps nulls and unknown columns, never changes its input', () => {
    const rows = [
      { customer_id: 1, name: 'Ada Lovelace', email: 'ada@example.com', country: 'GB', extra: 'x' },
      { customer_id: 2, name: 'Alan Turing', email: null, country: 'GB', extra: 'y' },
    ];
    const before = JSON.stringify(rows);
    const masked = maskRows(rows, classifyColumns(schema));
    expect(masked).toEqual([
      { customer_id: 1, name: PII_MASK, email: PII_MASK, country: 'GB', extra: 'x' },
      { customer_id: 2, name: PII_MASK, email: null, country: 'GB', extra: 'y' },
    ]);
    expect(JSON.stringify(rows)).toBe(before);
    expect(maskValue(42, 'pii')).toBe(PII_MASK);
    expect(maskValue(42, 'none')).toBe(42);
    expect(maskValue(42, undefined)).toBe(42);
  });

  test('a schema without sensitive columns leaves rows as they are', () => {
    const plain = classifyColumns(z.object({ id: z.int() }));
    expect(maskRows([{ id: 1 }], plain)).toEqual([{ id: 1 }]);
  });
});
