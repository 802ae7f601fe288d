// Side-by-side benchmark of the warehouse loader against a bare `psql \copy`.
//
//   npx tsx bench/pg-load-bench.ts [rows=1000000]
//
// Generates a deterministic transactions CSV of N rows (plus matching customers and products, loaded
// first), then 3 times, alternating which goes first:
//   (a) baseline: `psql -c "\copy …"` of the CSV into a plain, unindexed table of the CSV's columns;
//   (b) loadTable: the same CSV into shopflow.transactions (staging COPY, reject pass, lookups,
//       upsert with primary key, foreign keys and indexes, load audit; one transaction).
// Reports rows/s of each, the ratio loader/psql (target ≥ 0.7), and medians. Also times a second,
// identical load (everything unchanged). Runs against a throwaway embedded PostgreSQL.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyDdl } from '../resources/postgres/apply-ddl.js';
import { ensureEmbeddedPostgres, stopEmbeddedPostgres } from '../resources/postgres/embedded-postgres-server.js';
import { createPostgresResource } from '../resources/postgres/postgres-resource.js';
import { loadCustomers, loadProducts, loadTransactions } from '../resources/postgres/shopflow-tables.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const RUNS = 3;
const CUSTOMERS = Math.max(100, Math.round(ROWS / 50));
const PRODUCTS = Math.max(50, Math.round(ROWS / 1000));
const PAYMENT_METHODS = ['credit_card', 'debit_card', 'paypal', 'bank_transfer', 'gift_card'];
const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'ES', 'IT', 'NL', 'CA', 'AU', 'JP'];
const CATEGORIES = ['Books', 'Electronics', 'Garden', 'Home', 'Sports', 'Toys'];
const START = Date.UTC(2024, 0, 1);

async function writeLines(path: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  let chunk = `${header}\n`;
  for (let i = 1; i <= count; i++) {
    chunk += `${line(i)}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function transactionLine(i: number): string {
  const ts = START + i * 7_000;
  const price = (((i * 37) % 9_900) + 100) / 100;
  return [
    i,
    ((i * 7_919) % CUSTOMERS) + 1,
    ((i * 104_729) % PRODUCTS) + 1,
    (i % 5) + 1,
    price.toFixed(2),
    isoSeconds(ts),
    PAYMENT_METHODS[i % PAYMENT_METHODS.length],
    day(ts + (i % 3) * 86_400_000),
  ].join(',');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const parent = mkdtempSync(join(tmpdir(), 'shopflow-pg-bench-'));
chmodSync(parent, 0o777);
const dir = join(parent, 'pg');
try {
  const server = await ensureEmbeddedPostgres(dir);
  const postgres = await createPostgresResource({ mode: 'url', url: server.url });
  await applyDdl(postgres.pool);

  const customersCsv = join(parent, 'customers.csv');
  const productsCsv = join(parent, 'products.csv');
  const transactionsCsv = join(parent, 'transactions.csv');
  await writeLines(
    customersCsv,
    'customer_id,name,email,registration_date,country,updated_at',
    CUSTOMERS,
    (i) => `${i},Customer ${i},customer${i}@example.com,2023-06-01,${COUNTRIES[i % COUNTRIES.length]},2023-06-01T00:00:00Z`,
  );
  await writeLines(
    productsCsv,
    'product_id,name,category,price,supplier,updated_at',
    PRODUCTS,
    (i) => `${i},Product ${i},${CATEGORIES[i % CATEGORIES.length]},${((i % 500) + 1).toFixed(2)},Supplier ${i % 40},2023-06-01T00:00:00Z`,
  );
  const generated = performance.now();
  await writeLines(
    transactionsCsv,
    'transaction_id,customer_id,product_id,quantity,unit_price,timestamp,payment_method,delivery_date',
    ROWS,
    transactionLine,
  );
  const csvMb = statSync(transactionsCsv).size / 1e6;
  console.log(
    `generated ${fmt(ROWS)} transactions (${csvMb.toFixed(0)} MB CSV) in ${((performance.now() - generated) / 1000).toFixed(1)} s; ` +
      `${fmt(CUSTOMERS)} customers, ${fmt(PRODUCTS)} products`,
  );
  const context = { runId: 'bench', assetKey: 'pg_load_bench' };
  await loadCustomers(postgres.pool, customersCsv, context);
  await loadProducts(postgres.pool, productsCsv, context);

  await postgres.query(`create schema if not exists bench;
    drop table if exists bench.transactions_copy;
    create table bench.transactions_copy (transaction_id bigint, customer_id bigint, product_id bigint,
      quantity integer, unit_price numeric, "timestamp" timestamptz, payment_method text, delivery_date date)`);

  const url = new URL(server.url);
  const psqlEnv = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
  url.password = '';
  const psql = async (): Promise<number> => {
    await postgres.query('truncate bench.transactions_copy');
    await postgres.query('checkpoint');
    const started = performance.now();
    const result = spawnSync(
      'psql',
      [
        url.toString(),
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `\\copy bench.transactions_copy from '${transactionsCsv}' with (format csv, header true)`,
      ],
      { env: psqlEnv, encoding: 'utf8' },
    );
    const seconds = (performance.now() - started) / 1000;
    if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
    return seconds;
  };
  const loader = async (): Promise<number> => {
    await postgres.query('truncate shopflow.transactions');
    await postgres.query('checkpoint');
    const started = performance.now();
    const result = await loadTransactions(postgres.pool, transactionsCsv, context);
    const seconds = (performance.now() - started) / 1000;
    if (result.inserted !== ROWS) throw new Error(`loader inserted ${result.inserted} of ${ROWS} rows`);
    return seconds;
  };

  const psqlRates: number[] = [];
  const loaderRates: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const order = run % 2 === 1 ? (['psql', 'loader'] as const) : (['loader', 'psql'] as const);
    const seconds: Record<string, number> = {};
    for (const which of order) seconds[which] = which === 'psql' ? await psql() : await loader();
    psqlRates.push(ROWS / seconds.psql);
    loaderRates.push(ROWS / seconds.loader);
    console.log(
      `run ${run} (${order.join(' then ')}): psql \\copy ${seconds.psql.toFixed(2)} s = ${fmt(ROWS / seconds.psql)} rows/s; ` +
        `loadTable ${seconds.loader.toFixed(2)} s = ${fmt(ROWS / seconds.loader)} rows/s; ratio ${(seconds.psql / seconds.loader).toFixed(2)}`,
    );
  }
  const reloadStarted = performance.now();
  const reload = await loadTransactions(postgres.pool, transactionsCsv, context);
  const reloadSeconds = (performance.now() - reloadStarted) / 1000;

  const psqlMedian = median(psqlRates);
  const loaderMedian = median(loaderRates);
  const ratios = psqlRates.map((rate, i) => loaderRates[i] / rate);
  console.log('');
  console.log(`| ${fmt(ROWS)} transactions | median rows/s |`);
  console.log('|---|---|');
  console.log(`| psql \\copy into an unindexed table (baseline) | ${fmt(psqlMedian)} |`);
  console.log(`| loadTable into shopflow.transactions | ${fmt(loaderMedian)} |`);
  console.log(`| ratio loadTable / psql (target ≥ 0.70) | ${median(ratios).toFixed(2)} |`);
  console.log(
    `| identical reload (unchanged ${fmt(reload.unchanged)}) | ${fmt(ROWS / reloadSeconds)} (${reloadSeconds.toFixed(2)} s) |`,
  );
  console.log(
    JSON.stringify({
      bench: 'pg-load',
      rows: ROWS,
      psqlRowsPerSecond: Math.round(psqlMedian),
      loaderRowsPerSecond: Math.round(loaderMedian),
      ratio: Number(median(ratios).toFixed(3)),
      reloadRowsPerSecond: Math.round(ROWS / reloadSeconds),
    }),
  );
  await postgres.close();
} finally {
  await stopEmbeddedPostgres(dir);
  rmSync(parent, { recursive: true, force: true });
}
