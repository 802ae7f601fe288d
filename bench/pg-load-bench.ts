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
//       table's constraints and indexes alone, without staging or upsert;
//   (d) diagnostic: the best case of loading the rows as a new partition of a table partitioned by
//       time — in one psql transaction, `\copy` of the normalized rows into a bare table of the
//       same columns and checks, then its primary key and the two indexes built, a CHECK of the
//       partition's bounds, and ATTACH PARTITION (which checks the three foreign keys with one query
//       each). No staging, lookups, reject pass or deduplication: what a partition swap cannot beat.
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
      add foreign key (payment_method_id) references shopflow.payment_methods (payment_method_id);
    create table bench.transactions_by_time
      (like shopflow.transactions including defaults including constraints including generated)
      partition by range (transaction_ts);
    alter table bench.transactions_by_time
      add primary key (transaction_id, transaction_ts),
      add foreign key (customer_id) references shopflow.customers (customer_id),
      add foreign key (product_id) references shopflow.products (product_id),
      add foreign key (payment_method_id) references shopflow.payment_methods (payment_method_id);
    create index on bench.transactions_by_time (customer_id) include (amount);
    create index on bench.transactions_by_time (delivery_date) include (quantity, amount);`);

  const url = new URL(server.url);
  const psqlEnv = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
  url.password = '';
  /** Runs psql commands in one transaction; returns psql's output (with `\\timing`, each command's time). */
  const psql = (commands: string[]): string => {
    const result = spawnSync('psql', [url.toString(), '-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1', '-f', '-'], {
      env: psqlEnv,
      encoding: 'utf8',
      input: `${commands.join('\n')}\n`,
    });
    if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
    return result.stdout;
  };
  const psqlCopy = async (table: string, columns: string, csv: string): Promise<number> => {
    await postgres.query(`truncate ${table}`);
    await postgres.query('checkpoint');
    const started = performance.now();
    psql([`\\copy ${table} ${columns} from '${csv}' with (format csv, header true)`]);
    return (performance.now() - started) / 1000;
  };
  const NORMALIZED_COLUMNS =
    '(transaction_id, customer_id, product_id, quantity, unit_price, transaction_ts, payment_method_id, delivery_date)';
  // NOTE: the partition spans whole days from the first transaction's to the last one's.
  const DAY_MS = 86_400_000;
  const bounds = {
    from: new Date(Math.floor(START / DAY_MS) * DAY_MS).toISOString(),
    to: new Date((Math.floor((START + ROWS * 7_000) / DAY_MS) + 1) * DAY_MS).toISOString(),
  };
  const phases: Record<string, number> = {};
  const partitionSwap = async (): Promise<number> => {
    await postgres.query('drop table if exists bench.transactions_new');
    await postgres.query('checkpoint');
    const started = performance.now();
    const output = psql([
      '\\timing on',
      'create table bench.transactions_new (like bench.transactions_by_time including defaults including constraints including generated);',
      `\\copy bench.transactions_new ${NORMALIZED_COLUMNS} from '${normalizedCsv}' with (format csv, header true)`,
      "set local maintenance_work_mem = '256MB';",
      'alter table bench.transactions_new add primary key (transaction_id, transaction_ts);',
      'create index on bench.transactions_new (customer_id) include (amount);',
      'create index on bench.transactions_new (delivery_date) include (quantity, amount);',
      `alter table bench.transactions_new add check (transaction_ts >= '${bounds.from}' and transaction_ts < '${bounds.to}');`,
      `alter table bench.transactions_by_time attach partition bench.transactions_new for values from ('${bounds.from}') to ('${bounds.to}');`,
    ]);
    const seconds = (performance.now() - started) / 1000;
    const times = [...output.matchAll(/^Time: ([\d.]+) ms/gm)].map((m) => Number(m[1]));
    ['create', 'copy', 'work_mem', 'primary key', 'index 1', 'index 2', 'bounds check', 'attach'].forEach(
      (name, i) => {
        phases[name] = times[i] ?? Number.NaN;
      },
    );
    const [{ rows }] = (
      await postgres.query<{ rows: string }>('select count(*) as rows from bench.transactions_by_time')
    ).rows;
    if (Number(rows) !== ROWS) throw new Error(`the attached partition holds ${rows} of ${ROWS} rows`);
    await postgres.query('alter table bench.transactions_by_time detach partition bench.transactions_new');
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
    constrained: () => psqlCopy('bench.transactions_constrained', NORMALIZED_COLUMNS, normalizedCsv),
    partition: partitionSwap,
  };

  const rates = {
    psql: [] as number[],
    loader: [] as number[],
    constrained: [] as number[],
    partition: [] as number[],
  };
  const ratios: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const order = (
      run % 2 === 1
        ? ['psql', 'loader', 'constrained', 'partition']
        : ['partition', 'constrained', 'loader', 'psql']
    ) as Array<keyof typeof steps>;
    const seconds = {} as Record<keyof typeof steps, number>;
    for (const step of order) seconds[step] = await steps[step]();
    for (const step of order) rates[step].push(ROWS / seconds[step]);
    ratios.push(seconds.psql / seconds.loader);
    console.log(
      `run ${run} (${order.join(', ')}): psql \\copy ${seconds.psql.toFixed(2)} s, loadTable ${seconds.loader.toFixed(2)} s, ` +
        `constrained \\copy ${seconds.constrained.toFixed(2)} s, partition swap ${seconds.partition.toFixed(2)} s; ` +
        `loadTable/psql ${(seconds.psql / seconds.loader).toFixed(2)}`,
    );
  }
  const reloadStarted = performance.now();
  const reload = await loadTransactions(postgres.pool, transactionsCsv, context);
  const reloadSeconds = (performance.now() - reloadStarted) / 1000;

  const psqlMedian = median(rates.psql);
  const loaderMedian = median(rates.loader);
  const constrainedMedian = median(rates.constrained);
  const partitionMedian = median(rates.partition);
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
  console.log(
    `| (d) best case of a partition swap: \\copy into a bare table, key and indexes built after, bounds checked, ATTACH | ${fmt(partitionMedian)} |`,
  );
  console.log(`| ratio b/a (target ≥ 0.5) | ${verdict(median(ratios), 0.5)} |`);
  console.log(
    `| ratio d/a: the partition swap's best case against the unindexed table | ${(partitionMedian / psqlMedian).toFixed(2)} |`,
  );
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
      partitionSwapRowsPerSecond: Math.round(partitionMedian),
      partitionSwapOverPsql: Number((partitionMedian / psqlMedian).toFixed(3)),
      partitionSwapPhasesMs: phases,
      reloadRowsPerSecond: Math.round(ROWS / reloadSeconds),
    }),
  );
  await postgres.close();
} finally {
  await stopEmbeddedPostgres(dir);
  rmSync(parent, { recursive: true, force: true });
}
