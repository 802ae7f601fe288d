/**
 * The warehouse's secondary indexes (`sql/ddl/003_indexes.sql`), each against its absence, side by
 * side on one throwaway embedded PostgreSQL loaded like the pipeline at scale 20:
 *
 *   npx tsx bench/warehouse-index-bench.ts [transactions=140000] [--runs N] [--write]
 *
 * - the daily sales reconciliation's read of one delivery day, with `transactions_delivery_date_idx`
 *   and without it (dropped inside a transaction that is rolled back);
 * - `top_customers`, with `transactions_customer_id_idx` and without it;
 * - inserting one more delivery day of transactions (1/90 of the table) with the index set of
 *   003 and with the four indexes it dropped created again (inside a rolled-back transaction):
 *   what those indexes cost every load.
 * Runs alternate which side goes first; the figures are medians.
 */
import type pg from 'pg';
import { loadAnalyticsQueries } from '../resources/postgres/analytics-queries.js';
import { applyDdl } from '../resources/postgres/apply-ddl.js';
import { createPostgresResource } from '../resources/postgres/postgres-resource.js';
import { startTestPostgres } from '../tests/support/test-postgres.js';
import { loadWarehouseVolume } from '../tests/support/warehouse-volume.js';
import { machine, median, writeBenchmarkSection } from './benchmark-report.js';

const args = process.argv.slice(2);
const transactions = Number(
  args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? 140_000,
);
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 5;
const write = args.includes('--write');

const DROPPED = [
  'create index transactions_product_id_idx on shopflow.transactions (product_id) include (quantity, amount)',
  'create index transactions_transaction_date_idx on shopflow.transactions (transaction_date) include (amount)',
  'create index customers_country_code_idx on shopflow.customers (country_code)',
  'create index products_category_id_idx on shopflow.products (category_id)',
];

/** Runs `setup` then times `statement` in one transaction that is rolled back. */
async function timed(
  pool: pg.Pool,
  setup: string[],
  statement: string,
  searchPath = 'shopflow',
): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`set local search_path to ${searchPath}`);
    for (const s of setup) await client.query(s);
    const started = performance.now();
    await client.query(statement);
    return performance.now() - started;
  } finally {
    await client.query('rollback');
    client.release();
  }
}

async function main() {
  const server = await startTestPostgres();
  const postgres = await createPostgresResource({ mode: 'url', url: server.url });
  try {
    await applyDdl(postgres.pool);
    await loadWarehouseVolume(postgres.pool, { transactions, days: 90 });
    const day = `select count(*), coalesce(sum(quantity), 0), coalesce(sum(amount), 0)
                   from shopflow.transactions where delivery_date = date '2024-02-15'`;
    const top = loadAnalyticsQueries().top_customers;
    const perDay = Math.round(transactions / 90);
    // NOTE: one more delivery day, copied from an existing one under new ids (the same FK checks).
    const insertDay = `insert into shopflow.transactions
        (transaction_id, customer_id, product_id, quantity, unit_price, transaction_ts, payment_method_id, delivery_date)
      select transaction_id + ${transactions}, customer_id, product_id, quantity, unit_price,
             transaction_ts + interval '91 days', payment_method_id, delivery_date + 91
        from shopflow.transactions where delivery_date = date '2024-02-15'`;
    const cases = {
      dayWith: () => timed(postgres.pool, [], day),
      dayWithout: () => timed(postgres.pool, ['drop index shopflow.transactions_delivery_date_idx'], day),
      topWith: () => timed(postgres.pool, [], top, 'shopflow_analytics'),
      topWithout: () =>
        timed(postgres.pool, ['drop index shopflow.transactions_customer_id_idx'], top, 'shopflow_analytics'),
      insertNow: () => timed(postgres.pool, [], insertDay),
      insertBefore: () => timed(postgres.pool, DROPPED, insertDay),
    };
    const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, [] as number[]])) as Record<
      keyof typeof cases,
      number[]
    >;
    const pairs: Array<[keyof typeof cases, keyof typeof cases]> = [
      ['dayWith', 'dayWithout'],
      ['topWith', 'topWithout'],
      ['insertNow', 'insertBefore'],
    ];
    for (let run = 0; run < runs; run++) {
      for (const [a, b] of pairs) {
        for (const name of run % 2 === 0 ? [a, b] : [b, a]) samples[name].push(await cases[name]());
      }
      console.error(
        `run ${run + 1}: day ${samples.dayWith[run].toFixed(1)}/${samples.dayWithout[run].toFixed(1)} ms, top ${samples.topWith[run].toFixed(0)}/${samples.topWithout[run].toFixed(0)} ms, insert ${samples.insertNow[run].toFixed(0)}/${samples.insertBefore[run].toFixed(0)} ms`,
      );
    }
    const m = (name: keyof typeof cases) => median(samples[name]);
    const ms = (v: number) => `${v < 10 ? v.toFixed(2) : Math.round(v).toLocaleString('en-US')} ms`;
    const markdown = `
## Warehouse indexes (\`bench/warehouse-index-bench.ts\`)

\`npx tsx bench/warehouse-index-bench.ts ${transactions} --runs ${runs}\` — ${transactions.toLocaleString('en-US')} generated
transactions over 90 delivery days, 20 k customers, 2 k products, loaded through the pipeline's
loaders and \`VACUUM ANALYZE\`d; each side in its own rolled-back transaction, medians of ${runs}, alternating
which side goes first. ${machine()}

| statement | with the index set of \`003_indexes.sql\` | without (or with the dropped indexes) | ratio |
|---|---|---|---|
| one delivery day's count, units, revenue (daily reconciliation) | ${ms(m('dayWith'))} | ${ms(m('dayWithout'))} without \`transactions_delivery_date_idx\` | ${(m('dayWith') / m('dayWithout')).toFixed(2)} |
| \`top_customers\` | ${ms(m('topWith'))} | ${ms(m('topWithout'))} without \`transactions_customer_id_idx\` | ${(m('topWith') / m('topWithout')).toFixed(2)} |
| inserting one more delivery day (${perDay.toLocaleString('en-US')} rows) | ${ms(m('insertNow'))} | ${ms(m('insertBefore'))} with the four dropped indexes | ${(m('insertNow') / m('insertBefore')).toFixed(2)} |

On these generated rows (customer ids spread uniformly) the planner reads \`top_customers\` without
its index (see \`sql/ddl/003_indexes.sql\`); on the pipeline's own data at scale 20 it used it.
`;
    console.log(markdown);
    if (write) writeBenchmarkSection('Warehouse indexes', markdown);
  } finally {
    await postgres.close();
    await server.stop();
  }
}

await main();
