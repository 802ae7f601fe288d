import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shopflowAssets } from '../../../assets/definitions.js';
import { generatorSettings } from '../../../assets/resources/generator-settings.js';
import { incrementalSettings } from '../../../assets/resources/incremental-settings.js';
import { postgresWarehouse } from '../../../assets/resources/postgres-warehouse.js';
import { dimCustomerScd2 } from '../../../assets/warehouse/dim-customer.js';
import { starSchemaAssets } from '../../../assets/warehouse/star-schema.js';
import { defineDefinitions, ShopflowRuntime } from '../../../framework/index.js';
import { applyDdl } from '../../../resources/postgres/apply-ddl.js';
import { stopEmbeddedPostgres } from '../../../resources/postgres/embedded-postgres-server.js';
import type { PostgresResource } from '../../../resources/postgres/postgres-resource.js';
import { mergeScd2 } from '../../../resources/postgres/scd2/merge-scd2.js';
import { silentLog } from '../../support/example-runtime.js';
import { type ShopflowTestHome, shopflowTestHome } from '../../support/shopflow-test-home.js';

const definitions = defineDefinitions({
  // NOTE: filtered, so the test keeps working once shopflowAssets includes the star schema itself.
  assets: [...shopflowAssets, ...starSchemaAssets.filter((asset) => !shopflowAssets.includes(asset))],
  resources: [generatorSettings, incrementalSettings, postgresWarehouse],
});
/** The star schema, its lake twins and everything upstream of them. */
const SELECTION = '+fact_sales,+lake_fact_sales';

/** The runtime's clock for the first of two steps: the pipeline as it stood on 2024-02-16. */
const STEP_ONE_NOW = new Date('2024-02-16T00:00:00Z');

interface Home {
  t: ShopflowTestHome;
  runtime: ShopflowRuntime;
  pg: PostgresResource;
}

async function openRuntime(home: Home, now?: () => Date): Promise<void> {
  home.runtime = now
    ? await ShopflowRuntime.open({ config: home.t.config, definitions, log: silentLog, now })
    : await home.t.open(definitions);
  home.pg = await home.runtime.resources.get(postgresWarehouse);
}

async function run(home: Home, options: Parameters<ShopflowRuntime['plan']>[0] = {}) {
  const result = await home.runtime.execute(await home.runtime.plan({ selection: SELECTION, ...options }));
  if (result.status !== 'success') {
    const failures = [...result.outcomes.values()].filter((o) => o.status === 'failed').map((o) => o.message);
    throw new Error(`run failed: ${result.error} ${failures.slice(0, 2).join('; ')}`);
  }
  return result;
}

let oneGo: Home;
let twoSteps: Home;
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'shopflow-star-'));
  oneGo = { t: shopflowTestHome({ scale: 0.2 }) } as Home;
  twoSteps = { t: shopflowTestHome({ scale: 0.2 }) } as Home;
  // NOTE: allSettled, so a failure in one home never tears the other down while it still runs.
  const settled = await Promise.allSettled([
    (async () => {
      await openRuntime(oneGo);
      await run(oneGo);
    })(),
    (async () => {
      // Step 1: on 2024-02-16 the source has delivered the days up to 2024-02-15 only, so silver
      // holds the customer and product changes up to then; step 2, today, brings the rest.
      await openRuntime(twoSteps, () => STEP_ONE_NOW);
      await run(twoSteps, { partitions: { from: '2024-01-01', to: '2024-02-15' } });
      await twoSteps.runtime.close();
      await openRuntime(twoSteps);
      await run(twoSteps);
    })(),
  ]);
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
}, 120_000);

afterAll(async () => {
  for (const home of [oneGo, twoSteps]) {
    if (!home) continue;
    await home.runtime?.close();
    await stopEmbeddedPostgres(join(home.t.home, 'postgres'));
    home.t.cleanup();
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function lakeRows(home: Home, sql: string) {
  const session = await home.runtime.engine.session();
  try {
    return await session.query(sql);
  } finally {
    session.close();
  }
}

const lake = (home: Home, asset: string, file = 'data.parquet') =>
  `read_parquet('${join(home.t.home, 'lake', asset, file)}', hive_partitioning = false)`;

const pgTime = (column: string) =>
  `case when ${column} = 'infinity' then 'infinity' else to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') end`;
const lakeTime = (column: string) =>
  `CASE WHEN ${column} = 'infinity'::TIMESTAMPTZ THEN 'infinity' ELSE strftime(${column}, '%Y-%m-%dT%H:%M:%SZ') END`;

const DIMENSIONS = {
  customer: { key: 'customer_id', attributes: ['name', 'email', 'country', 'registration_date'] },
  product: { key: 'product_id', attributes: ['name', 'category', 'supplier', 'price'] },
} as const;
type Dimension = keyof typeof DIMENSIONS;

/** A dimension of the warehouse without surrogate keys, every value as text, in key/version order. */
async function warehouseDimension(home: Home, dimension: Dimension, table = `shopflow_dw.dim_${dimension}`) {
  const { key, attributes } = DIMENSIONS[dimension];
  const { rows } = await home.pg.query(
    `select ${key}::text, ${attributes.map((a) => `${a}::text`).join(', ')}, ${pgTime('valid_from')} as valid_from,
       ${pgTime('valid_to')} as valid_to, is_current::text, version::text
     from ${table} d order by d.${key}, d.version`,
  );
  return rows;
}

async function lakeDimension(home: Home, dimension: Dimension) {
  const { key, attributes } = DIMENSIONS[dimension];
  return await lakeRows(
    home,
    `select ${key}::VARCHAR as ${key}, ${attributes.map((a) => `${a}::VARCHAR as ${a}`).join(', ')},
       ${lakeTime('valid_from')} as valid_from, ${lakeTime('valid_to')} as valid_to,
       CASE WHEN is_current THEN 'true' ELSE 'false' END as is_current, version::VARCHAR as version
     from ${lake(home, `lake_dim_${dimension}`)} d order by d.${key}, d.version`,
  );
}

/** fact_sales with (natural key, version) in place of the surrogate keys, every value as text. */
async function warehouseFacts(home: Home) {
  const { rows } = await home.pg.query(`select f.transaction_id::text, f.date_sk::text,
      c.customer_id::text, c.version::text as customer_version, p.product_id::text, p.version::text as product_version,
      f.quantity::text, f.unit_price::text, f.amount::text, f.payment_method, ${pgTime('f.transaction_ts')} as transaction_ts,
      f.delivery_date::text
    from shopflow_dw.fact_sales f
    join shopflow_dw.dim_customer c using (customer_sk)
    join shopflow_dw.dim_product p using (product_sk)
    order by f.transaction_id`);
  return rows;
}

async function lakeFacts(home: Home) {
  return await lakeRows(
    home,
    `select transaction_id::VARCHAR as transaction_id, date_sk::VARCHAR as date_sk,
       customer_id::VARCHAR as customer_id, customer_version::VARCHAR as customer_version,
       product_id::VARCHAR as product_id, product_version::VARCHAR as product_version,
       quantity::VARCHAR as quantity, unit_price::VARCHAR as unit_price, amount::VARCHAR as amount,
       payment_method, ${lakeTime('transaction_ts')} as transaction_ts, delivery_date::VARCHAR as delivery_date
     from ${lake(home, 'lake_fact_sales', '**/data.parquet')} f order by f.transaction_id`,
  );
}

describe('the star schema on the ShopFlow pipeline', () => {
  test('every fact points to the customer and product versions valid at its transaction time', async () => {
    for (const home of [oneGo, twoSteps]) {
      const { rows } = await home.pg.query(`select count(*)::int as facts,
          count(*) filter (where not (f.transaction_ts < c.valid_to and f.transaction_ts >= c.valid_from))::int as customer_misses,
          count(*) filter (where not (f.transaction_ts < p.valid_to and f.transaction_ts >= p.valid_from))::int as product_misses,
          count(*) filter (where d.date <> (f.transaction_ts at time zone 'UTC')::date)::int as date_misses
        from shopflow_dw.fact_sales f
        join shopflow_dw.dim_customer c using (customer_sk)
        join shopflow_dw.dim_product p using (product_sk)
        join shopflow_dw.dim_date d using (date_sk)`);
      const [{ n: silver }] = await lakeRows(
        home,
        `select count(*)::INTEGER as n from ${lake(home, 'silver_transactions', '**/data.parquet')}`,
      );
      expect(rows[0]).toEqual({ facts: silver, customer_misses: 0, product_misses: 0, date_misses: 0 });
      expect(silver).toBeGreaterThan(500);
    }
  });

  test('the warehouse dimensions equal the from-scratch lake dimensions row for row', async () => {
    for (const home of [oneGo, twoSteps]) {
      for (const dimension of ['customer', 'product'] as const) {
        const warehouse = await warehouseDimension(home, dimension);
        expect(warehouse).toEqual(await lakeDimension(home, dimension));
        // The simulated history has real SCD2 material: several versions, and changes back.
        expect(warehouse.filter((row) => row.version !== '1').length).toBeGreaterThan(10);
      }
    }
  });

  test('the warehouse facts equal the lake facts (natural key + version for surrogate keys)', async () => {
    for (const home of [oneGo, twoSteps]) {
      const warehouse = await warehouseFacts(home);
      expect(warehouse).toEqual(await lakeFacts(home));
      expect(warehouse.some((row) => row.customer_version !== '1' || row.product_version !== '1')).toBe(true);
    }
  });

  test('materializing in two steps gives the same dimensions and facts as in one go', async () => {
    for (const dimension of ['customer', 'product'] as const) {
      expect(await warehouseDimension(twoSteps, dimension)).toEqual(
        await warehouseDimension(oneGo, dimension),
      );
    }
    expect(await warehouseFacts(twoSteps)).toEqual(await warehouseFacts(oneGo));
    const dates = 'select * from shopflow_dw.dim_date order by date_sk';
    expect((await twoSteps.pg.query(dates)).rows).toEqual((await oneGo.pg.query(dates)).rows);
    expect((await oneGo.pg.query(dates)).rows).toHaveLength(90);
  });

  test("the second step merged only the changes since the first step's watermark minus the lookback", async () => {
    for (const [asset, silver] of [
      ['dim_customer', 'silver_customers'],
      ['dim_product', 'silver_products'],
    ]) {
      const [second, first] = await twoSteps.runtime.store.listMaterializations({
        assetKey: asset,
        limit: 2,
      });
      const [{ total }] = await lakeRows(
        twoSteps,
        `select count(*)::INTEGER as total from ${lake(twoSteps, silver)}`,
      );
      expect(first.metadata).toMatchObject({ readSince: null });
      expect((first.metadata.watermark as string) < '2024-02-16').toBe(true);
      expect(second.metadata.readSince).toBe(
        new Date(Date.parse(first.metadata.watermark as string) - 72 * 3_600_000).toISOString(),
      );
      expect(second.metadata.read).toBeLessThan(total as number);
      expect(second.metadata.inserted).toBeGreaterThan(0);
      expect(second.metadata.inserted).toBeLessThan(second.metadata.read as number);
    }
  });

  test('a re-run reads only the lookback window, changes nothing and leaves downstream fresh', async () => {
    const before = await oneGo.pg.query(
      'select md5(string_agg(d::text, $1 order by customer_sk)) as h from shopflow_dw.dim_customer d',
      ['|'],
    );
    await run(oneGo, { selection: 'dim_customer', force: true });
    const [latest] = await oneGo.runtime.store.listMaterializations({ assetKey: 'dim_customer', limit: 1 });
    const [{ newest, total }] = await lakeRows(
      oneGo,
      `select strftime(max(updated_at), '%Y-%m-%dT%H:%M:%S.000Z') as newest, count(*)::INTEGER as total
       from ${lake(oneGo, 'silver_customers')}`,
    );
    expect(latest.metadata).toMatchObject({
      watermark: newest,
      lookbackHours: 72,
      readSince: new Date(Date.parse(newest as string) - 72 * 3_600_000).toISOString(),
      inserted: 0,
      closed: 0,
      replaced: 0,
    });
    expect(latest.metadata.read).toBeGreaterThan(0);
    expect(latest.metadata.read).toBeLessThan(total as number);
    const after = await oneGo.pg.query(
      'select md5(string_agg(d::text, $1 order by customer_sk)) as h from shopflow_dw.dim_customer d',
      ['|'],
    );
    expect(after.rows).toEqual(before.rows);
    expect((await oneGo.runtime.plan({ selection: SELECTION })).steps).toEqual([]);
  });

  test('silver customer versions merged in out-of-order monthly batches equal the lake rebuild', async () => {
    await oneGo.pg.query(
      'create table shopflow_dw.dim_customer_replay (like shopflow_dw.dim_customer including all)',
    );
    const spec = { ...dimCustomerScd2, table: 'shopflow_dw.dim_customer_replay', facts: [] };
    const columns = ['customer_id', ...dimCustomerScd2.tracked, 'updated_at'].join(', ');
    for (const month of [3, 1, 2]) {
      const file = join(scratch, `customers-${month}.csv`);
      await lakeRows(
        oneGo,
        `COPY (select ${columns} from ${lake(oneGo, 'silver_customers')} where month(updated_at) = ${month})
         TO '${file}' (FORMAT csv, HEADER true)`,
      );
      await mergeScd2(oneGo.pg.pool, spec, file);
    }
    expect(await warehouseDimension(oneGo, 'customer', spec.table)).toEqual(
      await lakeDimension(oneGo, 'customer'),
    );
  });
});

describe('a warehouse created again', () => {
  test('forced loads into an empty warehouse read everything, not only the changes since the saved watermarks', async () => {
    await run(twoSteps, { selection: 'pg_customers,pg_products' });
    const counts =
      'select (select count(*) from shopflow.customers)::int as c, (select count(*) from shopflow.products)::int as p';
    const stored = (await twoSteps.pg.query(counts)).rows;
    // The server lost and created anew: the instance store still holds every load's watermark.
    await twoSteps.pg.query(
      'drop schema shopflow_masked cascade; drop schema shopflow_analytics cascade; drop schema shopflow_dw cascade; drop schema shopflow cascade',
    );
    await applyDdl(twoSteps.pg.pool);
    await run(twoSteps, { selection: 'group:warehouse', force: true });
    for (const dimension of ['customer', 'product'] as const) {
      expect(await warehouseDimension(twoSteps, dimension)).toEqual(
        await warehouseDimension(oneGo, dimension),
      );
    }
    expect(await warehouseFacts(twoSteps)).toEqual(await warehouseFacts(oneGo));
    for (const asset of ['pg_customers', 'pg_products', 'dim_customer', 'dim_product']) {
      const [latest] = await twoSteps.runtime.store.listMaterializations({ assetKey: asset, limit: 1 });
      expect({ asset, ...latest.metadata }).toMatchObject({
        asset,
        reloadedFromStart: expect.stringMatching(/was empty though a watermark was saved/),
      });
    }
    expect((await twoSteps.pg.query(counts)).rows).toEqual(stored);
    expect(stored[0].c).toBeGreaterThan(0);
  });
});
