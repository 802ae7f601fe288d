import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadAnalyticsQueries } from '../../../resources/postgres/analytics-queries.js';
import { applyDdl } from '../../../resources/postgres/apply-ddl.js';
import {
  createPostgresResource,
  type PostgresResource,
} from '../../../resources/postgres/postgres-resource.js';
import { loadTransactions } from '../../../resources/postgres/shopflow-tables.js';
import { startTestPostgres, type TestPostgres } from '../../support/test-postgres.js';
import { loadWarehouseVolume } from '../../support/warehouse-volume.js';

let server: TestPostgres;
let postgres: PostgresResource;

beforeAll(async () => {
  server = await startTestPostgres();
  postgres = await createPostgresResource({ mode: 'url', url: server.url });
  await applyDdl(postgres.pool);
  await loadWarehouseVolume(postgres.pool, { transactions: 140_000, days: 90 });
}, 180_000);

afterAll(async () => {
  await postgres?.close();
  await server?.stop();
});

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** Every scan of the plan of `statement`: `Index Only Scan:transactions_delivery_date_idx`, `Seq Scan:transactions`, … */
async function scansOf(statement: string, searchPath = 'shopflow'): Promise<string[]> {
  return await postgres.withTransaction(async (client) => {
    await client.query(`set local search_path to ${searchPath}`);
    const { rows } = await client.query(`explain (format json) ${statement}`);
    const scans: string[] = [];
    const walk = (node: PlanNode) => {
      if (node['Node Type'].includes('Scan'))
        scans.push(`${node['Node Type']}:${node['Index Name'] ?? node['Relation Name']}`);
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(rows[0]['QUERY PLAN'][0].Plan);
    return scans;
  });
}

describe('every warehouse index has a reader that uses it (140 k transactions, after VACUUM ANALYZE)', () => {
  test('the secondary indexes of the sales tables are exactly the two of sql/ddl/003_indexes.sql', async () => {
    const { rows } = await postgres.pool.query(
      `select indexname from pg_indexes i
        where schemaname = 'shopflow' and tablename in ('transactions', 'customers', 'products')
          and not exists (select 1 from pg_constraint c where c.conname = i.indexname)
        order by indexname`,
    );
    expect(rows.map((r) => r.indexname)).toEqual([
      'transactions_customer_id_idx',
      'transactions_delivery_date_idx',
    ]);
  });

  test("the daily reconciliation reads one delivery day's count, units and revenue from transactions_delivery_date_idx alone", async () => {
    const scans = await scansOf(
      `select count(*), coalesce(sum(quantity), 0), coalesce(sum(amount), 0)
         from shopflow.transactions where delivery_date = date '2024-02-15'`,
    );
    expect(scans).toEqual(['Index Only Scan:transactions_delivery_date_idx']);
  });

  test('the other three analytics aggregate every transaction: no index would serve them', async () => {
    const queries = loadAnalyticsQueries();
    for (const name of ['best_sellers_by_category', 'monthly_revenue', 'aov_by_country'] as const) {
      const scans = await scansOf(queries[name], 'shopflow_analytics');
      expect(scans, name).toContain('Seq Scan:transactions');
    }
  });
});

describe('a day of transactions loaded into the 140 k warehouse', () => {
  test("checks its references by probing the dimensions' keys, not by reading the dimensions whole", async () => {
    // NOTE: one connection, so the statistics the load leaves are flushed by the statement after it.
    const pool = new pg.Pool({ connectionString: server.url, max: 1 });
    try {
      const scans = async () => {
        await pool.query('select pg_stat_force_next_flush()');
        const { rows } = await pool.query(
          `select relname, seq_scan::int as seq, idx_scan::int as idx from pg_stat_user_tables
            where schemaname = 'shopflow' and relname in ('customers', 'products') order by relname`,
        );
        return rows as Array<{ relname: string; seq: number; idx: number }>;
      };
      const before = await scans();
      const day = Array.from({ length: 1_500 }, (_, i) => ({
        transaction_id: 1_000_000 + i,
        // NOTE: one unknown customer, so the reject pass has something to find.
        customer_id: i === 0 ? 999_999 : 1 + ((i * 7919) % 20_000),
        product_id: 1 + ((i * 104_729) % 2_000),
        quantity: 1,
        unit_price: '10.00',
        timestamp: '2024-06-01T10:00:00Z',
        payment_method: 'paypal',
        delivery_date: '2024-06-01',
      }));
      const result = await loadTransactions(pool, day, { runId: 'plan-test', assetKey: 'pg_transactions' });
      expect([result.inserted, result.rejected, result.referenceCheck]).toEqual([1_499, 1, 'set-based']);
      await pool.query('select 1');
      const after = await scans();
      expect(
        after.map((t, i) => ({
          table: t.relname,
          seqScans: t.seq - before[i].seq,
          probed: t.idx > before[i].idx,
        })),
      ).toEqual([
        { table: 'customers', seqScans: 0, probed: true },
        // NOTE: the day names 1,100 of the 2,000 products: locking those rows (the set-based
        // reference check) reads the small table whole, which the planner rightly prefers to 1,100
        // probes. The 20,000 customers, of which the day names 1,500, are only probed.
        { table: 'products', seqScans: 1, probed: true },
      ]);
    } finally {
      await pool.end();
    }
  });
});
