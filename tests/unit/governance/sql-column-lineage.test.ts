import { describe, expect, test } from 'vitest';
import { parseDuckDbSql } from '../../../framework/lineage/asset-column-lineage.js';
import { columnLineageOf, type LineageInputs } from '../../../framework/lineage/sql-column-lineage.js';
import { useDuckDbSession } from '../../support/test-duckdb.js';

const inputs: LineageInputs = new Map([
  ['in:customers', { asset: 'customers', columns: ['customer_id', 'name', 'email', 'country'] }],
  ['in:orders', { asset: 'orders', columns: ['order_id', 'customer_id', 'amount', 'ordered_at'] }],
]);

const duckdb = useDuckDbSession();

/** Per output column: `asset.column/TRANSFORM[/masked][/reduced]` of each origin, sorted. */
async function lineage(sql: string) {
  const columns = columnLineageOf(await parseDuckDbSql(duckdb(), sql), inputs);
  return Object.fromEntries(
    columns.map((c) => [
      c.column,
      [
        ...c.origins
          .map(
            (o) =>
              `${o.asset}.${o.column}/${o.transform}${o.masked ? '/masked' : ''}${o.reduced ? '/reduced' : ''}`,
          )
          .sort(),
        ...c.unresolved.map((u) => `?${u}`),
      ],
    ]),
  );
}

describe('column lineage from DuckDB parse trees', () => {
  test('copied, transformed and constant columns', async () => {
    expect(
      await lineage(`select customer_id, upper(name) as shout, email::VARCHAR as e, 'x' as k, 42 as n
                     from "in:customers"`),
    ).toEqual({
      customer_id: ['customers.customer_id/IDENTITY'],
      shout: ['customers.name/TRANSFORMATION'],
      e: ['customers.email/TRANSFORMATION'],
      k: [],
      n: [],
    });
  });

  test('aggregates that reduce values differ from those that keep them; masks are marked', async () => {
    expect(
      await lineage(`select c.country, count(*) as customers, count(distinct c.email) as emails,
                       max(c.name) as last_name, md5(min(c.email)) as hashed, sum(o.amount) as revenue
                     from "in:customers" c join "in:orders" o on o.customer_id = c.customer_id
                     where o.amount > 0 group by c.country`),
    ).toEqual({
      country: ['customers.country/IDENTITY'],
      customers: [],
      emails: ['customers.email/AGGREGATION/reduced'],
      last_name: ['customers.name/AGGREGATION'],
      hashed: ['customers.email/AGGREGATION/masked/reduced'],
      revenue: ['orders.amount/AGGREGATION/reduced'],
    });
  });

  test('through CTEs, subqueries, stars with exclude and replace, unions and window functions', async () => {
    expect(
      await lineage(`with recent as (select * exclude (ordered_at) from "in:orders"),
                       named as (select * replace (lower(email) as email) from "in:customers")
                     select n.* exclude (country), r.amount,
                       lag(r.amount) over (partition by n.country order by r.order_id) as previous_amount,
                       (select max(amount) from recent x where x.customer_id = n.customer_id) as best
                     from named n join (select order_id, customer_id, amount from recent) r using (customer_id)`),
    ).toEqual({
      customer_id: ['customers.customer_id/IDENTITY'],
      name: ['customers.name/IDENTITY'],
      email: ['customers.email/TRANSFORMATION'],
      amount: ['orders.amount/IDENTITY'],
      previous_amount: ['orders.amount/AGGREGATION'],
      best: ['orders.amount/AGGREGATION'],
    });
    expect(
      await lineage(
        `select name as who from "in:customers" union all select cast(order_id as VARCHAR) from "in:orders"`,
      ),
    ).toEqual({ who: ['customers.name/IDENTITY', 'orders.order_id/TRANSFORMATION'] });
  });

  test('CASE conditions and lambda bodies count; lambda parameters are not columns', async () => {
    expect(
      await lineage(`select case when email like '%@example.com' then 'test' else 'real' end as kind,
                       list_transform([1, 2], x -> x + customer_id) as ids
                     from "in:customers"`),
    ).toEqual({
      kind: ['customers.email/TRANSFORMATION'],
      ids: ['customers.customer_id/TRANSFORMATION'],
    });
  });

  test('a file or an unknown table cannot be traced and says so', async () => {
    expect(
      await lineage(
        `select f.secret, c.name from read_parquet('elsewhere.parquet') f join "in:customers" c using (customer_id)`,
      ),
    ).toEqual({ secret: ['?read_parquet.secret'], name: ['customers.name/IDENTITY'] });
    expect(await lineage('select * from somewhere_else')).toEqual({ '*': ['?somewhere_else.*'] });
  });
});
