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

describe('masking policies by kind of personal data', () => {
  const people = z.object({
    id: z.int(),
    name: z.string().meta({ pii: 'name' }),
    email: z.string().meta({ pii: 'email' }),
    phone: z.string().meta({ pii: 'phone' }),
    card: z.string().meta({ pii: 'payment' }),
    note: z.string().meta({ pii: 'name', mask: 'redact' }),
  });
  const row = {
    id: 1,
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    phone: '+44 20 7946 0958',
    card: '4111111111111111',
    note: 'Ada',
  };
  const KEY = 'a-masking-key-of-32-characters!!';

  test('names get a keyed pseudonym that still joins, emails and phones part of them, payments nothing', () => {
    const saved = process.env.SHOPFLOW_MASKING_KEY;
    process.env.SHOPFLOW_MASKING_KEY = KEY;
    try {
      const [masked] = maskRows([row], classifyColumns(people));
      expect(masked).toEqual({
        id: 1,
        name: expect.stringMatching(/^pii_[0-9a-f]{16}$/),
        email: 'a***@example.com',
        phone: '***58',
        card: PII_MASK,
        note: PII_MASK,
      });
      // The same value, the same pseudonym: masked rows still join and count distinct people.
      expect(maskRows([{ ...row, id: 2 }], classifyColumns(people))[0].name).toBe(masked.name);
      expect(maskValue('Alan Turing', 'pii', 'pseudonym', KEY)).not.toBe(masked.name);
      // Another key, other pseudonyms: they cannot be matched across installations.
      expect(maskValue('Ada Lovelace', 'pii', 'pseudonym', `${KEY}-other`)).not.toBe(masked.name);
      expect(JSON.stringify(masked)).not.toContain('Ada');
    } finally {
      if (saved === undefined) delete process.env.SHOPFLOW_MASKING_KEY;
      else process.env.SHOPFLOW_MASKING_KEY = saved;
    }
  });

  test('without a key (or with one shorter than 16 characters) a pseudonym is redacted', () => {
    expect(maskValue('Ada Lovelace', 'pii', 'pseudonym', undefined)).toBe(PII_MASK);
    const saved = process.env.SHOPFLOW_MASKING_KEY;
    process.env.SHOPFLOW_MASKING_KEY = 'short';
    try {
      expect(maskRows([row], classifyColumns(people))[0].name).toBe(PII_MASK);
    } finally {
      if (saved === undefined) delete process.env.SHOPFLOW_MASKING_KEY;
      else process.env.SHOPFLOW_MASKING_KEY = saved;
    }
  });

  test('the pipeline declares the kinds of its customer columns', async () => {
    const { silverCustomers } = await import('../../../assets/silver/silver-customers.js');
    const classes = classifyColumns(silverCustomers.schema);
    expect([classes.policyOf?.('name'), classes.policyOf?.('email')]).toEqual(['pseudonym', 'partial']);
  });
});
