import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { references } from '../../../checks/index.js';
import { type AssetCheck, defineAsset, defineDefinitions, sql } from '../../../framework/index.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

// Sales reference customers; with `knownBefore`, a customer counts for a sale only through a version
// dated before the end of the sale's delivery day.

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const KNOWN_BEFORE = { at: 'updated_at', before: 'delivery_date::DATE + INTERVAL 1 DAY' };

// NOTE: the customers carry a `delivery_date` too, far in the future: were `before` read against the
// customer rows, every customer would count as known.
const customers = defineAsset({
  key: 'customers',
  description: 'Customer versions.',
  schema: z.object({ customer_id: z.int(), updated_at: z.iso.datetime(), delivery_date: z.iso.date() }),
  materialize:
    () => sql`select customer_id::BIGINT as customer_id, updated_at, DATE '2099-01-01' as delivery_date
    from (values
      (1, TIMESTAMPTZ '2024-01-01 10:00:00+00'),
      (2, TIMESTAMPTZ '2024-01-05 10:00:00+00'),
      (3, TIMESTAMPTZ '2024-01-03 00:00:00+00'),
      (4, TIMESTAMPTZ '2024-01-06 00:00:00+00'),
      (4, TIMESTAMPTZ '2024-01-01 00:00:00+00')
    ) t(customer_id, updated_at)`,
});

const SALES = sql`select sale_id::BIGINT as sale_id, customer_id::BIGINT as customer_id, delivery_date::DATE as delivery_date
  from (values
    (1, 1,    '2024-01-02'),
    (2, 2,    '2024-01-02'),
    (3, 3,    '2024-01-02'),
    (4, 4,    '2024-01-02'),
    (5, 2,    '2024-01-06'),
    (6, NULL, '2024-01-02'),
    (7, 9,    '2024-01-09')
  ) t(sale_id, customer_id, delivery_date)`;

async function evaluate(checks: AssetCheck[]) {
  const sales = defineAsset({
    key: 'sales',
    description: 'Sales by delivery day.',
    deps: { customers },
    schema: z.object({ sale_id: z.int(), customer_id: z.int().nullable(), delivery_date: z.iso.date() }),
    checks,
    materialize: () => SALES,
  });
  const { home, cleanup } = tempHome();
  const runtime = await openTestRuntime(defineDefinitions({ assets: [customers, sales] }), home);
  cleanups.push(cleanup, () => runtime.close());
  const result = await runtime.execute(await runtime.plan());
  const evaluations = await runtime.store.latestCheckEvaluations({ assetKey: 'sales' });
  const [state] = await runtime.store.listAssetPartitionStates(['sales']);
  return { result, state, checks: Object.fromEntries(evaluations.map((e) => [e.checkName, e])) };
}

const saleIds = (sample: unknown) =>
  (sample as Array<{ sale_id: number | string }>).map((row) => Number(row.sale_id)).sort();

describe('references with knownBefore', () => {
  test('passes rows whose target has a row dated before the bound, fails the others', async () => {
    const { checks } = await evaluate([
      references('customer_id', {
        dep: 'customers',
        column: 'customer_id',
        name: 'customer_known',
        knownBefore: KNOWN_BEFORE,
      }),
      references('customer_id', { dep: 'customers', column: 'customer_id', name: 'customer_exists' }),
    ]);
    // Sale 2: its customer is dated after the bound. Sale 3: exactly at the bound (exclusive).
    // Sale 7: no such customer. Sale 4 passes through the earlier of its customer's two rows;
    // sale 5 is delivered after its customer's date; sale 6 has no customer.
    expect(checks.customer_known).toMatchObject({
      passed: false,
      metadata: expect.objectContaining({ failingRows: 3 }),
    });
    expect(saleIds(checks.customer_known.metadata.sample)).toEqual([2, 3, 7]);
    // Without the bound, only the unknown customer fails.
    expect(checks.customer_exists.metadata.failingRows).toBe(1);
    expect(saleIds(checks.customer_exists.metadata.sample)).toEqual([7]);
  });

  test('quarantines the rows whose target is not known in time', async () => {
    const { result, state, checks } = await evaluate([
      references('customer_id', {
        dep: 'customers',
        column: 'customer_id',
        quarantine: true,
        knownBefore: KNOWN_BEFORE,
      }),
    ]);
    expect(result.status).toBe('success');
    expect(checks.customer_id_references_customers).toMatchObject({
      passed: true,
      metadata: expect.objectContaining({ quarantinedRows: 3 }),
    });
    expect(state.rowCount).toBe(4);
  });

  test('describes the bound', () => {
    const check = references('customer_id', {
      dep: 'customers',
      column: 'customer_id',
      knownBefore: KNOWN_BEFORE,
    });
    expect(check.name).toBe('customer_id_references_customers');
    expect(check.description).toBe(
      'every customer_id exists in customers.customer_id with updated_at before delivery_date::DATE + INTERVAL 1 DAY',
    );
  });
});
