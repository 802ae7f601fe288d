import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresColumn,
  postgresTypeAsDuckDb,
  STORED_COLUMNS_SQL,
} from '../../../assets/warehouse/postgres-stored-types.js';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
import { applyDdl } from '../../../resources/postgres/apply-ddl.js';
import {
  createPostgresResource,
  type PostgresResource,
} from '../../../resources/postgres/postgres-resource.js';
import { loadCustomers } from '../../../resources/postgres/shopflow-tables.js';
import { startTestPostgres, type TestPostgres } from '../../support/test-postgres.js';

let server: TestPostgres;
let postgres: PostgresResource;

beforeAll(async () => {
  server = await startTestPostgres();
  postgres = await createPostgresResource({ mode: 'url', url: server.url });
});

afterAll(async () => {
  await postgres?.close();
  await server?.stop();
});

/** Everything the DDL defines: columns, constraints, indexes, views, comments. */
async function catalog(): Promise<unknown> {
  const queries = {
    columns: `select table_schema, table_name, column_name, data_type, is_nullable, column_default, generation_expression
      from information_schema.columns where table_schema in ('shopflow', 'shopflow_analytics')
      order by 1, 2, ordinal_position`,
    constraints: `select conrelid::regclass::text as rel, conname, pg_get_constraintdef(oid) as def
      from pg_constraint where connamespace = 'shopflow'::regnamespace order by 1, 2`,
    indexes: `select schemaname, tablename, indexname, indexdef from pg_indexes
      where schemaname = 'shopflow' order by 1, 2, 3`,
    views: `select schemaname, viewname, definition from pg_views
      where schemaname in ('shopflow', 'shopflow_analytics') order by 1, 2`,
    comments: `select c.relname, d.description from pg_description d join pg_class c on c.oid = d.objoid
      where c.relnamespace = 'shopflow'::regnamespace order by 1, 2`,
  };
  const result: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(queries)) result[name] = (await postgres.query(sql)).rows;
  return result;
}

describe('applyDdl', () => {
  it('creates the schema, then re-applies as a no-op that keeps the data', async () => {
    const first = await applyDdl(postgres.pool);
    expect(first.files).toEqual([
      '001_schema.sql',
      '002_tables.sql',
      '003_indexes.sql',
      '004_views.sql',
      '005_load_audit.sql',
      '006_analytics_views.sql',
      '010_star_schema.sql',
      '011_star_schema_indexes.sql',
      '020_roles.sql',
    ]);
    const before = await catalog();
    await loadCustomers(
      postgres.pool,
      [
        {
          customer_id: 1,
          name: 'Ann',
          email: 'a@x',
          registration_date: '2024-01-01',
          country: 'US',
          updated_at: null,
        },
      ],
      { runId: 'r', assetKey: 'pg_customers' },
    );
    await applyDdl(postgres.pool);
    expect(await catalog()).toEqual(before);
    const { rows } = await postgres.query('select count(*)::int as n from shopflow.customers');
    expect(rows[0].n).toBe(1);
  });

  it('defines the tables, views and indexes of the warehouse', async () => {
    const { rows } = await postgres.query(`select table_schema || '.' || table_name as name
      from information_schema.tables where table_schema in ('shopflow', 'shopflow_analytics') order by 1`);
    expect(rows.map((row) => row.name)).toEqual([
      'shopflow.categories',
      'shopflow.countries',
      'shopflow.customers',
      'shopflow.load_audit',
      'shopflow.payment_methods',
      'shopflow.products',
      'shopflow.suppliers',
      'shopflow.transactions',
      'shopflow.v_category_sales',
      'shopflow.v_country_aov',
      'shopflow.v_customer_spending',
      'shopflow.v_monthly_revenue',
      'shopflow_analytics.customers',
      'shopflow_analytics.products',
      'shopflow_analytics.transactions',
    ]);
    const uncommented = await postgres.query(`select indexrelid::regclass::text as name from pg_index i
      join pg_class c on c.oid = i.indexrelid
      where c.relnamespace = 'shopflow'::regnamespace and not i.indisprimary and not i.indisunique
        and obj_description(i.indexrelid, 'pg_class') is null`);
    expect(uncommented.rows).toEqual([]);
  });

  it('runs safely from two connections at once', async () => {
    const results = await Promise.all([
      applyDdl(postgres.pool),
      applyDdl(postgres.pool),
      applyDdl(postgres.pool),
    ]);
    expect(results.map((result) => result.files.length)).toEqual([9, 9, 9]);
  });

  it('rolls every file back when one fails, naming the file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shopflow-ddl-'));
    try {
      writeFileSync(
        join(dir, '001_first.sql'),
        'create schema if not exists ddl_probe;\ncreate table ddl_probe.t (x int);\n',
      );
      writeFileSync(join(dir, '002_broken.sql'), '-- a comment\n\ncreate tabel ddl_probe.u (y int);\n');
      writeFileSync(join(dir, 'README.md'), 'not sql');
      let error: unknown;
      try {
        await applyDdl(postgres.pool, dir);
      } catch (caught) {
        error = caught;
      }
      expect(isShopflowError(error, 'SF_IO')).toBe(true);
      expect((error as Error).message).toContain('`002_broken.sql` line 3');
      expect((error as Error).message).toContain('syntax error');
      const { rows } = await postgres.query(
        "select count(*)::int as n from pg_namespace where nspname = 'ddl_probe'",
      );
      expect(rows[0].n).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a folder without DDL files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shopflow-ddl-empty-'));
    try {
      await expect(applyDdl(postgres.pool, dir)).rejects.toMatchObject({ code: 'SF_IO' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the stored-types check', () => {
  it('reads from the catalog exactly the column types information_schema gives, for every warehouse table', async () => {
    await applyDdl(postgres.pool);
    await postgres.query(
      'create table public.sf_type_probe (a numeric, b numeric(7, 3), c integer[], d varchar(5), e timestamp, f jsonb, g real)',
    );
    try {
      const { rows: tables } = await postgres.query<{ schema: string; name: string }>(
        `select table_schema as schema, table_name as name from information_schema.tables
         where table_schema in ('shopflow', 'shopflow_dw', 'shopflow_analytics', 'public') order by 1, 2`,
      );
      expect(tables.length).toBeGreaterThan(10);
      for (const { schema, name } of tables) {
        const { rows: expected } = await postgres.query<PostgresColumn>(
          `select column_name, data_type, udt_name, numeric_precision, numeric_scale
           from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position`,
          [schema, name],
        );
        const { rows: actual } = await postgres.query<PostgresColumn>(STORED_COLUMNS_SQL, [schema, name]);
        const described = (columns: PostgresColumn[]) =>
          columns.map((c) => `${c.column_name} ${postgresTypeAsDuckDb(c)}`);
        expect(described(actual), `${schema}.${name}`).toEqual(described(expected));
      }
      const { rows: probe } = await postgres.query<PostgresColumn>(STORED_COLUMNS_SQL, [
        'public',
        'sf_type_probe',
      ]);
      expect(probe.map(postgresTypeAsDuckDb)).toEqual([
        'DECIMAL',
        'DECIMAL(7,3)',
        'INTEGER[]',
        'VARCHAR',
        'TIMESTAMP',
        'JSON',
        'FLOAT',
      ]);
    } finally {
      await postgres.query('drop table public.sf_type_probe');
    }
  });
});
