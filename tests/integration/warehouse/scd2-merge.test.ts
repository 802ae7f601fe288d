import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dimCustomerScd2 } from '../../../assets/warehouse/dim-customer.js';
import { dimProductScd2 } from '../../../assets/warehouse/dim-product.js';
import { loadFactSales } from '../../../assets/warehouse/load-fact-sales.js';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
import { applyDdl } from '../../../resources/postgres/apply-ddl.js';
import {
  createPostgresResource,
  type PostgresResource,
} from '../../../resources/postgres/postgres-resource.js';
import {
  mergeScd2,
  type Scd2MergeResult,
  statisticsAreStale,
} from '../../../resources/postgres/scd2/merge-scd2.js';
import type { Scd2Spec } from '../../../resources/postgres/scd2/scd2-spec.js';
import { startTestPostgres, type TestPostgres } from '../../support/test-postgres.js';

let server: TestPostgres;
let postgres: PostgresResource;
let scratch: string;

/** One customer profile change, as silver delivers it. */
type Change = {
  customer_id: number;
  name: string;
  email: string;
  country: string;
  registration_date: string;
  updated_at: string;
};

/** `2024-01-DDTHH:00:00Z`: day `day` of January 2024, the canonical form the queries below return. */
const at = (day: number, hour = 0) =>
  `2024-01-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`;

const change = (id: number, day: number, attributes: Partial<Change> = {}): Change => ({
  customer_id: id,
  name: `Customer ${id}`,
  email: `c${id}@example.com`,
  registration_date: '2023-06-01',
  country: 'US',
  updated_at: at(day),
  ...attributes,
});

/** Every change sent to dim_customer, per customer, in delivery order (for the rebuild oracle). */
const sent = new Map<number, Change[]>();

async function merge(
  changes: Array<Record<string, unknown>> | string,
  spec: Scd2Spec = dimCustomerScd2,
): Promise<Scd2MergeResult> {
  const result = await mergeScd2(postgres.pool, spec, changes, { assetKey: 'test' });
  if (spec === dimCustomerScd2 && typeof changes !== 'string') {
    for (const c of changes as Change[]) sent.set(c.customer_id, [...(sent.get(c.customer_id) ?? []), c]);
  }
  await expectInvariants();
  return result;
}

const iso = (column: string) =>
  `case when ${column} = 'infinity' then 'infinity' else to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') end`;

interface Version {
  sk: number;
  country: string;
  email: string;
  from: string;
  to: string;
  current: boolean;
  version: number;
}

async function versions(id: number, table = 'shopflow_dw.dim_customer'): Promise<Version[]> {
  const { rows } = await postgres.query(
    `select customer_sk::int as sk, country, email, ${iso('valid_from')} as "from", ${iso('valid_to')} as "to",
       is_current as current, version from ${table} where customer_id = $1 order by valid_from`,
    [id],
  );
  return rows as Version[];
}

/** The versions a rebuild from every change ever sent gives (latest delivery wins per time). */
function rebuilt(changes: Change[]): Array<Omit<Version, 'sk'>> {
  const byTime = new Map<string, Change>();
  for (const c of changes) byTime.set(c.updated_at, c);
  const ordered = [...byTime.values()].sort((a, b) => a.updated_at.localeCompare(b.updated_at));
  const key = (c: Change) => JSON.stringify([c.name, c.email, c.country, c.registration_date]);
  const starts = ordered.filter((c, i) => i === 0 || key(c) !== key(ordered[i - 1]));
  return starts.map((c, i) => ({
    country: c.country,
    email: c.email,
    from: c.updated_at,
    to: starts[i + 1]?.updated_at ?? 'infinity',
    current: i === starts.length - 1,
    version: i + 1,
  }));
}

const withoutSk = (rows: Version[]) => rows.map(({ sk: _sk, ...rest }) => rest);

/** Every SCD2 invariant, over a whole dimension table: all counts must be 0. */
async function violations(table: string, naturalKey: string, tracked: string[]) {
  const attrs = `row(${tracked.join(', ')})`;
  const { rows } = await postgres.query(`with v as (
      select ${naturalKey} as k, valid_from, valid_to, is_current, version,
        lead(valid_from) over w as next_from, lag(${attrs}) over w as prev_attrs, ${attrs} as attrs,
        row_number() over w as n
      from ${table} window w as (partition by ${naturalKey} order by valid_from))
    select
      (select count(*) from (select k from v group by k having count(*) filter (where is_current) <> 1) x)::int
        as keys_without_exactly_one_current,
      (select count(*) from v where next_from < valid_to)::int as overlaps,
      (select count(*) from v where next_from > valid_to)::int as gaps,
      (select count(*) from v where next_from is null and valid_to <> 'infinity')::int as open_ends,
      (select count(*) from v where version <> n)::int as misnumbered,
      (select count(*) from v where n > 1 and prev_attrs is not distinct from attrs)::int as repeated_versions,
      (select count(*) from v where is_current <> (valid_to = 'infinity'))::int as wrong_current_flags`);
  return rows[0];
}

const NO_VIOLATIONS = {
  keys_without_exactly_one_current: 0,
  overlaps: 0,
  gaps: 0,
  open_ends: 0,
  misnumbered: 0,
  repeated_versions: 0,
  wrong_current_flags: 0,
};

/** Facts whose surrogate key is not the version valid at their time (0 expected). */
async function misplacedFacts(): Promise<Record<string, number>> {
  const { rows } = await postgres.query(`select
    (select count(*) from shopflow_dw.fact_sales f join shopflow_dw.dim_customer d using (customer_sk)
      where not (f.transaction_ts < d.valid_to and (f.transaction_ts >= d.valid_from or d.version = 1)))::int as customers,
    (select count(*) from shopflow_dw.fact_sales f join shopflow_dw.dim_product d using (product_sk)
      where not (f.transaction_ts < d.valid_to and (f.transaction_ts >= d.valid_from or d.version = 1)))::int as products`);
  return rows[0];
}

/** A digest of everything a merge may write. */
async function snapshot(): Promise<Record<string, string>> {
  const { rows } = await postgres.query(`select
    (select md5(coalesce(string_agg(d::text, '|' order by customer_sk), '')) from shopflow_dw.dim_customer d) as customers,
    (select md5(coalesce(string_agg(d::text, '|' order by product_sk), '')) from shopflow_dw.dim_product d) as products,
    (select md5(coalesce(string_agg(a::text, '|' order by dimension, natural_key, changed_at), ''))
       from shopflow_dw.scd2_absorbed_changes a) as absorbed,
    (select md5(coalesce(string_agg(f::text, '|' order by transaction_id), '')) from shopflow_dw.fact_sales f) as facts`);
  return rows[0];
}

beforeAll(async () => {
  server = await startTestPostgres();
  postgres = await createPostgresResource({ mode: 'url', url: server.url });
  await applyDdl(postgres.pool);
  await postgres.query(`insert into shopflow_dw.dim_date (date_sk, date, year, quarter, month, month_name,
      iso_year, iso_week, day_of_week, day_name, is_weekend)
    select to_char(d, 'YYYYMMDD')::int, d::date, 2024, 1, 1, 'January', extract(isoyear from d),
      extract(week from d), extract(isodow from d), to_char(d, 'FMDay'), extract(isodow from d) >= 6
    from generate_series('2024-01-01'::date, '2024-01-31'::date, interval '1 day') d`);
  scratch = mkdtempSync(join(tmpdir(), 'shopflow-scd2-'));
});

afterAll(async () => {
  await postgres?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/**
 * Every SCD2 invariant over both dimensions and the facts, and every customer equal to the rebuild
 * from all its changes (so its first version starts at its earliest change). Run after every merge.
 */
async function expectInvariants(): Promise<void> {
  expect(await violations('shopflow_dw.dim_customer', 'customer_id', dimCustomerScd2.tracked)).toEqual(
    NO_VIOLATIONS,
  );
  expect(await violations('shopflow_dw.dim_product', 'product_id', dimProductScd2.tracked)).toEqual(
    NO_VIOLATIONS,
  );
  expect(await misplacedFacts()).toEqual({ customers: 0, products: 0 });
  const { rows } = await postgres.query(
    `select customer_id::int as id, country, email, ${iso('valid_from')} as "from", ${iso('valid_to')} as "to",
       is_current as current, version from shopflow_dw.dim_customer where customer_id = any($1) order by customer_id, valid_from`,
    [[...sent.keys()]],
  );
  const stored = new Map<number, Array<Omit<Version, 'sk'>>>();
  for (const { id, ...version } of rows)
    stored.set(id, [...(stored.get(id) ?? []), version as Omit<Version, 'sk'>]);
  for (const [id, changes] of sent) {
    expect(stored.get(id), `customer ${id}`).toEqual(rebuilt(changes));
    expect(stored.get(id)?.[0].from).toBe(changes.map((c) => c.updated_at).sort()[0]);
  }
}

describe('mergeScd2', () => {
  const firstLoad = [
    change(1, 1),
    change(2, 1, { country: 'GB' }),
    change(3, 2, { country: 'DE' }),
    change(3, 5, { country: 'FR' }),
  ];

  it('first load: one version per change, tiling [first change, infinity)', async () => {
    expect(await merge(firstLoad)).toEqual({
      staged: 4,
      keys: 3,
      inserted: 4,
      closed: 0,
      replaced: 0,
      unchanged: 0,
      repointed: { 'shopflow_dw.fact_sales': 0 },
      earliestChange: new Date(at(1)).toISOString(),
    });
    expect(withoutSk(await versions(3))).toEqual([
      { country: 'DE', email: 'c3@example.com', from: at(2), to: at(5), current: false, version: 1 },
      { country: 'FR', email: 'c3@example.com', from: at(5), to: 'infinity', current: true, version: 2 },
    ]);
  });

  it('a change closes the current version and adds one; existing surrogate keys stay', async () => {
    const [before] = await versions(1);
    // The version valid for customer 1 changes from the 10th on (the old one is only closed there).
    expect(await merge([change(1, 10, { country: 'DE' })])).toMatchObject({
      inserted: 1,
      closed: 1,
      replaced: 0,
      earliestChange: new Date(at(10)).toISOString(),
    });
    expect(await merge([change(1, 10, { country: 'DE' })])).toMatchObject({
      inserted: 0,
      earliestChange: null,
    });
    const after = await versions(1);
    expect(after.map((v) => [v.country, v.from, v.to, v.version])).toEqual([
      ['US', at(1), at(10), 1],
      ['DE', at(10), 'infinity', 2],
    ]);
    expect(after[0].sk).toBe(before.sk);
  });

  it('a change back to an earlier value is a new version: history is kept (3 versions)', async () => {
    const before = await versions(1);
    expect(await merge([change(1, 20, { country: 'US' })])).toMatchObject({ inserted: 1, closed: 1 });
    const after = await versions(1);
    expect(after.map((v) => v.country)).toEqual(['US', 'DE', 'US']);
    expect(after.slice(0, 2).map((v) => v.sk)).toEqual(before.map((v) => v.sk));
  });

  it('changes out of order in separate batches: the late one lands in the middle, intervals re-tiled', async () => {
    await merge([change(10, 1, { country: 'US' }), change(10, 20, { country: 'FR' })]);
    const [first, last] = await versions(10);
    expect(await merge([change(10, 10, { country: 'DE' })])).toMatchObject({
      inserted: 1,
      closed: 1,
      replaced: 0,
      unchanged: 0,
      earliestChange: new Date(at(10)).toISOString(),
    });
    const after = await versions(10);
    expect(after.map((v) => [v.country, v.from, v.to, v.version, v.current])).toEqual([
      ['US', at(1), at(10), 1, false],
      ['DE', at(10), at(20), 2, false],
      ['FR', at(20), 'infinity', 3, true],
    ]);
    // Untouched versions keep their surrogate keys; only valid_to / version changed.
    expect([after[0].sk, after[2].sk]).toEqual([first.sk, last.sk]);
  });

  it('a change absorbed in one batch becomes a version again when a late change lands before it', async () => {
    // US on the 1st and US again on the 20th: one version…
    expect(await merge([change(11, 1), change(11, 20)])).toMatchObject({ inserted: 1, unchanged: 1 });
    expect(await versions(11)).toHaveLength(1);
    // …until DE arrives for the 10th: then the 20th is a change back to US.
    expect(await merge([change(11, 10, { country: 'DE' })])).toMatchObject({ inserted: 2, closed: 1 });
    expect((await versions(11)).map((v) => [v.country, v.from, v.to])).toEqual([
      ['US', at(1), at(10)],
      ['DE', at(10), at(20)],
      ['US', at(20), 'infinity'],
    ]);
  });

  it('a late change older than every version becomes the first', async () => {
    await merge([change(12, 10, { country: 'US' }), change(12, 20, { country: 'FR' })]);
    const before = await versions(12);
    expect(await merge([change(12, 5, { country: 'DE' })])).toMatchObject({
      inserted: 1,
      closed: 0,
      replaced: 0,
      earliestChange: new Date(at(5)).toISOString(),
    });
    const after = await versions(12);
    expect(after.map((v) => [v.country, v.from, v.to, v.version])).toEqual([
      ['DE', at(5), at(10), 1],
      ['US', at(10), at(20), 2],
      ['FR', at(20), 'infinity', 3],
    ]);
    expect(after.slice(1).map((v) => v.sk)).toEqual(before.map((v) => v.sk));

    // An earlier change with the SAME attributes moves the start of the first version back: it is a
    // new version row (valid_from changed), the old one is replaced.
    await merge([change(13, 10)]);
    expect(await merge([change(13, 5)])).toMatchObject({ inserted: 1, replaced: 1 });
    expect((await versions(13)).map((v) => [v.from, v.to])).toEqual([[at(5), 'infinity']]);
  });

  it('a change at the same time as a version with other attributes corrects it', async () => {
    await merge([change(14, 10, { country: 'US' }), change(14, 20, { country: 'FR' })]);
    const [, kept] = await versions(14);
    expect(await merge([change(14, 10, { country: 'GB' })])).toMatchObject({
      inserted: 1,
      replaced: 1,
      closed: 0,
    });
    const corrected = await versions(14);
    expect(corrected.map((v) => v.country)).toEqual(['GB', 'FR']);
    expect(corrected[1].sk).toBe(kept.sk);
    // Corrected to what follows it, the two versions collapse into one.
    expect(await merge([change(14, 10, { country: 'FR' })])).toMatchObject({ inserted: 1, replaced: 2 });
    expect((await versions(14)).map((v) => [v.country, v.from])).toEqual([['FR', at(10)]]);
  });

  it('a change equal to the version valid at its time makes no version', async () => {
    const before = await snapshot();
    // customer 1 is US since the 20th; customer 10 is DE from the 10th to the 20th
    expect(await merge([change(1, 25, { country: 'US' }), change(10, 15, { country: 'DE' })])).toMatchObject({
      keys: 2,
      inserted: 0,
      closed: 0,
      replaced: 0,
      unchanged: 2,
    });
    const after = await snapshot();
    expect({ ...after, absorbed: '' }).toEqual({ ...before, absorbed: '' });
  });

  it('duplicates in one batch and across batches are idempotent', async () => {
    const batch = [
      change(20, 1),
      change(20, 1),
      change(20, 3, { country: 'DE' }),
      change(20, 3, { country: 'DE' }),
    ];
    expect(await merge(batch)).toMatchObject({ staged: 4, keys: 1, inserted: 2, unchanged: 2 });
    const before = await snapshot();
    for (const again of [
      batch,
      firstLoad,
      [change(10, 1, { country: 'US' }), change(10, 20, { country: 'FR' })],
      [change(10, 10, { country: 'DE' })],
      [change(11, 1), change(11, 20)],
      [change(12, 5, { country: 'DE' })],
    ]) {
      expect(await merge(again)).toMatchObject({
        inserted: 0,
        closed: 0,
        replaced: 0,
        unchanged: again.length,
      });
      expect(await snapshot()).toEqual(before);
    }
  });

  it('reads changes from a CSV file', async () => {
    const file = join(scratch, 'changes.csv');
    writeFileSync(
      file,
      'updated_at,customer_id,name,email,country,registration_date\n' +
        `${at(2)},40,"Doe, Jane",jane@example.com,US,2023-06-01\n` +
        `${at(9)},40,"Doe, Jane",jane@example.com,CA,2023-06-01\n`,
    );
    expect(await merge(file)).toMatchObject({ staged: 2, keys: 1, inserted: 2 });
    expect((await versions(40)).map((v) => [v.country, v.from, v.to])).toEqual([
      ['US', at(2), at(9)],
      ['CA', at(9), 'infinity'],
    ]);
  });

  it('many keys, in batches arriving in any order, equal one merge of everything', async () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const countries = ['US', 'DE', 'FR'];
    const all: Change[] = [];
    for (let id = 1000; id < 1300; id++) {
      const days = [
        ...new Set(Array.from({ length: 1 + Math.floor(random() * 6) }, () => 1 + Math.floor(random() * 28))),
      ];
      for (const day of days) {
        all.push(
          change(id, day, {
            country: countries[Math.floor(random() * 3)],
            email: `c${id}-${Math.floor(random() * 2)}@x.io`,
          }),
        );
      }
    }
    const batches: Change[][] = [[], [], [], []];
    for (const c of all) batches[Math.floor(random() * 4)].push(c);
    for (const batch of [batches[2], batches[0], batches[3], batches[1]]) await merge(batch);

    await postgres.query(
      'create table shopflow_dw.dim_customer_full (like shopflow_dw.dim_customer including all)',
    );
    const full = await mergeScd2(
      postgres.pool,
      { ...dimCustomerScd2, table: 'shopflow_dw.dim_customer_full', facts: [] },
      all,
    );
    expect(full).toMatchObject({ staged: all.length, keys: 300 });
    const columns = `customer_id, name, email, country, registration_date, valid_from, valid_to, is_current, version`;
    const { rows } = await postgres.query(`select count(*)::int as n from (
        (select ${columns} from shopflow_dw.dim_customer where customer_id >= 1000
         except select ${columns} from shopflow_dw.dim_customer_full)
        union all
        (select ${columns} from shopflow_dw.dim_customer_full
         except select ${columns} from shopflow_dw.dim_customer where customer_id >= 1000)) d`);
    expect(rows[0].n).toBe(0);
    expect(await violations('shopflow_dw.dim_customer_full', 'customer_id', dimCustomerScd2.tracked)).toEqual(
      NO_VIOLATIONS,
    );
    const [{ n }] = (await postgres.query('select count(*)::int as n from shopflow_dw.dim_customer_full'))
      .rows;
    expect(n).toBeGreaterThan(300);
    await postgres.query('drop table shopflow_dw.dim_customer_full');
  });

  it('facts are re-pointed when a late change splits, corrects or precedes their version', async () => {
    await merge(
      [
        {
          product_id: 1,
          name: 'Lamp',
          category: 'Home',
          supplier: 'Acme',
          price: '20.00',
          updated_at: at(1),
        },
        {
          product_id: 1,
          name: 'Lamp',
          category: 'Home',
          supplier: 'Acme',
          price: '25.00',
          updated_at: at(20),
        },
      ],
      dimProductScd2,
    );
    await merge([change(30, 5, { country: 'US' }), change(30, 20, { country: 'FR' })]);
    const sale = (id: number, day: number) => ({
      transaction_id: id,
      customer_id: 30,
      product_id: 1,
      quantity: 1,
      unit_price: '20.00',
      amount: '20.00',
      payment_method: 'card',
      transaction_ts: at(day, 12),
      delivery_date: '2024-01-28',
    });
    const sales = [sale(1, 3), sale(2, 8), sale(3, 15), sale(4, 25)];
    // NOTE: the embedded superuser writes facts without the per-row triggers: their keys come from
    // the dimensions the load locks; the merges below still re-point them under the foreign keys.
    expect(await loadFactSales(postgres.pool, sales, '2024-01-28')).toMatchObject({
      staged: 4,
      inserted: 4,
      referenceCheck: 'set-based',
    });
    const pointers = async () =>
      (
        await postgres.query(`select f.transaction_id::int as id, c.country, c.version as cv, p.price, p.version as pv
          from shopflow_dw.fact_sales f join shopflow_dw.dim_customer c using (customer_sk)
          join shopflow_dw.dim_product p using (product_sk) order by 1`)
      ).rows.map((r) => [r.id, r.country, r.cv, r.price, r.pv]);
    // The sale on the 3rd predates the customer's first version (the 5th): it points to version 1.
    expect(await pointers()).toEqual([
      [1, 'US', 1, '20.00', 1],
      [2, 'US', 1, '20.00', 1],
      [3, 'US', 1, '20.00', 1],
      [4, 'FR', 2, '25.00', 2],
    ]);

    expect(await merge([change(30, 10, { country: 'DE' })])).toMatchObject({
      repointed: { 'shopflow_dw.fact_sales': 1 },
    });
    expect((await pointers()).map((p) => p.slice(0, 3))).toEqual([
      [1, 'US', 1],
      [2, 'US', 1],
      [3, 'DE', 2],
      [4, 'FR', 3],
    ]);

    expect(await merge([change(30, 10, { country: 'GB' })])).toMatchObject({
      replaced: 1,
      repointed: { 'shopflow_dw.fact_sales': 1 },
    });
    expect((await pointers())[2].slice(0, 3)).toEqual([3, 'GB', 2]);

    expect(await merge([change(30, 2, { country: 'MX' })])).toMatchObject({ inserted: 1 });
    expect((await pointers()).map((p) => p.slice(0, 3))).toEqual([
      [1, 'MX', 1],
      [2, 'US', 2],
      [3, 'GB', 3],
      [4, 'FR', 4],
    ]);

    // A late price change splits the product's first version.
    expect(
      await merge(
        [
          {
            product_id: 1,
            name: 'Lamp',
            category: 'Home',
            supplier: 'Acme',
            price: '22.50',
            updated_at: at(12),
          },
        ],
        dimProductScd2,
      ),
    ).toMatchObject({ inserted: 1, closed: 1, repointed: { 'shopflow_dw.fact_sales': 1 } });
    expect((await pointers()).map((p) => [p[0], p[3], p[4]])).toEqual([
      [1, '20.00', 1],
      [2, '20.00', 1],
      [3, '22.50', 2],
      [4, '25.00', 3],
    ]);

    // Reloading the day changes nothing.
    const before = await snapshot();
    expect(await loadFactSales(postgres.pool, sales, '2024-01-28')).toMatchObject({
      staged: 4,
      inserted: 0,
      updated: 0,
      unchanged: 4,
      deleted: 0,
    });
    expect(await snapshot()).toEqual(before);

    // A day delivered again with one sale changed, one new and one gone: the plain insert of the
    // first write fails on the stored keys, the upsert writes the difference, the gone sale goes.
    const redelivered = [
      sale(1, 3),
      { ...sale(2, 8), quantity: 2, amount: '40.00' },
      sale(3, 15),
      sale(5, 26),
    ];
    expect(await loadFactSales(postgres.pool, redelivered, '2024-01-28')).toMatchObject({
      staged: 4,
      inserted: 1,
      updated: 1,
      unchanged: 2,
      deleted: 1,
      referenceCheck: 'set-based',
    });
    const facts = await postgres.query(
      'select transaction_id::int as id, quantity, amount::text from shopflow_dw.fact_sales order by 1',
    );
    expect(facts.rows).toEqual([
      { id: 1, quantity: 1, amount: '20.00' },
      { id: 2, quantity: 2, amount: '40.00' },
      { id: 3, quantity: 1, amount: '20.00' },
      { id: 5, quantity: 1, amount: '20.00' },
    ]);
  });

  it('rejects a change without natural key or time, and specs naming unknown columns; nothing is written', async () => {
    const before = await snapshot();
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => {
          throw new Error('expected the merge to fail');
        },
        (error: unknown) => error,
      );
    const incomplete = await failure(
      mergeScd2(postgres.pool, dimCustomerScd2, [
        change(50, 1),
        { ...change(50, 2), updated_at: null as unknown as string },
      ]),
    );
    expect(isShopflowError(incomplete) && incomplete.code).toBe('SF_INPUT_INVALID');
    expect((incomplete as Error).message).toMatch(/change 2 .* no customer_id or no updated_at/);

    const misspelled = await failure(
      mergeScd2(postgres.pool, { ...dimCustomerScd2, tracked: ['name', 'contry'] }, [change(50, 1)]),
    );
    expect(isShopflowError(misspelled) && misspelled.code).toBe('SF_INPUT_INVALID');
    expect(isShopflowError(misspelled) && misspelled.hint).toMatch(/country/);

    const reserved = await failure(
      mergeScd2(postgres.pool, { ...dimCustomerScd2, tracked: ['name', 'valid_to'] }, [change(50, 1)]),
    );
    expect(isShopflowError(reserved) && reserved.code).toBe('SF_INPUT_INVALID');

    const missing = await failure(
      mergeScd2(postgres.pool, { ...dimCustomerScd2, table: 'shopflow_dw.dim_nobody' }, [change(50, 1)]),
    );
    expect(isShopflowError(missing) && missing.code).toBe('SF_IO');
    expect(await snapshot()).toEqual(before);
  });

  it('analyzes the dimension after a merge that changed a tenth of it, and not after a small one', async () => {
    const stats = async () =>
      (
        await postgres.query(
          `select (select reltuples::int from pg_class where oid = 'shopflow_dw.dim_customer'::regclass) as analyzed,
             (select count(*)::int from shopflow_dw.dim_customer) as stored,
             (select count(*)::int from pg_stats where schemaname = 'shopflow_dw' and tablename = 'dim_customer'
                and attname = 'customer_id') as histograms`,
        )
      ).rows[0] as { analyzed: number; stored: number; histograms: number };
    const many = Array.from({ length: 200 }, (_, i) => change(20_000 + i, 3));
    expect((await merge(many)).inserted).toBe(200);
    const large = await stats();
    expect(large.analyzed).toBe(large.stored);
    expect(large.histograms).toBe(1);

    expect((await merge([change(20_500, 4)])).inserted).toBe(1);
    const small = await stats();
    expect(small.stored).toBe(large.stored + 1);
    expect(small.analyzed).toBe(large.analyzed);
  });
});

describe('statisticsAreStale', () => {
  it('follows autovacuum: never analyzed, or more than 50 rows plus a tenth changed; nothing changed never is', () => {
    expect(statisticsAreStale(-1, 1)).toBe(true);
    expect(statisticsAreStale(-1, 0)).toBe(false);
    expect(statisticsAreStale(1000, 150)).toBe(false);
    expect(statisticsAreStale(1000, 151)).toBe(true);
    expect(statisticsAreStale(0, 51)).toBe(true);
  });
});
