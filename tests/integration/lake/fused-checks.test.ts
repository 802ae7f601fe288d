import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { notNull, unique } from '../../../checks/index.js';
import {
  type DuckDbTraceEntry,
  defineAsset,
  defineDefinitions,
  rowCheck,
  setDuckDbTrace,
  sql,
} from '../../../framework/index.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

// A step's checks cost no scan of their own: the lake write hashes, counts and evaluates every row
// rule in one statement over what it wrote, and the counts are the same as a scan per check gave.

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  setDuckDbTrace(null);
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const orders = defineAsset({
  key: 'orders',
  description: 'Orders with defects: a null customer, a duplicate id, a negative amount.',
  schema: z.object({ order_id: z.int(), customer_id: z.int().nullable(), amount: z.number() }),
  checks: [
    notNull(['customer_id']),
    unique(['order_id']),
    rowCheck({ name: 'amount_positive', validWhen: 'amount > 0', severity: 'warn' }),
    rowCheck({ name: 'amount_not_huge', validWhen: 'amount < 1000', quarantine: true }),
  ],
  materialize: () =>
    sql`select * from (values (1, 10, 5.0), (2, null, 7.5), (2, 11, 3.0), (3, 12, -1.0), (4, 13, 5000.0))
        t(order_id, customer_id, amount)`,
});

async function run(assets: ReturnType<typeof defineAsset>[]) {
  const home = tempHome('shopflow-fused-');
  cleanups.push(home.cleanup);
  const runtime = await openTestRuntime(defineDefinitions({ assets }), home.home);
  cleanups.push(() => runtime.close());
  const statements: DuckDbTraceEntry[] = [];
  setDuckDbTrace((entry) => statements.push(entry));
  const result = await runtime.execute(await runtime.plan({ selection: 'orders' }));
  setDuckDbTrace(null);
  return { runtime, result, statements };
}

describe('checks evaluated in the write scan', () => {
  test('failing rows per rule are counted over the written rows (after quarantine), window rules included', async () => {
    const { result, runtime } = await run([orders]);
    const evaluations = await runtime.store.latestCheckEvaluations({ assetKey: 'orders' });
    const checks = Object.fromEntries(
      evaluations.map((e) => [e.checkName, { passed: e.passed, failing: e.metadata.failingRows }]),
    );
    expect(checks).toEqual({
      not_null_customer_id: { passed: false, failing: 1 },
      // order 2 twice among the 4 rows written (order 4 was quarantined): its second row fails
      unique_order_id: { passed: false, failing: 1 },
      amount_positive: { passed: false, failing: 1 },
      amount_not_huge: { passed: true, failing: 0 },
    });
    expect(result.outcomes.get('orders')!.rowCount).toBe(4);
  });

  test('the step runs its own statements, one scan, and only the samples of failing checks', async () => {
    const { statements } = await run([orders]);
    const texts = statements.map((s) => s.sql.trimStart().slice(0, 60));
    const scans = texts.filter((t) => /^SELECT \* FROM \(SELECT count\(\*\)::BIGINT AS n/.test(t));
    expect(scans).toHaveLength(1);
    // NOTE: the quarantine rule judges each row alone, so no written row can fail it: not counted again.
    const scan = statements.find((s) => s.sql.trimStart().startsWith('SELECT * FROM (SELECT count(*)'))!.sql;
    expect(scan).toContain('amount > 0');
    expect(scan).not.toContain('amount < 1000');
    expect(texts.filter((t) => t.startsWith('DESCRIBE'))).toHaveLength(0);
    // staging, the data file, the scan, the quarantine file, the rule's sample, three failing checks' samples
    expect(statements).toHaveLength(8);
  });

  test('a clean write with row checks is two statements: the COPY and the scan', async () => {
    const clean = defineAsset({
      key: 'orders',
      description: 'Clean orders.',
      schema: z.object({ order_id: z.int(), amount: z.number() }),
      checks: [
        notNull(['order_id']),
        unique(['order_id']),
        rowCheck({ name: 'positive', validWhen: 'amount > 0' }),
      ],
      materialize: () => sql`select range::BIGINT as order_id, 1.0 + range as amount from range(10)`,
    });
    const { statements, result } = await run([clean]);
    expect(result.status).toBe('success');
    expect(statements.map((s) => s.sql.trimStart().slice(0, 4))).toEqual(['COPY', 'SELE']);
  });
});
