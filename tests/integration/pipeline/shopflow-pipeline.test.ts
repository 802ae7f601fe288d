import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shopflowSensors } from '../../../assets/definitions.js';
import { landingStore } from '../../../assets/resources/landing-store.js';
import { postgresWarehouse } from '../../../assets/resources/postgres-warehouse.js';
import {
  glueTableInput,
  type Plan,
  type ShopflowRuntime,
  type StoredColumn,
  schemaColumns,
  storedTypeMismatches,
} from '../../../framework/index.js';
import { loadAnalyticsQueries } from '../../../resources/postgres/analytics-queries.js';
import { stopEmbeddedPostgres } from '../../../resources/postgres/embedded-postgres-server.js';
import { ShopflowDaemon } from '../../../schedules/index.js';
import { jsonLines, runShopflow } from '../../support/run-shopflow.js';
import { type ShopflowTestHome, shopflowTestHome } from '../../support/shopflow-test-home.js';

let t: ShopflowTestHome;
let runtime: ShopflowRuntime;

beforeAll(async () => {
  t = shopflowTestHome();
  runtime = await t.open();
  const result = await runtime.execute(await runtime.plan());
  if (result.status !== 'success') throw new Error(`pipeline failed: ${result.error}`);
}, 180_000);

afterAll(async () => {
  await runtime?.close();
  await stopEmbeddedPostgres(join(t.home, 'postgres'));
  t?.cleanup();
});

async function lakeRows(sql: string) {
  const session = await runtime.engine.session();
  try {
    return await session.query(sql);
  } finally {
    session.close();
  }
}

const lake = (asset: string, file = '**/data.parquet') =>
  `read_parquet('${join(t.home, 'lake', asset, file)}', hive_partitioning = false)`;

describe('the ShopFlow pipeline', () => {
  test('a second plan right after the full run finds nothing to do', async () => {
    expect((await runtime.plan()).steps).toEqual([]);
  });

  test('quarantined rows match the defects the simulator injected, rule by rule', async () => {
    const counts = t.defects();
    const quarantined = async (asset: string, pattern: string) => {
      const rows = await lakeRows(
        `select rule, count(*)::INTEGER as n from (select unnest(string_split(quarantine_rules, ',')) as rule from ${lake(asset, pattern)}) group by rule`,
      );
      return Object.fromEntries(rows.map((r) => [r.rule, r.n]));
    };
    const customers = await quarantined('raw_customers', 'quarantine.parquet');
    expect(customers).toEqual(
      Object.fromEntries(
        Object.entries({
          email_present: counts['customers.csv']?.null_email,
          email_valid: counts['customers.csv']?.malformed_email,
          registration_date_valid: counts['customers.csv']?.malformed_date,
          customer_version_unique: counts['customers.csv']?.duplicate_id,
        }).filter(([, n]) => n),
      ),
    );
    const products = await quarantined('raw_products', 'quarantine.parquet');
    expect(products).toEqual(
      Object.fromEntries(
        Object.entries({
          price_positive: counts['products.csv']?.non_positive_price,
          product_version_unique: counts['products.csv']?.duplicate_id,
        }).filter(([, n]) => n),
      ),
    );
    const transactions = await quarantined('raw_transactions', '**/quarantine.parquet');
    const orphans = (transactions.customer_exists ?? 0) + (transactions.product_exists ?? 0);
    const injected = counts['transactions.csv'] ?? {};
    expect({
      timestamp_valid: transactions.timestamp_valid ?? 0,
      unit_price_positive: transactions.unit_price_positive ?? 0,
      transaction_unique: transactions.transaction_unique ?? 0,
      orphans,
    }).toEqual({
      timestamp_valid: injected.malformed_date ?? 0,
      unit_price_positive: injected.non_positive_price ?? 0,
      transaction_unique: injected.duplicate_id ?? 0,
      orphans: injected.orphan_fk ?? 0,
    });
    // The run really exercised every rule kind the simulator injects into transactions.
    expect(Object.values(injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  test('every bronze read and every bronze and raw check evaluation is one line of validation.log', async () => {
    const lines = readFileSync(join(t.home, 'logs', 'validation.log'), 'utf8')
      .trim()
      .split('\n');
    const evaluations = await runtime.store.listCheckEvaluations({ limit: 100_000 });
    const of = (layer: string) => evaluations.filter((e) => e.assetKey.startsWith(`${layer}_`)).length;
    expect(lines.filter((l) => / raw_\w+(\[[\d-]+\])? /.test(l))).toHaveLength(of('raw'));
    const bronzeReads = (await runtime.store.listAssetPartitionStates()).filter((s) =>
      s.assetKey.startsWith('bronze_'),
    ).length;
    expect(lines.filter((l) => / bronze_\w+\[[\d-]+\] /.test(l))).toHaveLength(of('bronze') + bronzeReads);
    expect(lines.some((l) => / raw_customers email_valid PASS failing=0 quarantined=\d+/.test(l))).toBe(true);
    // Quarantined examples show customers' personal data masked by its policy: the email partly,
    // the name redacted (no masking key in the test's environment), never in clear.
    const examples = lines
      .filter((l) => / raw_customers(\[[\d-]+\])? \w+ .* examples=/.test(l))
      .flatMap((l) => JSON.parse(l.slice(l.indexOf(' examples=') + 10)) as Array<Record<string, unknown>>);
    expect(examples.length).toBeGreaterThan(0);
    for (const row of examples) {
      expect(row.name).toBe('[PII]');
      expect(String(row.email)).toMatch(/^.\*\*\*(@.*)?$|^\[PII\]$/);
    }
    expect(
      lines.some((l) =>
        / bronze_customers\[2024-01-15\] read PASS records=\d+ rows=\d+ rejected=0 — raw\//.test(l),
      ),
    ).toBe(true);
  });

  test('the warehouse holds what silver holds, with one successful audit row per load', async () => {
    const pg = await runtime.resources.get(postgresWarehouse);
    const [{ n: pgTransactions }] = (await pg.query('select count(*)::int as n from shopflow.transactions'))
      .rows;
    const [{ n: silverTransactions }] = await lakeRows(
      `select count(*)::INTEGER as n from ${lake('silver_transactions')}`,
    );
    expect(pgTransactions).toBe(silverTransactions);
    const [{ n: pgCustomers }] = (await pg.query('select count(*)::int as n from shopflow.customers')).rows;
    const [{ n: silverCustomers }] = await lakeRows(
      `select count(distinct customer_id)::INTEGER as n from ${lake('silver_customers', 'data.parquet')}`,
    );
    expect(pgCustomers).toBe(silverCustomers);
    const audit = (
      await pg.query(
        `select asset_key, status, count(*)::int as n, sum(rejected)::int as rejected from shopflow.load_audit group by 1, 2 order by 1`,
      )
    ).rows;
    expect(audit).toEqual([
      { asset_key: 'pg_customers', status: 'success', n: 1, rejected: 0 },
      { asset_key: 'pg_products', status: 'success', n: 1, rejected: 0 },
      { asset_key: 'pg_transactions', status: 'success', n: 90, rejected: 0 },
    ]);
  });

  test('loading the same partitions again changes nothing but the audit', async () => {
    const pg = await runtime.resources.get(postgresWarehouse);
    const snapshot = async () =>
      (
        await pg.query(`select
          (select md5(string_agg(t::text, '|' order by transaction_id)) from shopflow.transactions t) as t,
          (select md5(string_agg(c::text, '|' order by customer_id)) from shopflow.customers c) as c`)
      ).rows[0];
    const before = await snapshot();
    const result = await runtime.execute(
      await runtime.plan({
        selection: 'pg_customers,pg_transactions',
        partitions: { keys: ['2024-02-01', '2024-02-02'] },
        force: true,
      }),
    );
    expect(result.status).toBe('success');
    expect(await snapshot()).toEqual(before);
    const latest = (
      await pg.query(
        `select asset_key, partition_key, inserted::int, updated::int, (unchanged > 0) as unchanged from shopflow.load_audit order by id desc limit 3`,
      )
    ).rows;
    expect(
      latest.sort((a, b) =>
        `${a.asset_key}${a.partition_key}`.localeCompare(`${b.asset_key}${b.partition_key}`),
      ),
    ).toEqual([
      { asset_key: 'pg_customers', partition_key: null, inserted: 0, updated: 0, unchanged: true },
      { asset_key: 'pg_transactions', partition_key: '2024-02-01', inserted: 0, updated: 0, unchanged: true },
      { asset_key: 'pg_transactions', partition_key: '2024-02-02', inserted: 0, updated: 0, unchanged: true },
    ]);
  });

  test('the analytics assets (DuckDB over silver) equal the same SQL on the PostgreSQL warehouse', async () => {
    const pg = await runtime.resources.get(postgresWarehouse);
    const queries = loadAnalyticsQueries();
    const normalize = (rows: Array<Record<string, unknown>>) =>
      rows.map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)])),
      );
    for (const name of [
      'top_customers',
      'best_sellers_by_category',
      'monthly_revenue',
      'aov_by_country',
    ] as const) {
      const client = await pg.pool.connect();
      let fromPostgres: Array<Record<string, unknown>>;
      try {
        await client.query('set search_path to shopflow_analytics');
        fromPostgres = (await client.query(queries[name])).rows;
      } finally {
        client.release();
      }
      const fromLake = await lakeRows(`select * from ${lake(name, 'data.parquet')}`);
      expect(fromLake.length).toBeGreaterThan(0);
      expect(normalize(fromLake)).toEqual(normalize(fromPostgres));
    }
  });

  test('the landing zone holds one versioned object per dataset and day; re-landing identical bytes adds no version', async () => {
    const day = join(t.home, 'landing', 'raw', 'year=2024', 'month=01', 'day=15');
    expect(readdirSync(day).sort()).toEqual(['clickstream', 'customers', 'products', 'transactions']);
    const result = await runtime.execute(
      await runtime.plan({ selection: 's3_raw_landing', partitions: { keys: ['2024-01-15'] }, force: true }),
    );
    expect(result.status).toBe('success');
    const [latest] = await runtime.store.listMaterializations({
      assetKey: 's3_raw_landing',
      partitionKey: '2024-01-15',
      limit: 2,
    });
    const objects = latest.metadata.objects as Array<{ created: boolean }>;
    expect(objects.map((o) => o.created)).toEqual([false, false, false, false]);
  });

  test('the landing zone is not a lake table: compact, the catalog and the lake checks leave it alone', async () => {
    const landing = runtime.graph.get('s3_raw_landing');
    expect(landing.io.kind).toBe('object-store');
    expect(landing.io.location('s3_raw_landing', '2024-01-15', runtime.lake)).toBe(
      '<resources.objectStore>/raw/year=2024/month=01/day=15/',
    );
    // A downstream step is handed the landed days without a request; it reads the objects itself.
    const handle = await landing.io.input({ assetKey: 's3_raw_landing' } as never, ['2024-01-15']);
    expect(handle.partitionKeys).toEqual(['2024-01-15']);
    expect(() => handle.toSql()).toThrow(/not a table/);

    const compacted = await runShopflow(['--config', t.configFile, 'compact', '--json']);
    expect(compacted.code, compacted.stderr).toBe(0);
    const keys = jsonLines(compacted.stdout).map((r) => String(r.key));
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => k.startsWith('s3_raw_landing'))).toEqual([]);

    const catalog = await runShopflow(['--config', t.configFile, 'catalog', '--json']);
    expect(catalog.code, catalog.stderr).toBe(0);
    const entry = jsonLines(catalog.stdout).find((e) => e.key === 's3_raw_landing');
    expect(entry).toMatchObject({
      storage: 'object-store',
      location: '<resources.objectStore>/raw/year={yyyy}/month={MM}/day={dd}/',
    });
  });
});

describe('what the lake stores is what the schemas declare', () => {
  const recordedSchema = async (assetKey: string) => {
    const [latest] = await runtime.store.listMaterializations({ assetKey, limit: 1 });
    return latest?.metadata.schema as StoredColumn[] | undefined;
  };

  test('every lake table stores each declared column with its declared type', async () => {
    const mismatches: Record<string, unknown> = {};
    let checked = 0;
    for (const asset of runtime.graph.assets) {
      if (asset.io.kind !== 'lake-table') continue;
      const stored = await recordedSchema(asset.key);
      if (!stored) continue;
      checked++;
      const found = storedTypeMismatches(schemaColumns(asset.schema), stored);
      if (found.length) mismatches[asset.key] = found;
    }
    expect(checked).toBeGreaterThan(25);
    expect(mismatches).toEqual({});
    const [audit] = await lakeRows(
      `select typeof(landed_at) as t from ${lake('customer_profile_audit', 'data.parquet')} limit 1`,
    );
    expect(audit.t).toBe('TIMESTAMP WITH TIME ZONE');
  });

  test('a Glue table declares the types the Parquet files store: INT32 is int, INT64 bigint', async () => {
    const columns = async (assetKey: string) => {
      const input = glueTableInput(runtime.graph.get(assetKey), {
        lake: 's3://lake/',
        now: new Date('2024-04-01T00:00:00Z'),
        stored: await recordedSchema(assetKey),
      }) as { StorageDescriptor: { Columns: Array<{ Name: string; Type: string }> } };
      return Object.fromEntries(input.StorageDescriptor.Columns.map((c) => [c.Name, c.Type]));
    };
    expect(await columns('silver_transactions')).toMatchObject({
      transaction_id: 'bigint',
      quantity: 'int',
      amount: 'decimal(18,2)',
      transaction_ts: 'timestamp',
      delivery_date: 'date',
    });
    expect(await columns('lake_fact_sales')).toMatchObject({
      date_sk: 'int',
      customer_version: 'int',
      quantity: 'int',
      customer_id: 'bigint',
    });
    expect(await columns('customer_profile_audit')).toMatchObject({
      customer_id: 'bigint',
      landed_at: 'timestamp',
      captured_at: 'timestamp',
      operational_version: 'int',
    });
    // Without a recorded write, the declared types.
    const declared = glueTableInput(runtime.graph.get('silver_transactions'), { lake: 's3://lake/' }) as {
      StorageDescriptor: { Columns: Array<{ Name: string; Type: string }> };
    };
    expect(declared.StorageDescriptor.Columns.find((c) => c.Name === 'quantity')?.Type).toBe('bigint');
  });
});

describe('change data capture from the operational tables', () => {
  test('the first extract captures every customer row and commits its watermark; a re-run reads the lookback window before it and captures none of it twice', async () => {
    const pg = await runtime.resources.get(postgresWarehouse);
    const [{ n, newest }] = (
      await pg.query(`select count(*)::int as n, max(updated_at) as newest from shopflow.customers`)
    ).rows;
    const [first] = await runtime.store.listMaterializations({
      assetKey: 'operational_customer_changes',
      limit: 1,
    });
    expect(first.metadata).toMatchObject({ watermarkBefore: null, changes: n });
    expect(await runtime.store.getCheckpoint('asset:operational_customer_changes:updated_at')).toBe(
      (newest as Date).toISOString(),
    );
    const again = await runtime.execute(
      await runtime.plan({ selection: 'operational_customer_changes', force: true }),
    );
    expect(again.status).toBe('success');
    const [second] = await runtime.store.listMaterializations({
      assetKey: 'operational_customer_changes',
      limit: 1,
    });
    expect(second.metadata.watermarkBefore).toBe((newest as Date).toISOString());
    const [{ recent }] = (
      await pg.query(
        `select count(*)::int as recent from shopflow.customers where updated_at > $1::timestamptz - interval '72 hours'`,
        [newest],
      )
    ).rows;
    expect(recent).toBeGreaterThan(0);
    expect(second.metadata).toMatchObject({ read: recent, changes: 0 });
    expect(second.rowCount).toBe(n);
    const [{ rows, changes }] = await lakeRows(
      `select count(*)::BIGINT as rows, count(distinct (customer_id, version))::BIGINT as changes from ${lake('operational_customer_changes', '**/*.parquet')}`,
    );
    expect(Number(rows)).toBe(n);
    expect(Number(changes)).toBe(n);
  });
});

describe('late-arriving transactions', () => {
  test('each sale day counts its late deliveries, and totals equal silver by transaction date', async () => {
    const bySaleDate = await lakeRows(
      `select sale_date::VARCHAR as day, transactions, late_transactions, revenue::VARCHAR as revenue from ${lake('sales_by_sale_date')} order by 1`,
    );
    const fromSilver = await lakeRows(
      `select transaction_date::VARCHAR as day, count(*)::BIGINT as transactions, count(*) filter (where delivery_date > transaction_date)::BIGINT as late_transactions, sum(amount)::DECIMAL(18,2)::VARCHAR as revenue from ${lake('silver_transactions')} group by 1 order by 1`,
    );
    expect(bySaleDate.filter((r) => Number(r.transactions) > 0)).toEqual(fromSilver);
    expect(bySaleDate.reduce((n, r) => n + Number(r.late_transactions), 0)).toBeGreaterThan(0);
  });

  test('a new delivery day re-opens only the sale days its records can belong to', async () => {
    const { graph } = runtime;
    const dep = graph.upstream('sales_by_sale_date')[0];
    const opened = dep.mapping.downstreamFor(
      '2024-02-10',
      graph.get('silver_transactions').partitions,
      graph.get('sales_by_sale_date').partitions,
    );
    expect(opened.valid).toEqual(['2024-02-07', '2024-02-08', '2024-02-09', '2024-02-10']);
  });
});

describe('one path for the data', () => {
  test('bronze holds every landed row with its object key, version and hash; raw reads bronze', async () => {
    const [bronze] = await lakeRows(
      `select landing_key, landing_version, landing_sha256, count(*)::INTEGER as n
       from ${lake('bronze_transactions', 'partition=2024-01-15/data.parquet')} group by all`,
    );
    const store = await runtime.resources.get(landingStore);
    const [version] = await store.listVersions(bronze.landing_key as string);
    expect(bronze).toEqual({
      landing_key: 'raw/year=2024/month=01/day=15/transactions/transactions.csv',
      landing_version: version.versionId,
      landing_sha256: version.sha256,
      n: (await store.get(bronze.landing_key as string)).toString('utf8').trim().split('\n').length - 1,
    });
    const [m] = await runtime.store.listMaterializations({
      assetKey: 'raw_transactions',
      partitionKey: '2024-01-15',
      limit: 1,
    });
    expect([...new Set(m.inputs.map((i) => i.assetKey))].sort()).toEqual([
      'bronze_transactions',
      'landed_ids',
    ]);
  });

  test('landed_ids lists, as of each day, exactly the ids the landed customer and product files named up to it', async () => {
    const day = (key: string) => key.replace(/^raw\/year=(\d+)\/month=(\d+)\/day=(\d+)\/.*$/, '$1-$2-$3');
    const landed = await lakeRows(
      `select entity, id, first_landed::VARCHAR as first from ${lake('landed_ids')} order by all`,
    );
    const bronze = await lakeRows(
      `select 'customer' as entity, customer_id as id, landing_key from ${lake('bronze_customers')} where customer_id is not null
       union all
       select 'product', product_id, landing_key from ${lake('bronze_products')} where product_id is not null`,
    );
    const first = new Map<string, string>();
    for (const row of bronze) {
      const key = `${row.entity}|${row.id}`;
      const on = day(String(row.landing_key));
      if (!first.has(key) || on < first.get(key)!) first.set(key, on);
    }
    expect(landed.length).toBe(first.size);
    for (const row of landed) expect(row.first).toBe(first.get(`${row.entity}|${row.id}`));
    // Later days name ids earlier ones do not: the as-of filter is what keeps them out of a day.
    expect(new Set(landed.map((r) => r.first)).size).toBeGreaterThan(1);
  });

  test('a re-delivered landing object re-opens exactly the partitions it feeds, through the warehouse and gold', async () => {
    const day = '2024-02-10';
    const key = `raw/year=2024/month=02/day=10/transactions/transactions.csv`;
    const [sale] = await lakeRows(
      `select transaction_id::INTEGER as id, quantity from ${lake('silver_transactions', `partition=${day}/data.parquet`)}
       order by transaction_id limit 1`,
    );
    // The source system delivers the day again, with one sale corrected.
    const store = await runtime.resources.get(landingStore);
    const lines = (await store.get(key)).toString('utf8').trimEnd().split('\n');
    const corrected = lines.map((line) => {
      const fields = line.split(',');
      if (fields[0] !== String(sale.id)) return line;
      fields[3] = String(Number(sale.quantity) + 5);
      return fields.join(',');
    });
    expect(corrected).not.toEqual(lines);
    await store.put(key, `${corrected.join('\n')}\n`, { contentType: 'text/csv' });

    const before = new Map(
      (await runtime.store.listAssetPartitionStates()).map((s) => [
        `${s.assetKey}[${s.partitionKey}]`,
        s.materializationId,
      ]),
    );
    const daemon = new ShopflowDaemon({
      runtime,
      schedules: [],
      sensors: shopflowSensors,
      alerts: { send: async () => {} },
      alertOnRunFailures: false,
    });
    await daemon.tick();
    await daemon.idle();
    // NOTE: the next tick settles the finished run of the request.
    await daemon.tick();
    const [request] = await runtime.store.listTicks({ name: 'landing_arrivals', kinds: ['request'] });
    expect(request.runStatus).toBe('success');
    // Nothing is forced: bronze sees the new object version through the fingerprint it recorded.
    expect(request.request).not.toHaveProperty('force');
    const run = await runtime.store.getRun(request.runId!);
    const bronze = (run!.plan as Plan).steps.filter((s) => s.assetKey.startsWith('bronze_'));
    expect(bronze.map((s) => [s.key, s.reasons.map((r) => r.code)])).toEqual([
      [`bronze_transactions[${day}]`, ['input_changed']],
    ]);

    const changed = (await runtime.store.listAssetPartitionStates())
      .filter((s) => before.get(`${s.assetKey}[${s.partitionKey}]`) !== s.materializationId)
      .map((s) => `${s.assetKey}[${s.partitionKey}]`)
      .sort();
    // The day's chain, the sale days its deliveries can belong to, the week and month of the day,
    // and the all-time summaries over silver; no other day, no customer or product asset.
    const daily = changed.filter((k) => k.includes('[2024-'));
    expect(
      daily.filter((k) => !k.startsWith('sales_by_sale_date[') && !/_(weekly|monthly)\[/.test(k)),
    ).toEqual(
      [
        'bronze_transactions',
        'fact_sales',
        'gold_sales_daily',
        'lake_fact_sales',
        'pg_transactions',
        'raw_transactions',
        'sales_reconciliation_daily',
        'silver_transactions',
      ].map((asset) => `${asset}[${day}]`),
    );
    expect(changed).toContain('gold_sales_weekly[2024-02-05]');
    expect(changed).toContain('gold_sales_monthly[2024-02-01]');
    expect(changed).toContain('monthly_revenue[null]');
    const untouched =
      /^(bronze|raw|silver|pg)_(customers|products|clickstream)\[|^(dim|lake_dim)_(customer|product)\[|^customer_click_sessions\[/;
    expect(changed.filter((k) => untouched.test(k))).toEqual([]);

    const pg = await runtime.resources.get(postgresWarehouse);
    const { rows } = await pg.query('select quantity from shopflow.transactions where transaction_id = $1', [
      sale.id,
    ]);
    expect(rows[0].quantity).toBe(Number(sale.quantity) + 5);
    const [facts] = (
      await pg.query('select quantity from shopflow_dw.fact_sales where transaction_id = $1', [sale.id])
    ).rows;
    expect(facts.quantity).toBe(Number(sale.quantity) + 5);
    await daemon.idle();
  });
});

describe('the change log of the operational database joins the graph', () => {
  test('customer_profile_audit finds every landed profile in the operational table, and a drifted one', async () => {
    const statuses = await lakeRows(
      `select status, count(*)::INTEGER as n from ${lake('customer_profile_audit', 'data.parquet')} group by 1`,
    );
    const [{ n: customers }] = await lakeRows(
      `select count(distinct customer_id)::INTEGER as n from ${lake('silver_customers', 'data.parquet')}`,
    );
    expect(statuses).toEqual([{ status: 'in_sync', n: customers }]);

    // Someone edits a profile in the operational database behind the pipeline's back.
    const pg = await runtime.resources.get(postgresWarehouse);
    const [{ customer_id: id, email }] = (
      await pg.query('select customer_id, email from shopflow.customers order by customer_id limit 1')
    ).rows;
    await pg.query(
      "update shopflow.customers set email = 'drifted@example.com', updated_at = now(), version = version + 1 where customer_id = $1",
      [id],
    );
    const plan = await runtime.plan({ selection: 'operational_customer_changes+', force: true });
    const result = await runtime.execute(plan);
    expect(result.status).toBe('failed');
    const [drifted] = await lakeRows(
      `select customer_id::INTEGER as id, status, email_matches, country_matches
       from ${lake('customer_profile_audit', 'data.parquet')} where status <> 'in_sync'`,
    );
    expect(drifted).toEqual({
      id: Number(id),
      status: 'differs',
      email_matches: false,
      country_matches: true,
    });
    const [check] = (await runtime.store.listCheckEvaluations({ limit: 100 })).filter(
      (e) => e.assetKey === 'customer_profile_audit' && e.checkName === 'profiles_in_sync',
    );
    expect(check.passed).toBe(false);

    // Loading silver again restores the profile; the next capture and audit agree again.
    await pg.query('update shopflow.customers set email = $2, updated_at = now() where customer_id = $1', [
      id,
      email,
    ]);
    const again = await runtime.execute(
      await runtime.plan({ selection: 'operational_customer_changes+', force: true }),
    );
    expect(again.status).toBe('success');
  });
});
