import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { roundedAverage, storedTypes } from '../../../checks/index.js';
import { decimal, defineAsset, defineDefinitions, type SqlQuery, sql } from '../../../framework/index.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Materializes one asset returning `query` with `checks`, and returns its check evaluations by name. */
async function evaluate(schema: z.ZodObject, query: SqlQuery, checks = [storedTypes()]) {
  const asset = defineAsset({ key: 'sales', description: '', schema, checks, materialize: () => query });
  const { home, cleanup } = tempHome();
  const runtime = await openTestRuntime(defineDefinitions({ assets: [asset] }), home);
  cleanups.push(cleanup, () => runtime.close());
  await runtime.execute(await runtime.plan());
  const evaluations = await runtime.store.latestCheckEvaluations({ assetKey: 'sales' });
  return Object.fromEntries(evaluations.map((e) => [e.checkName, e]));
}

const AVERAGES = z.object({
  category: z.string(),
  revenue: decimal(18, 2),
  transactions: z.int(),
  average_order_value: decimal(18, 2).nullable(),
});

describe('roundedAverage', () => {
  const check = [roundedAverage('average_order_value', { total: 'revenue', count: 'transactions' })];

  test('passes exact averages rounded half away from zero, refunds and empty counts included', async () => {
    const { average_order_value_consistent: result } = await evaluate(
      AVERAGES,
      sql`select * from (values ('Garden', 19.99::DECIMAL(18,2), 2, 10.00::DECIMAL(18,2)),
        ('Sports', 282.46, 4, 70.62), ('Refunds', -0.05, 2, -0.03), ('Thirds', 20.00, 3, 6.67),
        ('None', 0.00, 0, NULL)) t(category, revenue, transactions, average_order_value)`,
      check,
    );
    expect(result.passed).toBe(true);
  });

  test('fails a value half a cent low, with no tolerance, naming it, the expected value and the cents', async () => {
    const { average_order_value_consistent: result } = await evaluate(
      AVERAGES,
      sql`select * from (values ('Garden', 19.99::DECIMAL(18,2), 2, 9.99::DECIMAL(18,2)),
        ('Refunds', -0.05, 2, -0.02), ('Fine', 10.00, 4, 2.50)) t(category, revenue, transactions, average_order_value)`,
      check,
    );
    expect(result.passed).toBe(false);
    expect(result.metadata.failingRows).toBe(2);
    expect(result.metadata.message).toContain('9.99, expected 10.00 (−1 cent)');
    expect(result.metadata.message).toContain('-0.02, expected -0.03 (+1 cent)');
  });
});

describe('storedTypes', () => {
  test('passes when every column is stored as declared (any integer width for z.int())', async () => {
    const { stored_types_match_schema: result } = await evaluate(
      z.object({ id: z.int(), amount: decimal(18, 2), price: decimal(12, 2) }),
      sql`select 1::INTEGER as id, 10.5::DECIMAL(18,2) as amount, 3.25::DECIMAL(12,2) as price`,
    );
    expect(result.passed).toBe(true);
    expect(result.metadata.message).toBe('the 3 declared columns are stored with their declared types');
  });

  test('fails money stored as DOUBLE or with another precision, naming each column and both types', async () => {
    const { stored_types_match_schema: result } = await evaluate(
      z.object({ id: z.int(), amount: decimal(18, 2), price: decimal(12, 2) }),
      sql`select 1 as id, 10.5::DOUBLE as amount, 3.25::DECIMAL(18,2) as price`,
    );
    expect(result.passed).toBe(false);
    expect(result.metadata.message).toBe(
      '`amount` is stored as DOUBLE but declared DECIMAL(18,2); `price` is stored as DECIMAL(18,2) but declared DECIMAL(12,2)',
    );
  });

  test('rows returned as objects are stored with the declared decimal type', async () => {
    const asset = defineAsset({
      key: 'rows',
      description: '',
      schema: z.object({ amount: decimal(18, 2) }),
      checks: [storedTypes()],
      materialize: () => [{ amount: 19.99 }, { amount: -0.05 }],
    });
    const { home, cleanup } = tempHome();
    const runtime = await openTestRuntime(defineDefinitions({ assets: [asset] }), home);
    cleanups.push(cleanup, () => runtime.close());
    await runtime.execute(await runtime.plan());
    const [evaluation] = await runtime.store.latestCheckEvaluations({ assetKey: 'rows' });
    expect(evaluation.passed).toBe(true);
    const session = await runtime.engine.session();
    try {
      const rows = await session.query(
        `select amount::VARCHAR as amount, typeof(amount) as type from read_parquet('${runtime.lakeRoot}/rows/data.parquet') order by amount`,
      );
      expect(rows).toEqual([
        { amount: '-0.05', type: 'DECIMAL(18,2)' },
        { amount: '19.99', type: 'DECIMAL(18,2)' },
      ]);
    } finally {
      session.close();
    }
  });
});
