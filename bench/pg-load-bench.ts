// Side-by-side benchmark of the warehouse loader against a bare `psql \copy`.
//
//   npx tsx bench/pg-load-bench.ts [rows=1000000]
//
// Generates a deterministic transactions CSV of N rows (plus matching customers and products, loaded
// first), then 3 times, alternating the order:
//   (a) baseline: `psql -c "\copy …"` of the CSV into a plain, unindexed table of the CSV's columns;
//   (b) loadTable: the same CSV into shopflow.transactions (staging COPY, reject pass, lookups,
//       upsert with primary key, foreign keys and indexes, load audit; one transaction);
//   (c) diagnostic: `psql \copy` of the same rows, already normalized, straight into a copy of
//       shopflow.transactions with the same primary key, foreign keys and indexes — the cost of the
//       table's constraints and indexes alone, without staging or upsert.
// Reports rows/s of each (medians), the ratio b/a (target ≥ 0.5 of psql into the unindexed table) and
// b/c (the loader against psql into the same table: target ≥ 0.7).
// Also times a second, identical load (everything unchanged). Runs on a throwaway embedded PostgreSQL.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyDdl } from '../resources/postgres/apply-ddl.js';
import {
  ensureEmbeddedPostgres,
  stopEmbeddedPostgres,
} from '../resources/postgres/embedded-postgres-server.js';
import { createPostgresResource } from '../resources/postgres/postgres-resource.js';
import { loadCustomers, loadProducts, loadTransactions } from '../resources/postgres/shopflow-tables.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const RUNS = 3;
const CUSTOMERS = Math.max(100, Math.round(ROWS / 50));
const PRODUCTS = Math.max(50, Math.round(ROWS / 1000));
const PAYMENT_METHODS = ['bank_transfer', 'credit_card', 'debit_card', 'gift_card', 'paypal'];
const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'ES', 'IT', 'NL', 'CA', 'AU', 'JP'];
const CATEGORIES = ['Books', 'Electronics', 'Garden', 'Home', 'Sports', 'Toys'];
const START = Date.UTC(2024, 0, 1);

async function writeLines(
  path: string,
  header: string,
  count: number,
  line: (i: number) => string,
): Promise<void> {
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

/** The fields of transaction `i`; `paymentMethod` renders the payment method (name or id). */
function transactionLine(i: number, paymentMethod: (name: string) => string | number): string {
  const ts = START + i * 7_000;
  const price = (((i * 37) % 9_900) + 100) / 100;
  return [
    i,
    ((i * 7_919) % CUSTOMERS) + 1,
    ((i * 104_729) % PRODUCTS) + 1,
    (i % 5) + 1,
    price.toFixed(2),
    isoSeconds(ts),
    paymentMethod(PAYMENT_METHODS[i % PAYMENT_METHODS.length]),
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
  const normalizedCsv = join(parent, 'transactions-normalized.csv');
  await writeLines(
    customersCsv,
    'customer_id,name,email,registration_date,country,updated_at',
    CUSTOMERS,
    (i) =>
      `${i},Customer ${i},customer${i}@example.com,2023-06-01,${COUNTRIES[i % COUNTRIES.length]},2023-06-01T00:00:00Z`,
  );
  await writeLines(
    productsCsv,
    'product_id,name,category,price,supplier,updated_at',
    PRODUCTS,
    (i) =>
      `${i},Product ${i},${CATEGORIES[i % CATEGORIES.length]},${((i % 500) + 1).toFixed(2)},Supplier ${i % 40},2023-06-01T00:00:00Z`,
  );
  const context = { runId: 'bench', assetKey: 'pg_load_bench' };
  await loadCustomers(postgres.pool, customersCsv, context);
  await loadProducts(postgres.pool, productsCsv, context);
  const methods = await postgres.query<{ name: string; payment_method_id: number }>(
    `insert into shopflow.payment_methods (name) select unnest($1::text[]) order by 1
     returning name, payment_method_id`,
    [PAYMENT_METHODS],
  );
  const methodId = new Map(methods.rows.map((row) => [row.name, row.payment_method_id]));

  const generated = performance.now();
  await writeLines(
    transactionsCsv,
    'transaction_id,customer_id,product_id,quantity,unit_price,timestamp,payment_method,delivery_date',
    ROWS,
    (i) => transactionLine(i, (name) => name),
  );
  await writeLines(
    normalizedCsv,
    'transaction_id,customer_id,product_id,quantity,unit_price,transaction_ts,payment_method_id,delivery_date',
    ROWS,
    (i) => transactionLine(i, (name) => methodId.get(name)!),
  );
  console.log(
    `generated ${fmt(ROWS)} transactions (${(statSync(transactionsCsv).size / 1e6).toFixed(0)} MB CSV) in ` +
      `${((performance.now() - generated) / 1000).toFixed(1)} s; ${fmt(CUSTOMERS)} customers, ${fmt(PRODUCTS)} products`,
  );

  await postgres.query(`create schema if not exists bench;
    create table bench.transactions_copy (transaction_id bigint, customer_id bigint, product_id bigint,
      quantity integer, unit_price numeric, "timestamp" timestamptz, payment_method text, delivery_date date);
    create table bench.transactions_constrained (like shopflow.transactions including all);
    alter table bench.transactions_constrained
      add foreign key (customer_id) references shopflow.customers (customer_id),
      add foreign key (product_id) references shopflow.products (product_id),
      add foreign key (payment_method_id) references shopflow.payment_methods (payment_method_id);`);

  const url = new URL(server.url);
  const psqlEnv = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
  url.password = '';
  const psqlCopy = async (table: string, columns: string, csv: string): Promise<number> => {
    await postgres.query(`truncate ${table}`);
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
        `\\copy ${table} ${columns} from '${csv}' with (format csv, header true)`,
      ],
      { env: psqlEnv, encoding: 'utf8' },
    );
    const seconds = (performance.now() - started) / 1000;
    if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
    return seconds;
  };
  const steps = {
    psql: () => psqlCopy('bench.transactions_copy', '', transactionsCsv),
    loader: async () => {
      await postgres.query('truncate shopflow.transactions');
      await postgres.query('checkpoint');
      const started = performance.now();
      const result = await loadTransactions(postgres.pool, transactionsCsv, context);
      const seconds = (performance.now() - started) / 1000;
      if (result.inserted !== ROWS) throw new Error(`loader inserted ${result.inserted} of ${ROWS} rows`);
      return seconds;
    },
    constrained: () =>
      psqlCopy(
        'bench.transactions_constrained',
        '(transaction_id, customer_id, product_id, quantity, unit_price, transaction_ts, payment_method_id, delivery_date)',
        normalizedCsv,
      ),
  };

  const rates = { psql: [] as number[], loader: [] as number[], constrained: [] as number[] };
  const ratios: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const order = (
      run % 2 === 1 ? ['psql', 'loader', 'constrained'] : ['constrained', 'loader', 'psql']
    ) as Array<keyof typeof steps>;
    const seconds = {} as Record<keyof typeof steps, number>;
    for (const step of order) seconds[step] = await steps[step]();
    for (const step of order) rates[step].push(ROWS / seconds[step]);
    ratios.push(seconds.psql / seconds.loader);
    console.log(
      `run ${run} (${order.join(', ')}): psql \\copy ${seconds.psql.toFixed(2)} s, loadTable ${seconds.loader.toFixed(2)} s, ` +
        `constrained \\copy ${seconds.constrained.toFixed(2)} s; loadTable/psql ${(seconds.psql / seconds.loader).toFixed(2)}`,
    );
  }
  const reloadStarted = performance.now();
  const reload = await loadTransactions(postgres.pool, transactionsCsv, context);
  const reloadSeconds = (performance.now() - reloadStarted) / 1000;

  const psqlMedian = median(rates.psql);
  const loaderMedian = median(rates.loader);
  const constrainedMedian = median(rates.constrained);
  console.log('');
  console.log(`| ${fmt(ROWS)} transactions, median of ${RUNS} runs | rows/s |`);
  console.log('|---|---|');
  console.log(`| (a) psql \\copy into an unindexed table (baseline) | ${fmt(psqlMedian)} |`);
  console.log(`| (b) loadTable into shopflow.transactions | ${fmt(loaderMedian)} |`);
  console.log(
    `| (c) psql \\copy into a copy of shopflow.transactions (same PK, FKs, indexes) | ${fmt(constrainedMedian)} |`,
  );
  const verdict = (value: number, target: number) =>
    `${value.toFixed(2)} — ${value >= target ? 'met' : 'missed'}`;
  console.log(`| ratio b/a (target ≥ 0.5) | ${verdict(median(ratios), 0.5)} |`);
  console.log(
    `| ratio b/c: the loader against a bare COPY into the same table (target ≥ 0.7) | ${verdict(loaderMedian / constrainedMedian, 0.7)} |`,
  );
  console.log(`| identical reload, ${fmt(reload.unchanged)} unchanged | ${fmt(ROWS / reloadSeconds)} |`);
  console.log(
    JSON.stringify({
      bench: 'pg-load',
      rows: ROWS,
      psqlRowsPerSecond: Math.round(psqlMedian),
      loaderRowsPerSecond: Math.round(loaderMedian),
      constrainedCopyRowsPerSecond: Math.round(constrainedMedian),
      ratio: Number(median(ratios).toFixed(3)),
      loaderOverConstrained: Number((loaderMedian / constrainedMedian).toFixed(3)),
      reloadRowsPerSecond: Math.round(ROWS / reloadSeconds),
    }),
  );
  await postgres.close();
} finally {
  await stopEmbeddedPostgres(dir);
  rmSync(parent, { recursive: true, force: true });
}
