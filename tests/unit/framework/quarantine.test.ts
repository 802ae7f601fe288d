import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { z } from 'zod';
import {
  asOfWindowMapping,
  daily,
  defineAsset,
  defineDefinitions,
  lakePartitionDir,
  rowCheck,
  setDuckDbTrace,
  sql,
} from '../../../framework/index.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const customers = defineAsset({
  key: 'customers',
  description: 'known customers',
  schema: z.object({ id: z.int() }),
  materialize: () => [{ id: 1 }, { id: 2 }],
});

const orders = defineAsset({
  key: 'orders',
  description: 'orders with defects',
  deps: { customers },
  schema: z.object({ order_id: z.int(), customer_id: z.int(), line: z.int(), email: z.string().nullable() }),
  checks: [
    rowCheck({ name: 'email_present', validWhen: 'email is not null', quarantine: true }),
    rowCheck({
      name: 'customer_known',
      validWhen: (deps) => `customer_id in (select id from ${deps.customers.toSql()})`,
      quarantine: true,
    }),
    rowCheck({
      name: 'order_id_unique',
      validWhen: 'row_number() over (partition by order_id order by line) = 1',
      quarantine: true,
    }),
  ],
  materialize: () => sql`select * from (values
      (10, 1, 1, 'a@x.io'), (11, 2, 2, NULL), (12, 9, 3, 'c@x.io'), (10, 2, 4, 'dup@x.io'), (13, 9, 5, NULL), (14, 2, 6, 'd@x.io')
    ) t(order_id, customer_id, line, email)`,
});

test('rows failing quarantine rules are moved aside with the rules they broke; good rows flow on', async () => {
  const { home, cleanup } = tempHome();
  const runtime = await openTestRuntime(defineDefinitions({ assets: [customers, orders] }), home);
  cleanups.push(cleanup, () => runtime.close());
  const result = await runtime.execute(await runtime.plan());
  expect(result.status).toBe('success');
  const session = await runtime.engine.session();
  cleanups.push(() => session.close());
  const dir = lakePartitionDir(join(home, 'lake'), 'orders', null);
  const good = await session.query(
    `select order_id from read_parquet('${dir}/data.parquet') order by order_id`,
  );
  expect(good.map((r) => r.order_id)).toEqual([10, 14]);
  const bad = await session.query(
    `select order_id, quarantine_rules from read_parquet('${dir}/quarantine.parquet') order by line`,
  );
  expect(bad).toEqual([
    { order_id: 11, quarantine_rules: 'email_present' },
    { order_id: 12, quarantine_rules: 'customer_known' },
    { order_id: 10, quarantine_rules: 'order_id_unique' },
    { order_id: 13, quarantine_rules: 'email_present,customer_known' },
  ]);
  const evaluations = await runtime.store.latestCheckEvaluations({ assetKey: 'orders' });
  const byName = Object.fromEntries(evaluations.map((e) => [e.checkName, e]));
  expect(byName.email_present.metadata.quarantinedRows).toBe(2);
  expect(byName.customer_known.metadata.quarantinedRows).toBe(2);
  expect(byName.order_id_unique.metadata.quarantinedRows).toBe(1);
  expect(Object.values(byName).every((e) => e.passed)).toBe(true);
  const [m] = await runtime.store.listMaterializations({ assetKey: 'orders' });
  expect(m.rowCount).toBe(2);
});

test('a window rule declared to hold on subsets (uniqueness) is not evaluated again over the kept rows; one that is not declared is', async () => {
  const windowStatements = async (holdsOnSubsets: boolean) => {
    const asset = defineAsset({
      key: 'orders',
      description: 'orders with a duplicate',
      schema: z.object({ order_id: z.int(), line: z.int() }),
      checks: [
        rowCheck({
          name: 'order_id_unique',
          validWhen: 'row_number() over (partition by order_id order by line) = 1',
          quarantine: true,
          holdsOnSubsets,
        }),
      ],
      materialize: () => sql`select * from (values (10, 1), (11, 2), (10, 3)) t(order_id, line)`,
    });
    const { home, cleanup } = tempHome();
    const runtime = await openTestRuntime(defineDefinitions({ assets: [customers, asset] }), home);
    cleanups.push(cleanup, () => runtime.close());
    const traced: string[] = [];
    setDuckDbTrace((entry) => traced.push(entry.sql));
    try {
      expect((await runtime.execute(await runtime.plan())).status).toBe('success');
    } finally {
      setDuckDbTrace(null);
    }
    const [evaluation] = await runtime.store.latestCheckEvaluations({ assetKey: 'orders' });
    expect(evaluation.passed).toBe(true);
    expect(evaluation.metadata.quarantinedRows).toBe(1);
    return traced.filter((text) => /row_number\(\) over/i.test(text)).length;
  };
  // NOTE: the staging statement that quarantines evaluates the rule once either way.
  expect(await windowStatements(true)).toBe(1);
  expect(await windowStatements(false)).toBe(2);
});

// An id counts for a day's orders only once it is known by the end of that day: the rule is built
// from the step's partition, as a quarantine rule and as a counted (warning) rule.
const knownSince = defineAsset({
  key: 'known_since',
  description: 'the day each customer id became known',
  schema: z.object({ id: z.int(), since: z.iso.date() }),
  changedFrom: ({ previous, current }) =>
    sql`select min(since)::TIMESTAMPTZ from ((select * from ${previous} except all select * from ${current})
        union all (select * from ${current} except all select * from ${previous}))`,
  materialize: () => sql`select * from (values (1, DATE '2024-01-01'), (2, DATE '2024-01-02')) t(id, since)`,
});

const knownBy =
  (compare: '<=' | '<') =>
  (deps: Record<string, { toSql(): string }>, { partitionKey }: { partitionKey: string | null }) =>
    `customer_id in (select id from ${deps.known.toSql()} where since ${compare} '${partitionKey}'::DATE)`;

const dailyOrders = defineAsset({
  key: 'daily_orders',
  description: 'orders by day',
  deps: { known: knownSince },
  partitionMappings: { known: asOfWindowMapping() },
  partitions: daily({ start: '2024-01-01', end: '2024-01-03' }),
  schema: z.object({ order_id: z.int(), customer_id: z.int() }),
  checks: [
    rowCheck({ name: 'customer_known_by_day', validWhen: knownBy('<='), quarantine: true }),
    rowCheck({ name: 'customer_known_before_day', severity: 'warn', validWhen: knownBy('<') }),
  ],
  materialize: () => sql`select * from (values (1, 1), (2, 2)) t(order_id, customer_id)`,
});

test('a row rule built from the partition judges each day by what was known by its end', async () => {
  const { home, cleanup } = tempHome();
  const runtime = await openTestRuntime(defineDefinitions({ assets: [knownSince, dailyOrders] }), home, {
    now: () => new Date('2024-01-05T00:00:00Z'),
  });
  cleanups.push(cleanup, () => runtime.close());
  const result = await runtime.execute(await runtime.plan());
  expect(result.status).toBe('success');
  const byDay: Record<string, Record<string, unknown>> = {};
  for (const e of await runtime.store.latestCheckEvaluations({ assetKey: 'daily_orders' })) {
    byDay[`${e.partitionKey} ${e.checkName}`] = e.metadata;
  }
  // Customer 2 is known from 2024-01-02 on: its order is quarantined on the first day only.
  expect(byDay['2024-01-01 customer_known_by_day'].quarantinedRows).toBe(1);
  expect(byDay['2024-01-02 customer_known_by_day'].quarantinedRows).toBe(0);
  // The counted rule runs over the rows each day kept: the customer that became known that day.
  expect(byDay['2024-01-01 customer_known_before_day'].failingRows).toBe(1);
  expect(byDay['2024-01-02 customer_known_before_day'].failingRows).toBe(1);
  const [first] = await runtime.store.listMaterializations({
    assetKey: 'daily_orders',
    partitionKey: '2024-01-01',
  });
  const [second] = await runtime.store.listMaterializations({
    assetKey: 'daily_orders',
    partitionKey: '2024-01-02',
  });
  expect([first.rowCount, second.rowCount]).toEqual([1, 2]);
});
