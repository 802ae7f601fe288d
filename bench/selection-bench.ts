/**
 * The iteration 1–2 path — generate the extracts, validate them, load PostgreSQL, compute the four
 * analytics — through ShopFlow, against a plain script doing the same four stages with a dataframe
 * engine (DuckDB) and a bulk insert (`COPY`), side by side:
 *
 *   npx tsx bench/selection-bench.ts [scale] [--runs N] [--write]
 *
 * (a) `shopflow materialize +top_customers,+best_sellers_by_category,+monthly_revenue,+aov_by_country,+pg_transactions`
 *     as its own process (the built CLI, as a user runs it) on a fresh home: the 90 days
 *     2024-01-01..2024-03-30, concurrency 4, the embedded PostgreSQL started in the run.
 * (b) A plain script in its own process on a fresh folder: the same simulator writes the same 90
 *     extracts; DuckDB reads every CSV, drops malformed rows (a key missing, a value that does not
 *     parse, a quantity not above zero, a transaction whose customer or product is unknown) and
 *     keeps the latest version of each customer and product; a fresh embedded PostgreSQL gets three
 *     tables (keys, foreign keys) filled with one `COPY` each; DuckDB computes the four queries of
 *     `sql/analytics/basic_analytics.sql` into Parquet files. No partitions, checks, quarantine,
 *     lineage, run history or incremental state.
 *
 * Runs alternate which goes first; medians of `--runs` (default 3).
 */
import { spawn } from 'node:child_process';
import { chmodSync, createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  CSV_HEADERS,
  formatCustomerRow,
  formatProductRow,
  formatTransactionRow,
} from '../assets/raw/simulator/raw-file-formats.js';
import { ANALYTICS_QUERY_NAMES, loadAnalyticsQueries } from '../resources/postgres/analytics-queries.js';
import {
  ensureEmbeddedPostgres,
  stopEmbeddedPostgres,
} from '../resources/postgres/embedded-postgres-server.js';
import { benchArgs, machine, median, removeWhenDone, writeBenchmarkSection } from './benchmark-report.js';

const SELECTION =
  '+top_customers,+best_sellers_by_category,+monthly_revenue,+aov_by_country,+pg_transactions';
const START = '2024-01-01';
const DAYS = Array.from({ length: 90 }, (_, i) =>
  new Date(Date.parse(`${START}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10),
);
const SEED = 42;
const DEFECT_RATE = 0.003;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface PlainResult {
  ms: number;
  /** The script's home, removed by the parent when the bench ends (see `removeWhenDone`). */
  home: string;
  stages: { generate: number; validate: number; load: number; analytics: number };
  loaded: { customers: number; products: number; transactions: number };
}

/** A fresh folder the embedded PostgreSQL (run as `postgres` when we are root) can enter. */
function freshHome(prefix: string): string {
  const home = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(home, 0o755);
  return home;
}

/** (a) The selection through the ShopFlow CLI, in its own process; wall time from spawn to exit. */
async function shopflowRun(scale: number): Promise<{ ms: number; steps: number }> {
  const home = freshHome('shopflow-selection-');
  const config = join(home, 'bench.yaml');
  writeFileSync(
    config,
    [
      'env: bench',
      'executor:',
      '  concurrency: 4',
      'logging:',
      '  level: warn',
      'resources:',
      '  postgres:',
      '    mode: embedded',
      '  generator:',
      `    seed: ${SEED}`,
      `    scale: ${scale}`,
      `    start: "${START}"`,
      `    days: ${DAYS.length}`,
      `    defectRate: ${DEFECT_RATE}`,
      '',
    ].join('\n'),
  );
  const cli = join(ROOT, 'bin', 'shopflow.js');
  try {
    const started = performance.now();
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      const child = spawn(
        process.execPath,
        [cli, '--config', config, '--home', home, 'materialize', SELECTION],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, SHOPFLOW_SCALE: '' },
        },
      );
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        // NOTE: only the last line (the run's outcome) is kept: the events are thousands of lines.
        out = (out + text).slice(-4096);
      });
      child.stderr.setEncoding('utf8').on('data', (text: string) => {
        err += text;
      });
      child.once('close', (status) => resolve({ code: status, stdout: out, stderr: err }));
    });
    const ms = performance.now() - started;
    const last = stdout.trim().split('\n').at(-1) ?? '';
    const steps = Number(/run succeeded: (\d+) steps/.exec(last)?.[1] ?? Number.NaN);
    if (code !== 0 || Number.isNaN(steps)) {
      throw new Error(`shopflow materialize exited ${code}: ${stderr.slice(-2000)} ${last}`);
    }
    return { ms, steps };
  } finally {
    await stopEmbeddedPostgres(join(home, 'postgres')).catch(() => {});
    removeWhenDone(home);
  }
}

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** (b) The plain script; runs in a child process. */
async function plainScript(scale: number): Promise<PlainResult> {
  const home = freshHome('shopflow-plain-');
  let kept = false;
  const started = performance.now();
  const stages = { generate: 0, validate: 0, load: 0, analytics: 0 };
  let mark = started;
  const lap = (stage: keyof typeof stages) => {
    const now = performance.now();
    stages[stage] = now - mark;
    mark = now;
  };
  const db = await DuckDBInstance.create(':memory:');
  const duck = await db.connect();
  try {
    // 1. Generate: the same simulator, seed and days as `source_files`, the same four files a day.
    const { ShopflowSimulator } = await import('../assets/raw/simulator/shopflow-simulator.js');
    const simulator = new ShopflowSimulator(
      { seed: SEED, scale, start: START, days: null, defectRate: DEFECT_RATE },
      'selection-bench',
    );
    const files = { customers: [] as string[], products: [] as string[], transactions: [] as string[] };
    for (const day of DAYS) {
      const extract = simulator.extract(day);
      const dir = join(home, 'raw', day);
      mkdirSync(dir, { recursive: true });
      const csv = (header: string, rows: string[]) => `${[header, ...rows].join('\n')}\n`;
      const write = (name: keyof typeof files, text: string) => {
        const path = join(dir, `${name}.csv`);
        writeFileSync(path, text);
        files[name].push(path);
      };
      write('customers', csv(CSV_HEADERS['customers.csv'], extract.customers.map(formatCustomerRow)));
      write('products', csv(CSV_HEADERS['products.csv'], extract.products.map(formatProductRow)));
      write(
        'transactions',
        csv(CSV_HEADERS['transactions.csv'], extract.transactions.map(formatTransactionRow)),
      );
      writeFileSync(join(dir, 'clickstream.jsonl'), extract.clickstream.bytes);
    }
    lap('generate');

    // 2. Validate: every column read as text, then typed; rows that do not type are dropped.
    const read = (name: keyof typeof files) => {
      const columns = CSV_HEADERS[`${name}.csv`]
        .split(',')
        .map((c) => `${lit(c)}: 'VARCHAR'`)
        .join(', ');
      return `read_csv([${files[name].map(lit).join(', ')}], header = true, columns = {${columns}}, quote = '"', escape = '"', ignore_errors = true)`;
    };
    await duck.run(`create table customers as
      select customer_id, name, email, registration_date, country, updated_at from (
        select try_cast(customer_id as bigint) as customer_id, name, email,
          try_cast(registration_date as date) as registration_date, country,
          try_cast(updated_at as timestamp) as updated_at
        from ${read('customers')})
      where customer_id is not null and name <> '' and email like '%@%' and registration_date is not null
        and country <> '' and updated_at is not null
      qualify row_number() over (partition by customer_id order by updated_at desc) = 1`);
    await duck.run(`create table products as
      select product_id, name, category, price, supplier, updated_at from (
        select try_cast(product_id as bigint) as product_id, name, category,
          try_cast(price as decimal(12, 2)) as price, supplier, try_cast(updated_at as timestamp) as updated_at
        from ${read('products')})
      where product_id is not null and name <> '' and category <> '' and price > 0 and supplier <> ''
        and updated_at is not null
      qualify row_number() over (partition by product_id order by updated_at desc) = 1`);
    await duck.run(`create table transactions as
      select t.* from (
        select try_cast(transaction_id as bigint) as transaction_id, try_cast(customer_id as bigint) as customer_id,
          try_cast(product_id as bigint) as product_id, try_cast(quantity as integer) as quantity,
          try_cast(unit_price as decimal(12, 2)) as unit_price,
          try_strptime(timestamp, '%Y-%m-%dT%H:%M:%SZ') as transaction_ts, payment_method,
          try_cast(delivery_date as date) as delivery_date
        from ${read('transactions')}) t
      semi join customers c on c.customer_id = t.customer_id
      semi join products p on p.product_id = t.product_id
      where t.transaction_id is not null and t.quantity > 0 and t.unit_price >= 0
        and t.transaction_ts is not null and t.payment_method <> ''
      qualify row_number() over (partition by t.transaction_id order by t.delivery_date) = 1`);
    lap('validate');

    // 3. Load: a fresh embedded PostgreSQL, three tables with keys and foreign keys, one COPY each.
    const server = await ensureEmbeddedPostgres(join(home, 'postgres'));
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const loaded = { customers: 0, products: 0, transactions: 0 };
    try {
      await client.query(`create table customers (customer_id bigint primary key, name text not null,
          email text not null, registration_date date not null, country text not null, updated_at timestamp not null);
        create table products (product_id bigint primary key, name text not null, category text not null,
          price numeric(12, 2) not null, supplier text not null, updated_at timestamp not null);
        create table transactions (transaction_id bigint primary key,
          customer_id bigint not null references customers, product_id bigint not null references products,
          quantity integer not null, unit_price numeric(12, 2) not null, transaction_ts timestamp not null,
          payment_method text not null, delivery_date date)`);
      for (const table of ['customers', 'products', 'transactions'] as const) {
        const file = join(home, `${table}.load.csv`);
        await duck.run(`copy ${table} to ${lit(file)} (format csv, header false)`);
        const copy = client.query(copyFrom(`copy ${table} from stdin (format csv)`));
        await pipeline(createReadStream(file), copy);
        loaded[table] = Number(copy.rowCount);
      }
    } finally {
      await client.end();
    }
    lap('load');

    // 4. Analytics: the four documented queries over the validated tables, each to a Parquet file.
    const queries = loadAnalyticsQueries();
    for (const name of ANALYTICS_QUERY_NAMES) {
      const query = queries[name].trim().replace(/;\s*$/, '');
      await duck.run(`copy (${query}) to ${lit(join(home, `${name}.parquet`))} (format parquet)`);
    }
    lap('analytics');
    const result = { ms: performance.now() - started, home, stages, loaded };
    kept = true;
    return result;
  } finally {
    duck.closeSync();
    await stopEmbeddedPostgres(join(home, 'postgres')).catch(() => {});
    // NOTE: a failed script's home goes now, after its server stopped; a measured one when the bench ends.
    if (!kept) rmSync(home, { recursive: true, force: true });
  }
}

/** Runs the plain script in a child process (fresh memory, like the CLI run). */
async function plainRun(scale: number): Promise<PlainResult> {
  return await new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--plain-child', String(scale)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text;
    });
    child.once('close', (code) => {
      if (code !== 0) reject(new Error(`the plain script exited ${code}`));
      else {
        const result = JSON.parse(out.trim().split('\n').at(-1)!) as PlainResult;
        removeWhenDone(result.home);
        resolve(result);
      }
    });
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const each = (values: number[]) => values.map((v) => (v / 1000).toFixed(1)).join(', ');

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--plain-child') {
    process.stdout.write(`${JSON.stringify(await plainScript(Number(argv[1])))}\n`);
    return;
  }
  const args = benchArgs(argv);
  const scale = args.positional(1);
  const runs = args.option('--runs', 3);
  const shopflow: Array<{ ms: number; steps: number }> = [];
  const plain: PlainResult[] = [];
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? ['shopflow', 'plain'] : ['plain', 'shopflow'];
    for (const which of order) {
      if (which === 'shopflow') shopflow.push(await shopflowRun(scale));
      else plain.push(await plainRun(scale));
      const last = which === 'shopflow' ? shopflow.at(-1)!.ms : plain.at(-1)!.ms;
      console.error(`run ${i + 1}: ${which} ${seconds(last)}`);
    }
  }
  const a = median(shopflow.map((r) => r.ms));
  const b = median(plain.map((r) => r.ms));
  const target = scale <= 1 ? 4_000 : scale <= 20 ? 12_000 : Number.NaN;
  const stage = (key: keyof PlainResult['stages']) => seconds(median(plain.map((r) => r.stages[key])));
  const loaded = plain[0].loaded;
  const markdown = `## The iteration 1–2 path against a plain script (\`bench/selection-bench.ts\`)

\`npx tsx bench/selection-bench.ts ${scale} --runs ${runs}\` — ${machine()}; runs alternate which goes first, medians of ${runs}.
(a) \`shopflow materialize ${SELECTION}\` as its own process on a fresh home: ${DAYS.length} days from ${START}, scale ${scale}, concurrency 4, the embedded PostgreSQL started in the run (${shopflow[0].steps} steps: partitions, checks, quarantine, lineage, run history).
(b) A plain script in its own process: the same simulator writes the same extracts; DuckDB types the CSVs and drops malformed rows and unknown references, keeps the latest version of each customer and product; a fresh embedded PostgreSQL gets three tables (keys, foreign keys) filled by one \`COPY\` each (${loaded.customers.toLocaleString('en-US')} customers, ${loaded.products.toLocaleString('en-US')} products, ${loaded.transactions.toLocaleString('en-US')} transactions); DuckDB computes the four queries of \`sql/analytics/basic_analytics.sql\`.

| measure, scale ${scale} | median | runs |
|---|---:|---|
| (a) ShopFlow, the selection | ${seconds(a)} | ${each(shopflow.map((r) => r.ms))} |
| (b) plain script, all four stages | ${seconds(b)} | ${each(plain.map((r) => r.ms))} |
| (b) generate · validate · load (server start included) · analytics | ${stage('generate')} · ${stage('validate')} · ${stage('load')} · ${stage('analytics')} | |
| **(a) ÷ (b)** | **${(a / b).toFixed(2)}** | |
| target for (a) | ${Number.isNaN(target) ? '–' : `≤ ${seconds(target)} — ${a <= target ? 'met' : 'missed'}`} | |`;
  console.log(markdown);
  if (args.flag('--write')) writeBenchmarkSection(`selection-${scale}`, markdown);
}

await main();
