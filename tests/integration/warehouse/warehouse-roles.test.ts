import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDdl } from '../../../resources/postgres/apply-ddl.js';
import {
  createPostgresResource,
  type PostgresResource,
} from '../../../resources/postgres/postgres-resource.js';
import {
  loadCustomers,
  loadProducts,
  loadTransactions,
} from '../../../resources/postgres/shopflow-tables.js';
import { startTestPostgres, type TestPostgres } from '../../support/test-postgres.js';

let server: TestPostgres;
let admin: PostgresResource;

/** A connection as `user` (password `secret`), closed after `use`. */
async function as<T>(user: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(server.url);
  url.username = user;
  url.password = 'secret';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The SQLSTATE a statement fails with as `user`, or 'ok'. */
const outcome = (user: string, sql: string) =>
  as(user, (c) =>
    c.query(sql).then(
      () => 'ok',
      (error: { code?: string }) => error.code ?? 'error',
    ),
  );

beforeAll(async () => {
  server = await startTestPostgres();
  admin = await createPostgresResource({ mode: 'url', url: server.url });
  await applyDdl(admin.pool);
  await loadCustomers(
    admin.pool,
    [
      {
        customer_id: 7,
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        registration_date: '2024-01-01',
        country: 'US',
        updated_at: '2024-01-02T00:00:00Z',
      },
    ],
    { runId: 'roles-test', assetKey: 'pg_customers' },
  );
  await admin.query(`create user analyst_login password 'secret' in role shopflow_analyst`);
  await admin.query(`create user loader_login password 'secret' in role shopflow_loader`);
  // Re-applying the DDL keeps the grants (and grants what it created since).
  await applyDdl(admin.pool);
});

afterAll(async () => {
  await admin?.close();
  await server?.stop();
});

describe('warehouse roles', () => {
  it('an analyst reads the masked views: PII columns masked, joins on customer_id', async () => {
    const rows = await as(
      'analyst_login',
      async (c) =>
        (await c.query('select customer_id, name, email, country_code from shopflow_masked.customers')).rows,
    );
    expect(rows).toEqual([{ customer_id: '7', name: '[PII]', email: '[PII]', country_code: 'US' }]);
    expect(await outcome('analyst_login', 'select count(*) from shopflow_masked.fact_sales')).toBe('ok');
    expect(await outcome('analyst_login', 'select count(*) from shopflow_masked.dim_customer')).toBe('ok');
  });

  it('an analyst can read no base table and write nothing', async () => {
    // 42501: insufficient_privilege.
    expect(await outcome('analyst_login', 'select email from shopflow.customers')).toBe('42501');
    expect(await outcome('analyst_login', 'select email from shopflow_dw.dim_customer')).toBe('42501');
    expect(await outcome('analyst_login', 'select email from shopflow.v_customer_spending')).toBe('42501');
    expect(
      await outcome('analyst_login', `update shopflow.customers set email = 'x' where customer_id = 7`),
    ).toBe('42501');
    expect(await outcome('analyst_login', 'delete from shopflow_masked.customers')).not.toBe('ok');
  });

  it('a loader writes the tables, which the analyst then sees masked', async () => {
    expect(
      await outcome(
        'loader_login',
        `update shopflow.customers set email = 'ada@lovelace.org', version = version + 1 where customer_id = 7`,
      ),
    ).toBe('ok');
    expect(await outcome('loader_login', 'select count(*) from shopflow_dw.fact_sales')).toBe('ok');
    const { rows } = await admin.query('select email from shopflow.customers where customer_id = 7');
    expect(rows).toEqual([{ email: 'ada@lovelace.org' }]);
    const masked = await as(
      'analyst_login',
      async (c) => (await c.query('select email, version from shopflow_masked.customers')).rows,
    );
    expect(masked).toEqual([{ email: '[PII]', version: 2 }]);
  });

  it('a loader that may not turn foreign-key triggers off has each row checked; granted SET on session_replication_role, the check is set-based', async () => {
    const url = new URL(server.url);
    url.username = 'loader_login';
    url.password = 'secret';
    const sale = (id: number, customer: number) => ({
      transaction_id: id,
      customer_id: customer,
      product_id: 1,
      quantity: 1,
      unit_price: '5.00',
      timestamp: '2024-01-03T10:00:00Z',
      payment_method: 'paypal',
      delivery_date: '2024-01-03',
    });
    const load = async (id: number) => {
      // NOTE: a fresh pool each time: whether the role may is asked once per pool.
      const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
      try {
        return await loadTransactions(
          pool,
          // NOTE: customer 8 does not exist: the load rejects that row either way.
          [sale(id, 7), sale(id + 1, 8)],
          { runId: 'roles-test', assetKey: 'pg_transactions' },
        );
      } finally {
        await pool.end();
      }
    };
    await loadProducts(
      admin.pool,
      [
        {
          product_id: 1,
          name: 'Book',
          category: 'Books',
          price: '5.00',
          supplier: 'Paper Co',
          updated_at: '2024-01-01T00:00:00Z',
        },
      ],
      { runId: 'roles-test', assetKey: 'pg_products' },
    );
    const perRow = await load(100);
    expect([perRow.inserted, perRow.rejected, perRow.referenceCheck]).toEqual([1, 1, 'per-row']);
    await admin.query('grant set on parameter session_replication_role to shopflow_loader');
    try {
      const setBased = await load(200);
      expect([setBased.inserted, setBased.rejected, setBased.referenceCheck]).toEqual([1, 1, 'set-based']);
    } finally {
      await admin.query('revoke set on parameter session_replication_role from shopflow_loader');
    }
    const { rows } = await admin.query(
      'select transaction_id::int as id, customer_id::int as customer from shopflow.transactions order by 1',
    );
    expect(rows).toEqual([
      { id: 100, customer: 7 },
      { id: 200, customer: 7 },
    ]);
  });
});
