import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  acceptedValues,
  dataFreshness,
  EMAIL_PATTERN,
  inRange,
  matches,
  notNull,
  parseableDate,
  references,
  rowCountAnomaly,
  schemaDrift,
  unique,
} from '../../../checks/index.js';
import { type AssetCheck, defineAsset, defineDefinitions, sql } from '../../../framework/index.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const ids = defineAsset({
  key: 'ids',
  description: '',
  schema: z.object({ id: z.int() }),
  materialize: () => [{ id: 1 }, { id: 2 }],
});

const ROWS = sql`select * from (values
  (1, 'a@x.io', '10.5', '2024-01-02', 'card', 1, TIMESTAMPTZ '2024-01-02 20:00:00+00'),
  (2, NULL,     '0',    '2024-02-30', 'cash', 2, TIMESTAMPTZ '2024-01-02 21:00:00+00'),
  (2, 'b@x',    '-3',   'yesterday',  'card', 7, TIMESTAMPTZ '2024-01-02 22:00:00+00'),
  (3, 'c@y.org', 'abc', '2024-01-03', 'card', 2, TIMESTAMPTZ '2024-01-02 23:00:00+00')
) t(id, email, price, day, method, ref, ts)`;

async function evaluate(checks: AssetCheck[], rows = ROWS, runs = 1) {
  const asset = defineAsset({
    key: 'rows',
    description: '',
    deps: { ids },
    schema: z.object({
      id: z.int(),
      email: z.string().nullable(),
      price: z.string(),
      day: z.string(),
      method: z.string(),
      ref: z.int(),
      ts: z.iso.datetime(),
    }),
    checks,
    materialize: () => rows,
  });
  const { home, cleanup } = tempHome();
  const runtime = await openTestRuntime(defineDefinitions({ assets: [ids, asset] }), home);
  cleanups.push(cleanup, () => runtime.close());
  for (let i = 0; i < runs; i++) await runtime.execute(await runtime.plan({ force: i > 0 }));
  const evaluations = await runtime.store.latestCheckEvaluations({ assetKey: 'rows' });
  return Object.fromEntries(evaluations.map((e) => [e.checkName, e]));
}

describe('check builders', () => {
  test('row rules count the failing rows', async () => {
    const results = await evaluate([
      notNull(['email']),
      unique(['id'], { orderBy: 'ref' }),
      matches('email', EMAIL_PATTERN, { name: 'email_valid' }),
      inRange('price', { min: 0, exclusiveMin: true, name: 'price_positive' }),
      acceptedValues('method', ['card']),
      parseableDate('day'),
      references('ref', { dep: 'ids', column: 'id' }),
    ]);
    const failing = Object.fromEntries(
      Object.entries(results).map(([name, e]) => [name, e.metadata.failingRows]),
    );
    expect(failing).toEqual({
      not_null_email: 1,
      unique_id: 1,
      email_valid: 1,
      price_positive: 3,
      method_accepted: 1,
      day_parseable: 2,
      ref_references_ids: 1,
    });
    expect(results.unique_id.passed).toBe(false);
    expect(
      (results.day_parseable.metadata.sample as Array<{ day: string }>).map((r) => r.day).sort(),
    ).toEqual(['2024-02-30', 'yesterday']);
  });

  test('uniqueness counted as rows less distinct keys agrees with its row-by-row rule, NULL keys included', async () => {
    const rows = sql`select id, email, '1' as price, day, 'card' as method, id as ref,
        TIMESTAMPTZ '2024-01-02 20:00:00+00' as ts
      from (values (1, 'x', 'd1'), (2, 'x', 'd1'), (3, NULL, 'd1'), (4, NULL, 'd1'), (5, NULL, NULL),
        (6, NULL, NULL), (7, 'y', 'd2')) t(id, email, day)`;
    const checks = [unique(['email', 'day'], { orderBy: 'ref' }), unique(['email']), unique(['id'])];
    const results = await evaluate(checks, rows);
    // NOTE: every row after the first of its key fails; NULL is a key like any other.
    expect(
      Object.fromEntries(Object.entries(results).map(([name, e]) => [name, e.metadata.failingRows])),
    ).toEqual({ unique_email_day: 3, unique_email: 4, unique_id: 0 });
    expect(results.unique_email_day.passed).toBe(false);
    expect(
      (results.unique_email_day.metadata.sample as Array<{ id: number }>).map((r) => Number(r.id)).sort(),
    ).toEqual([2, 4, 6]);
    // NOTE: the aggregate the write's scan uses and the window predicate count the same rows.
    for (const check of checks) {
      expect(check.rowRule?.failingCount).toBeDefined();
    }
  });

  test('quarantining rules leave only good rows', async () => {
    const results = await evaluate([
      notNull(['email'], { quarantine: true }),
      references('ref', { dep: 'ids', column: 'id', quarantine: true }),
    ]);
    expect(results.not_null_email).toMatchObject({
      passed: true,
      metadata: expect.objectContaining({ quarantinedRows: 1 }),
    });
    expect(results.ref_references_ids.metadata.quarantinedRows).toBe(1);
  });

  test('row count anomaly compares against the history', async () => {
    const first = await evaluate([rowCountAnomaly({ minHistory: 1 })]);
    expect(first.row_count_anomaly.passed).toBe(true);
    expect(first.row_count_anomaly.metadata.history).toBe(0);
    const again = await evaluate([rowCountAnomaly({ minHistory: 1 })], ROWS, 2);
    expect(again.row_count_anomaly).toMatchObject({
      passed: true,
      metadata: expect.objectContaining({ expected: 4, rows: 4 }),
    });
  });

  test('data freshness measures the lag to the end of the window', async () => {
    const results = await evaluate([dataFreshness('ts', { maxLagHours: 2, name: 'fresh' })]);
    // Unpartitioned: compared with now, so 2024 data is stale.
    expect(results.fresh.passed).toBe(false);
    expect(String(results.fresh.metadata.newest)).toBe('2024-01-02T23:00:00.000Z');
  });

  test('schema drift passes when nothing changed', async () => {
    const results = await evaluate([schemaDrift()], ROWS, 2);
    expect(results.schema_drift).toMatchObject({ passed: true });
  });
});
