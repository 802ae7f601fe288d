import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceStore, LineageInput, LockHolder } from '../../framework/instance/instance-store.js';
import { initial } from '../../framework/instance/migrations/0001-initial.js';
import { schedules } from '../../framework/instance/migrations/0002-schedules.js';
import { type InstanceStoreConfig, openInstanceStore } from '../../framework/instance/open-instance-store.js';
import { createPostgresInstanceStore } from '../../framework/instance/postgres/postgres-instance-store.js';
import { openSqliteDatabase } from '../../framework/instance/sqlite/open-sqlite-database.js';
import { createSqliteInstanceStore } from '../../framework/instance/sqlite/sqlite-instance-store.js';
import { startTestPostgres, type TestPostgres } from '../support/test-postgres.js';

interface Backend {
  name: 'sqlite' | 'postgres';
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A database (SQLite file or PostgreSQL schema) no other test uses. */
  freshConfig(): InstanceStoreConfig;
  /** Makes every insert into `events` fail, as a database fault in the middle of a transaction. */
  failEventInserts(config: InstanceStoreConfig): Promise<void>;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}_${++counter}`;

function sqliteBackend(): Backend {
  let dir = '';
  return {
    name: 'sqlite',
    async start() {
      dir = mkdtempSync(join(tmpdir(), 'shopflow-instance-'));
    },
    async stop() {
      rmSync(dir, { recursive: true, force: true });
    },
    freshConfig: () => ({ type: 'sqlite', path: join(dir, unique('store'), 'instance.db') }),
    async failEventInserts(config) {
      const database = new SqliteDatabase((config as { path: string }).path);
      database.exec(
        `create trigger fail_events before insert on events begin select raise(abort, 'events are read-only'); end`,
      );
      database.close();
    },
  };
}

function postgresBackend(): Backend {
  let server: TestPostgres;
  return {
    name: 'postgres',
    async start() {
      server = await startTestPostgres();
    },
    async stop() {
      await server.stop();
    },
    freshConfig: () => ({ type: 'postgres', url: server.url, schema: unique('store') }),
    async failEventInserts(config) {
      const schema = (config as { schema: string }).schema;
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        await client.query(`create function ${schema}.fail_events() returns trigger language plpgsql as
          $$ begin raise exception 'events are read-only'; end $$`);
        await client.query(`create trigger fail_events before insert on ${schema}.events
          for each row execute function ${schema}.fail_events()`);
      } finally {
        await client.end();
      }
    },
  };
}

const BACKENDS: Backend[] = [sqliteBackend(), postgresBackend()];

/** A plain Kysely on the database of `config`, bypassing the store (and its migrations). */
async function kyselyOf(config: InstanceStoreConfig): Promise<{ db: Kysely<any>; schema?: string }> {
  if (config.type === 'sqlite') {
    mkdirSync(dirname(config.path), { recursive: true });
    return {
      db: new Kysely<any>({ dialect: new SqliteDialect({ database: new SqliteDatabase(config.path) }) }),
    };
  }
  const pool = new pg.Pool({ connectionString: config.url });
  return { db: new Kysely<any>({ dialect: new PostgresDialect({ pool }) }), schema: config.schema };
}

/** The names of the indexes on `locks`, sorted. */
async function indexesOfLocks(config: InstanceStoreConfig): Promise<string[]> {
  const { db, schema } = await kyselyOf(config);
  try {
    const { rows } =
      config.type === 'sqlite'
        ? await sql<{
            name: string;
          }>`select name from sqlite_master where type = 'index' and tbl_name = 'locks'`.execute(db)
        : await sql<{
            name: string;
          }>`select indexname as name from pg_indexes where schemaname = ${schema} and tablename = 'locks'`.execute(
            db,
          );
    return rows.map((row) => row.name).sort();
  } finally {
    await db.destroy();
  }
}

const at = (minute: number) => new Date(Date.UTC(2024, 0, 15, 2, minute)).toISOString();

const holder = (runId: string, minute = 0): LockHolder => ({
  runId,
  pid: 4242,
  hostname: 'worker-1',
  acquiredAt: at(minute),
  heartbeatAt: at(minute),
});

/**
 * Runs `count` separate Node processes that open and migrate the same store at the same moment:
 * each loads the code, reports `ready`, and starts only when every one of them is ready.
 */
async function migrateInChildProcesses(config: InstanceStoreConfig, count: number): Promise<void> {
  const module = new URL('../../framework/instance/open-instance-store.ts', import.meta.url).href;
  const code = `
    const { openInstanceStore } = await import(process.env.STORE_MODULE);
    process.stdout.write('ready\\n');
    await new Promise((resolve) => process.stdin.once('data', resolve));
    const store = await openInstanceStore(JSON.parse(process.env.STORE_CONFIG));
    await store.createRun({ selection: 'child', plan: { pid: process.pid } });
    await store.close();
    process.exit(0);`;
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      env: { ...process.env, STORE_MODULE: module, STORE_CONFIG: JSON.stringify(config) },
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const finished = children.map(
    (child) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        let stderr = '';
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
        });
        child.on('close', (code) => resolve({ code, stderr }));
      }),
  );
  await Promise.race([
    Promise.all(children.map((child) => new Promise((resolve) => child.stdout.once('data', resolve)))),
    Promise.all(finished),
  ]);
  for (const child of children) child.stdin.end('go\n');
  for (const result of await Promise.all(finished)) expect(result, result.stderr).toMatchObject({ code: 0 });
}

for (const backend of BACKENDS) {
  describe(backend.name, () => {
    let opened: InstanceStore[] = [];

    async function open(config = backend.freshConfig()): Promise<InstanceStore> {
      const store = await openInstanceStore(config);
      opened.push(store);
      return store;
    }

    async function materialize(
      store: InstanceStore,
      assetKey: string,
      partitionKey: string | null,
      options: { runId?: string; dataVersion?: string; inputs?: LineageInput[]; createdAt?: string } = {},
    ) {
      return await store.recordMaterialization({
        runId: options.runId ?? 'run-1',
        assetKey,
        partitionKey,
        dataVersion: options.dataVersion ?? 'v1',
        codeVersion: '1',
        rowCount: 10,
        metadata: {},
        inputs: options.inputs ?? [],
        createdAt: options.createdAt,
      });
    }

    beforeAll(() => backend.start());
    afterAll(() => backend.stop());
    afterEach(async () => {
      await Promise.all(opened.map((store) => store.close()));
      opened = [];
    });

    describe('migrations', () => {
      it('reports its backend and migrates idempotently', async () => {
        const store = await open();
        expect(store.backend).toBe(backend.name);
        await store.migrate();
        await store.migrate();
        expect(await store.listRuns()).toEqual([]);
      });

      it('lets two store instances migrate the same database at once', async () => {
        const config = backend.freshConfig();
        const first = await (backend.name === 'sqlite'
          ? createSqliteInstanceStore((config as { path: string }).path)
          : createPostgresInstanceStore((config as { url: string }).url, config as { schema: string }));
        const second = await (backend.name === 'sqlite'
          ? createSqliteInstanceStore((config as { path: string }).path)
          : createPostgresInstanceStore((config as { url: string }).url, config as { schema: string }));
        opened.push(first, second);
        await Promise.all([first.migrate(), second.migrate()]);
        const run = await first.createRun({ selection: '*', plan: null });
        expect(await second.getRun(run.id)).toEqual(run);
      });

      it('keeps the locks held when it rebuilds their table (0003)', async () => {
        const config = backend.freshConfig();
        // A store as the two first migrations left it, with a step's lock held.
        const { db, schema } = await kyselyOf(config);
        try {
          const scoped = schema ? db.withSchema(schema) : db;
          if (schema) await db.schema.createSchema(schema).execute();
          const migrator = new Migrator({
            db: scoped,
            migrationTableSchema: schema,
            provider: {
              getMigrations: async () => ({
                '0001_initial': initial(backend.name),
                '0002_schedules': schedules(backend.name),
              }),
            },
          });
          expect((await migrator.migrateToLatest()).error).toBeUndefined();
          await scoped
            .insertInto('locks')
            .values({
              key: 'orders[2024-01-15]',
              run_id: 'r1',
              pid: 4242,
              hostname: 'worker-1',
              acquired_at: at(0),
              heartbeat_at: at(0),
            })
            .execute();
        } finally {
          await db.destroy();
        }
        const store = await open(config);
        expect(await store.listLocks()).toEqual([{ key: 'orders[2024-01-15]', ...holder('r1') }]);
        expect(await store.tryAcquireLock('orders[2024-01-15]', holder('r2'))).toEqual({
          acquired: false,
          holder: holder('r1'),
        });
        await store.heartbeat('r1', at(5));
        await store.releaseLocksOfRun('r1');
        expect(await store.listLocks()).toEqual([]);
        expect(await indexesOfLocks(config)).toEqual(backend.name === 'sqlite' ? [] : ['locks_pkey']);
      });

      it('lets several processes migrate the same new database at once', async () => {
        const config = backend.freshConfig();
        await migrateInChildProcesses(config, 4);
        const store = await open(config);
        const runs = await store.listRuns();
        expect(runs).toHaveLength(4);
        expect(runs.every((run) => run.selection === 'child')).toBe(true);
      });
    });

    describe('runs', () => {
      it('creates a run with defaults and reads it back', async () => {
        const store = await open();
        const plan = {
          steps: [{ assetKey: 'a', partitionKey: null, deps: ['b[2024-01-01]'] }],
          nested: { n: 1.5 },
        };
        const run = await store.createRun({ selection: '+a', plan });
        expect(run).toMatchObject({
          status: 'queued',
          selection: '+a',
          plan,
          tags: {},
          parentRunId: null,
          startedAt: null,
          finishedAt: null,
          pid: null,
          hostname: null,
          heartbeatAt: null,
          error: null,
        });
        expect(run.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(Date.parse(run.createdAt)).not.toBeNaN();
        expect(await store.getRun(run.id)).toEqual(run);
        expect(await store.getRun('missing')).toBeUndefined();
      });

      it('keeps given ids, status, tags, parent, pid and hostname', async () => {
        const store = await open();
        const run = await store.createRun({
          id: 'retry-1',
          selection: 'a',
          plan: [1, 'two', null, true],
          status: 'running',
          tags: { trigger: 'schedule', owner: 'ünïcode ✓' },
          parentRunId: 'run-0',
          pid: 99,
          hostname: 'box',
        });
        expect(await store.getRun('retry-1')).toEqual(run);
        expect(run).toMatchObject({ status: 'running', parentRunId: 'run-0', pid: 99, hostname: 'box' });
      });

      it('transitions a run only from the given statuses, so two processes cannot both take or end it', async () => {
        const store = await open();
        const run = await store.createRun({ selection: 'a', plan: {} });
        expect(
          await store.transitionRun(run.id, ['queued'], { status: 'running', pid: 7, hostname: 'task' }),
        ).toBe(true);
        expect(await store.transitionRun(run.id, ['queued'], { status: 'canceled', error: 'late' })).toBe(
          false,
        );
        expect(await store.getRun(run.id)).toMatchObject({
          status: 'running',
          pid: 7,
          hostname: 'task',
          error: null,
        });
        expect(
          await store.transitionRun(run.id, ['queued', 'running'], { status: 'failed', error: 'gone' }),
        ).toBe(true);
        expect(await store.transitionRun(run.id, [], { status: 'running' })).toBe(false);
        expect(await store.transitionRun('missing', ['queued'], { status: 'running' })).toBe(false);
        expect(await store.getRun(run.id)).toMatchObject({ status: 'failed', error: 'gone' });
      });

      it('updates only the patched fields', async () => {
        const store = await open();
        const run = await store.createRun({ selection: 'a', plan: { v: 1 } });
        await store.updateRun(run.id, { status: 'running', startedAt: at(1), pid: 7, hostname: 'h' });
        await store.updateRun(run.id, {
          status: 'failed',
          finishedAt: at(2),
          error: 'step `a` failed',
          plan: { v: 2 },
        });
        await store.updateRun(run.id, {});
        expect(await store.getRun(run.id)).toEqual({
          ...run,
          status: 'failed',
          startedAt: at(1),
          finishedAt: at(2),
          pid: 7,
          hostname: 'h',
          error: 'step `a` failed',
          plan: { v: 2 },
        });
      });

      it('rejects updating an unknown run', async () => {
        const store = await open();
        await expect(store.updateRun('nope', { status: 'running' })).rejects.toMatchObject({
          code: 'SF_UNKNOWN_RUN',
        });
        await expect(store.updateRun('nope', {})).rejects.toMatchObject({ code: 'SF_UNKNOWN_RUN' });
      });

      it('finds runs by id prefix, literally and case-sensitively', async () => {
        const store = await open();
        await store.createRun({ id: 'abc123', selection: 'a', plan: null });
        await store.createRun({ id: 'abd456', selection: 'a', plan: null });
        await store.createRun({ id: 'a%_x', selection: 'a', plan: null });
        expect((await store.findRunsByPrefix('ab')).map((run) => run.id).sort()).toEqual([
          'abc123',
          'abd456',
        ]);
        expect((await store.findRunsByPrefix('abc')).map((run) => run.id)).toEqual(['abc123']);
        expect((await store.findRunsByPrefix('a%')).map((run) => run.id)).toEqual(['a%_x']);
        expect(await store.findRunsByPrefix('a_')).toEqual([]);
        expect(await store.findRunsByPrefix('ABC')).toEqual([]);
        expect(await store.findRunsByPrefix('zzz')).toEqual([]);
      });

      it('lists runs newest first, with limit and status filter', async () => {
        const store = await open();
        const first = await store.createRun({ selection: 'a', plan: null, status: 'success' });
        const second = await store.createRun({ selection: 'b', plan: null, status: 'failed' });
        const third = await store.createRun({ selection: 'c', plan: null, status: 'running' });
        expect((await store.listRuns()).map((run) => run.id)).toEqual([third.id, second.id, first.id]);
        expect((await store.listRuns({ limit: 2 })).map((run) => run.id)).toEqual([third.id, second.id]);
        expect((await store.listRuns({ status: ['success', 'failed'] })).map((run) => run.id)).toEqual([
          second.id,
          first.id,
        ]);
        expect(await store.listRuns({ status: [] })).toEqual([]);
      });
    });

    describe('events', () => {
      it('appends events with increasing ids and defaults', async () => {
        const store = await open();
        const first = await store.appendEvent({ runId: 'r1', type: 'run_start' });
        const second = await store.appendEvent({
          runId: 'r1',
          type: 'step_failure',
          ts: at(3),
          assetKey: 'a',
          partitionKey: '2024-01-15',
          message: 'boom',
          data: { error: { name: 'Error', stack: 'line\n"quoted"' }, attempt: 2, retry: false, none: null },
        });
        expect(first).toMatchObject({
          runId: 'r1',
          type: 'run_start',
          assetKey: null,
          partitionKey: null,
          message: null,
        });
        expect(first.data).toEqual({});
        expect(second.id).toBeGreaterThan(first.id);
        expect(await store.listEvents()).toEqual([first, second]);
      });

      it('appends a batch of events in one go, in order, with increasing ids', async () => {
        const store = await open();
        expect(await store.appendEvents([])).toEqual([]);
        const before = await store.appendEvent({ runId: 'r1', type: 'run_start' });
        const batch = await store.appendEvents([
          { runId: 'r1', type: 'check_evaluation', assetKey: 'a', message: 'first', data: { check: 'x' } },
          { runId: 'r1', type: 'check_evaluation', assetKey: 'a', message: 'second', ts: at(4) },
          { runId: 'r1', type: 'step_success', assetKey: 'a', partitionKey: '2024-01-15' },
        ]);
        expect(batch.map((event) => event.message)).toEqual(['first', 'second', null]);
        expect(batch[0]!.id).toBeGreaterThan(before.id);
        expect(batch[1]!.id).toBeGreaterThan(batch[0]!.id);
        expect(batch[2]!.id).toBeGreaterThan(batch[1]!.id);
        expect(batch[1]!.ts).toBe(at(4));
        expect(await store.listEvents()).toEqual([before, ...batch]);
        // More than one statement's worth (500 rows) lands whole and in order too.
        const many = await store.appendEvents(
          Array.from({ length: 1201 }, (_, i) => ({
            runId: 'r2',
            type: 'step_start' as const,
            message: `m${i}`,
          })),
        );
        const listed = await store.listEvents({ runId: 'r2' });
        expect(listed).toEqual(many);
        expect(listed.map((event) => event.message)).toEqual(many.map((_, i) => `m${i}`));
      });

      it('filters by run, asset, types and afterId, oldest first, with a limit', async () => {
        const store = await open();
        const e1 = await store.appendEvent({ runId: 'r1', type: 'run_start' });
        const e2 = await store.appendEvent({ runId: 'r1', type: 'step_start', assetKey: 'a' });
        const e3 = await store.appendEvent({ runId: 'r2', type: 'step_start', assetKey: 'b' });
        const e4 = await store.appendEvent({ runId: 'r1', type: 'step_success', assetKey: 'a' });
        const ids = (events: Array<{ id: number }>) => events.map((event) => event.id);
        expect(ids(await store.listEvents({ runId: 'r1' }))).toEqual([e1.id, e2.id, e4.id]);
        expect(ids(await store.listEvents({ assetKey: 'a' }))).toEqual([e2.id, e4.id]);
        expect(ids(await store.listEvents({ types: ['step_start'] }))).toEqual([e2.id, e3.id]);
        expect(ids(await store.listEvents({ afterId: e2.id }))).toEqual([e3.id, e4.id]);
        expect(ids(await store.listEvents({ runId: 'r1', afterId: e1.id, limit: 1 }))).toEqual([e2.id]);
        expect(await store.listEvents({ types: [] })).toEqual([]);
      });

      it('gives unique increasing ids to concurrent writers', async () => {
        const config = backend.freshConfig();
        const [one, two] = [await open(config), await open(config)];
        const written = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? one : two).appendEvent({ runId: `r${i}`, type: 'log' }),
          ),
        );
        const listed = await one.listEvents();
        expect(listed).toHaveLength(20);
        expect(new Set(listed.map((event) => event.id)).size).toBe(20);
        expect(listed.map((event) => event.id)).toEqual(
          [...listed.map((event) => event.id)].sort((a, b) => a - b),
        );
        expect(listed.map((event) => event.runId).sort()).toEqual(written.map((event) => event.runId).sort());
      });
    });

    describe('materializations', () => {
      const inputs: LineageInput[] = [
        {
          assetKey: 'raw_orders',
          partitionKey: '2024-01-15',
          materializationId: 'm-up-1',
          dataVersion: 'd1',
        },
        { assetKey: 'raw_customers', partitionKey: null, materializationId: 'm-up-2', dataVersion: 'd2' },
      ];

      it('stores a row count left undefined (by untyped user code) as NULL', async () => {
        const store = await open();
        const record = await store.recordMaterialization({
          runId: 'run-u',
          assetKey: 'orders',
          partitionKey: null,
          dataVersion: 'abc',
          codeVersion: '1',
          rowCount: undefined as unknown as null,
          metadata: {},
          inputs: [],
        });
        expect(await store.getMaterialization(record.id)).toMatchObject({ id: record.id, rowCount: null });
      });

      it('stores the materialization, lineage, event and state in one go', async () => {
        const store = await open();
        const record = await store.recordMaterialization({
          runId: 'run-1',
          assetKey: 'orders',
          partitionKey: '2024-01-15',
          dataVersion: 'abc',
          codeVersion: '3',
          rowCount: 1234,
          metadata: { path: 's3://lake/orders', preview: [{ id: 1, name: 'Zoë "Z"' }], bytes: 2 ** 40 },
          inputs,
        });
        expect(record.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(await store.getMaterialization(record.id)).toEqual(record);
        expect(await store.listEvents({ runId: 'run-1' })).toEqual([
          expect.objectContaining({
            type: 'materialization',
            assetKey: 'orders',
            partitionKey: '2024-01-15',
            ts: record.createdAt,
            data: { materializationId: record.id, dataVersion: 'abc', rowCount: 1234 },
          }),
        ]);
        expect(await store.listAssetPartitionStates()).toEqual([
          {
            assetKey: 'orders',
            partitionKey: '2024-01-15',
            materializationId: record.id,
            dataVersion: 'abc',
            codeVersion: '3',
            rowCount: 1234,
            materializedAt: record.createdAt,
            inputs,
            lastAttemptStatus: 'success',
            lastAttemptAt: record.createdAt,
            lastRunId: 'run-1',
            lastError: null,
          },
        ]);
      });

      it('round-trips given ids, null partitions, null row counts and empty inputs', async () => {
        const store = await open();
        const record = await store.recordMaterialization({
          id: 'm-given',
          runId: 'run-1',
          assetKey: 'dim_date',
          partitionKey: null,
          dataVersion: 'v',
          codeVersion: '1',
          rowCount: null,
          metadata: { nothing: null, list: [], flag: false },
          inputs: [],
          createdAt: at(5),
        });
        expect(record).toMatchObject({ id: 'm-given', createdAt: at(5) });
        expect(await store.getMaterialization('m-given')).toEqual(record);
        expect(await store.getMaterialization('missing')).toBeUndefined();
        // NOTE: metadata of many at once (a plan's external inputs), an id twice or missing.
        expect(await store.materializationMetadata(['m-given', 'missing', 'm-given'])).toEqual(
          new Map([['m-given', { nothing: null, list: [], flag: false }]]),
        );
        expect(await store.materializationMetadata([])).toEqual(new Map());
        const [state] = await store.listAssetPartitionStates(['dim_date']);
        expect(state).toMatchObject({
          partitionKey: null,
          rowCount: null,
          inputs: [],
          materializationId: 'm-given',
        });
      });

      it('reads the states of chosen partitions only, the unpartitioned one as null', async () => {
        const store = await open();
        for (const partition of ['2024-01-01', '2024-01-02', '2024-01-03']) {
          await materialize(store, 'orders', partition, { inputs: [] });
        }
        await materialize(store, 'dim_date', null, { inputs: [] });
        const keys = (states: Array<{ assetKey: string; partitionKey: string | null }>) =>
          states.map((s) => `${s.assetKey}[${s.partitionKey}]`).sort();
        expect(keys(await store.listAssetPartitionStates(['orders'], ['2024-01-01', '2024-01-03']))).toEqual([
          'orders[2024-01-01]',
          'orders[2024-01-03]',
        ]);
        expect(
          keys(await store.listAssetPartitionStates(['orders', 'dim_date'], [null, '2024-01-02'])),
        ).toEqual(['dim_date[null]', 'orders[2024-01-02]']);
        expect(await store.listAssetPartitionStates(['orders'], [])).toEqual([]);
        expect(await store.listAssetPartitionStates(['orders'], ['2023-12-31'])).toEqual([]);
      });

      it('writes nothing when any part of the transaction fails', async () => {
        const config = backend.freshConfig();
        const store = await open(config);
        await backend.failEventInserts(config);
        await expect(materialize(store, 'orders', null, { inputs })).rejects.toThrow(/events are read-only/);
        expect(await store.listMaterializations({ assetKey: 'orders' })).toEqual([]);
        expect(await store.listDownstreamMaterializations('m-up-1')).toEqual([]);
        expect(await store.listAssetPartitionStates()).toEqual([]);
      });

      describe('a step result', () => {
        const holder = (runId: string): LockHolder => ({
          runId,
          pid: 1,
          hostname: 'h',
          acquiredAt: at(0),
          heartbeatAt: at(0),
        });
        const result = (runId: string) => ({
          materialization: {
            id: 'm-step',
            runId,
            assetKey: 'orders',
            partitionKey: '2024-01-15',
            dataVersion: 'v2',
            codeVersion: '1',
            rowCount: 3,
            metadata: { durationMs: 5 },
            inputs,
          },
          checkpoints: [
            ['cursor', { at: 7 }],
            ['gone', undefined],
          ] as const,
          checkEvaluations: [
            {
              runId,
              assetKey: 'orders',
              partitionKey: '2024-01-15',
              checkName: 'not_null',
              severity: 'error' as const,
              passed: false,
              metadata: { failingRows: 2 },
              materializationId: 'ignored: the step result names its own materialization',
            },
          ],
          events: [
            { runId, type: 'check_evaluation' as const, assetKey: 'orders', message: 'not_null: FAILED' },
            { runId, type: 'step_success' as const, assetKey: 'orders', message: '3 rows' },
          ],
          releaseLock: { key: 'orders[2024-01-15]', runId },
        });

        it('records the materialization, checkpoints, evaluations and events and releases the lock in one go', async () => {
          const store = await open();
          await store.setCheckpoint('gone', 1);
          await store.tryAcquireLock('orders[2024-01-15]', holder('run-s'));
          await store.tryAcquireLock('orders[2024-01-16]', holder('run-s'));
          const recorded = await store.recordStepResult(result('run-s'));
          expect(recorded.materialization).toMatchObject({ id: 'm-step', dataVersion: 'v2' });
          expect(await store.getMaterialization('m-step')).toEqual(recorded.materialization);
          expect(await store.getCheckpoint('cursor')).toEqual({ at: 7 });
          expect(await store.getCheckpoint('gone')).toBeUndefined();
          const evaluations = await store.listCheckEvaluations({ assetKey: 'orders' });
          expect(evaluations).toEqual([
            expect.objectContaining({ checkName: 'not_null', passed: false, materializationId: 'm-step' }),
          ]);
          expect(recorded.checkEvaluations).toEqual(evaluations);
          const events = await store.listEvents({ runId: 'run-s' });
          expect(events.map((e) => e.type)).toEqual(['materialization', 'check_evaluation', 'step_success']);
          expect(recorded.events).toEqual(events.slice(1));
          // NOTE: only the step's own lock goes.
          expect((await store.listLocks()).map((l) => l.key)).toEqual(['orders[2024-01-16]']);
          const [state] = await store.listAssetPartitionStates(['orders']);
          expect(state).toMatchObject({ materializationId: 'm-step', lastAttemptStatus: 'success' });
        });

        it('writes none of it when any part fails, and keeps the lock', async () => {
          const config = backend.freshConfig();
          const store = await open(config);
          await store.setCheckpoint('gone', 1);
          await store.tryAcquireLock('orders[2024-01-15]', holder('run-f'));
          await backend.failEventInserts(config);
          await expect(store.recordStepResult(result('run-f'))).rejects.toThrow(/events are read-only/);
          expect(await store.listMaterializations({ assetKey: 'orders' })).toEqual([]);
          expect(await store.listCheckEvaluations({ assetKey: 'orders' })).toEqual([]);
          expect(await store.getCheckpoint('cursor')).toBeUndefined();
          expect(await store.getCheckpoint('gone')).toBe(1);
          expect(await store.listAssetPartitionStates()).toEqual([]);
          expect((await store.listLocks()).map((l) => l.key)).toEqual(['orders[2024-01-15]']);
        });
      });

      it('rejects the empty partition key, which would collide with "unpartitioned"', async () => {
        const store = await open();
        await expect(materialize(store, 'orders', '')).rejects.toMatchObject({ code: 'SF_BAD_PARTITION' });
        await expect(
          store.recordAttempt({ assetKey: 'orders', partitionKey: '', runId: 'r', status: 'running' }),
        ).rejects.toMatchObject({ code: 'SF_BAD_PARTITION' });
      });

      it('lists materializations newest first, by partition, with a limit', async () => {
        const store = await open();
        const old = await materialize(store, 'orders', '2024-01-14', { createdAt: at(1) });
        const mid = await materialize(store, 'orders', '2024-01-15', { createdAt: at(2) });
        const latest = await materialize(store, 'orders', '2024-01-14', { createdAt: at(3), inputs });
        const unpartitioned = await materialize(store, 'orders', null, { createdAt: at(0) });
        await materialize(store, 'other', '2024-01-14');
        const ids = (records: Array<{ id: string }>) => records.map((record) => record.id);
        expect(ids(await store.listMaterializations({ assetKey: 'orders' }))).toEqual([
          latest.id,
          mid.id,
          old.id,
          unpartitioned.id,
        ]);
        expect(await store.listMaterializations({ assetKey: 'orders', partitionKey: '2024-01-14' })).toEqual([
          latest,
          old,
        ]);
        expect(ids(await store.listMaterializations({ assetKey: 'orders', partitionKey: null }))).toEqual([
          unpartitioned.id,
        ]);
        expect(ids(await store.listMaterializations({ assetKey: 'orders', limit: 1 }))).toEqual([latest.id]);
      });

      it('lists the materializations that read a given one', async () => {
        const store = await open();
        const upstream = await materialize(store, 'raw', null);
        const input = {
          assetKey: 'raw',
          partitionKey: null,
          materializationId: upstream.id,
          dataVersion: 'v1',
        };
        const a = await materialize(store, 'a', null, { inputs: [input], createdAt: at(1) });
        const b = await materialize(store, 'b', '2024-01-15', { inputs: [input], createdAt: at(2) });
        await materialize(store, 'c', null, { inputs: [{ ...input, materializationId: 'other' }] });
        expect(await store.listDownstreamMaterializations(upstream.id)).toEqual([b, a]);
        expect(await store.listDownstreamMaterializations(a.id)).toEqual([]);
      });
    });

    describe('asset partition states', () => {
      it('records attempts without a materialization', async () => {
        const store = await open();
        await store.recordAttempt({
          assetKey: 'a',
          partitionKey: '2024-01-15',
          runId: 'r1',
          status: 'failed',
          error: 'column "x" does not exist',
          at: at(4),
        });
        expect(await store.listAssetPartitionStates()).toEqual([
          {
            assetKey: 'a',
            partitionKey: '2024-01-15',
            materializationId: null,
            dataVersion: null,
            codeVersion: null,
            rowCount: null,
            materializedAt: null,
            inputs: [],
            lastAttemptStatus: 'failed',
            lastAttemptAt: at(4),
            lastRunId: 'r1',
            lastError: 'column "x" does not exist',
          },
        ]);
      });

      it('records an attempt with its events in one transaction', async () => {
        const config = backend.freshConfig();
        const store = await open(config);
        const attempt = {
          assetKey: 'a',
          partitionKey: null,
          runId: 'r2',
          status: 'running' as const,
          at: at(1),
        };
        const start = { runId: 'r2', type: 'step_start' as const, assetKey: 'a', message: 'materializing a' };
        const [event] = await store.recordAttempt(attempt, [start]);
        expect(event).toMatchObject({ type: 'step_start', assetKey: 'a', message: 'materializing a' });
        expect(await store.listEvents({ runId: 'r2' })).toEqual([event]);
        expect(await store.listAssetPartitionStates()).toEqual([
          expect.objectContaining({ assetKey: 'a', lastAttemptStatus: 'running', lastRunId: 'r2' }),
        ]);
        await backend.failEventInserts(config);
        await expect(
          store.recordAttempt({ ...attempt, runId: 'r3', status: 'failed', error: 'x' }, [
            { ...start, runId: 'r3' },
          ]),
        ).rejects.toThrow(/events are read-only/);
        // NOTE: the attempt of r3 went with its event.
        expect(await store.listAssetPartitionStates()).toEqual([
          expect.objectContaining({ lastAttemptStatus: 'running', lastRunId: 'r2', lastError: null }),
        ]);
      });

      it('keeps the latest materialization when a later attempt fails, and clears the error on success', async () => {
        const store = await open();
        const inputs = [{ assetKey: 'up', partitionKey: null, materializationId: 'm0', dataVersion: 'd0' }];
        const record = await materialize(store, 'a', null, { inputs, runId: 'r1' });
        await store.recordAttempt({
          assetKey: 'a',
          partitionKey: null,
          runId: 'r2',
          status: 'failed',
          error: 'boom',
        });
        const [failed] = await store.listAssetPartitionStates();
        expect(failed).toMatchObject({
          materializationId: record.id,
          dataVersion: 'v1',
          codeVersion: '1',
          rowCount: 10,
          materializedAt: record.createdAt,
          inputs,
          lastAttemptStatus: 'failed',
          lastRunId: 'r2',
          lastError: 'boom',
        });
        const again = await materialize(store, 'a', null, { runId: 'r3', dataVersion: 'v2' });
        const [succeeded] = await store.listAssetPartitionStates();
        expect(succeeded).toMatchObject({
          materializationId: again.id,
          dataVersion: 'v2',
          inputs: [],
          lastAttemptStatus: 'success',
          lastRunId: 'r3',
          lastError: null,
        });
      });

      it('filters by asset keys, including long key lists', async () => {
        const store = await open();
        await materialize(store, 'a', '2024-01-01');
        await materialize(store, 'a', '2024-01-02');
        await materialize(store, 'b', null);
        await store.recordAttempt({ assetKey: 'c', partitionKey: null, runId: 'r', status: 'running' });
        const keys = (states: Array<{ assetKey: string; partitionKey: string | null }>) =>
          states.map((state) => `${state.assetKey}[${state.partitionKey}]`).sort();
        expect(keys(await store.listAssetPartitionStates())).toEqual([
          'a[2024-01-01]',
          'a[2024-01-02]',
          'b[null]',
          'c[null]',
        ]);
        expect(keys(await store.listAssetPartitionStates(['a', 'c', 'a']))).toEqual([
          'a[2024-01-01]',
          'a[2024-01-02]',
          'c[null]',
        ]);
        expect(await store.listAssetPartitionStates([])).toEqual([]);
        const many = Array.from({ length: 1_500 }, (_, i) => `asset_${i}`);
        expect(
          keys(await store.listAssetPartitionStates([...many, 'b', ...many.map((key) => `${key}_x`)])),
        ).toEqual(['b[null]']);
      });
    });

    describe('check evaluations', () => {
      const evaluation = (checkName: string, passed: boolean, createdAt?: string) => ({
        runId: 'r1',
        assetKey: 'orders',
        partitionKey: '2024-01-15' as string | null,
        checkName,
        severity: 'error' as const,
        passed,
        metadata: { failingRows: passed ? 0 : 3, sample: [{ id: 7, email: null }] },
        materializationId: 'm1' as string | null,
        createdAt,
      });

      it('records evaluations and reads them back', async () => {
        const store = await open();
        const record = await store.recordCheckEvaluation(evaluation('not_null', false));
        expect(record.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(await store.listCheckEvaluations({})).toEqual([record]);
        const warn = await store.recordCheckEvaluation({
          ...evaluation('fresh', true),
          severity: 'warn',
          partitionKey: null,
          materializationId: null,
        });
        expect(await store.listCheckEvaluations({ checkName: 'fresh' })).toEqual([warn]);
      });

      it('returns the latest evaluation per asset, partition and check', async () => {
        const store = await open();
        await store.recordCheckEvaluation(evaluation('unique', false, at(1)));
        const uniqueLatest = await store.recordCheckEvaluation(evaluation('unique', true, at(2)));
        const tieFirst = await store.recordCheckEvaluation(evaluation('not_null', true, at(3)));
        const tieSecond = await store.recordCheckEvaluation(evaluation('not_null', false, at(3)));
        const otherPartition = await store.recordCheckEvaluation({
          ...evaluation('unique', false, at(0)),
          partitionKey: '2024-01-14',
        });
        const unpartitioned = await store.recordCheckEvaluation({
          ...evaluation('unique', true),
          partitionKey: null,
        });
        const otherAsset = await store.recordCheckEvaluation({
          ...evaluation('unique', true),
          assetKey: 'customers',
        });
        const latest = await store.latestCheckEvaluations();
        expect(latest).toEqual([otherAsset, unpartitioned, otherPartition, tieSecond, uniqueLatest]);
        expect(latest).not.toContainEqual(tieFirst);
        expect(await store.latestCheckEvaluations({ assetKey: 'customers' })).toEqual([otherAsset]);
      });

      it('lists evaluations newest first, filtered by asset, check and run, with a limit', async () => {
        const store = await open();
        const a = await store.recordCheckEvaluation(evaluation('unique', true, at(1)));
        const b = await store.recordCheckEvaluation({ ...evaluation('unique', false, at(2)), runId: 'r2' });
        const c = await store.recordCheckEvaluation({
          ...evaluation('range', true, at(3)),
          assetKey: 'other',
        });
        expect(await store.listCheckEvaluations({})).toEqual([c, b, a]);
        expect(await store.listCheckEvaluations({ assetKey: 'orders' })).toEqual([b, a]);
        expect(await store.listCheckEvaluations({ checkName: 'unique', runId: 'r1' })).toEqual([a]);
        expect(await store.listCheckEvaluations({ limit: 2 })).toEqual([c, b]);
      });
    });

    describe('locks', () => {
      it('gives a free lock to the first holder and names the holder to the next', async () => {
        const store = await open();
        expect(await store.tryAcquireLock('orders[2024-01-15]', holder('r1'))).toEqual({ acquired: true });
        expect(await store.tryAcquireLock('orders[2024-01-15]', holder('r2', 1))).toEqual({
          acquired: false,
          holder: holder('r1'),
        });
        expect(await store.tryAcquireLock('orders[2024-01-16]', holder('r2', 1))).toEqual({ acquired: true });
        expect(await store.listLocks()).toEqual([
          { key: 'orders[2024-01-15]', ...holder('r1') },
          { key: 'orders[2024-01-16]', ...holder('r2', 1) },
        ]);
      });

      it('lets exactly one of many concurrent holders across store instances win', async () => {
        const config = backend.freshConfig();
        const stores = [await open(config), await open(config)];
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => stores[i % 2].tryAcquireLock('hot', holder(`r${i}`))),
        );
        const winners = results.filter((result) => result.acquired);
        expect(winners).toHaveLength(1);
        const [lock] = await stores[0].listLocks();
        for (const result of results) {
          if (!result.acquired) expect(result.holder.runId).toBe(lock.runId);
        }
      });

      it('takes a free lock and records the attempt with it, and writes nothing when the lock is held', async () => {
        const config = backend.freshConfig();
        const store = await open(config);
        const start = (runId: string) => ({
          attempt: { assetKey: 'orders', partitionKey: '2024-01-15', runId, status: 'running' as const },
          events: [
            {
              runId,
              type: 'step_start' as const,
              assetKey: 'orders',
              partitionKey: '2024-01-15',
              message: 'materializing orders[2024-01-15]',
            },
          ],
        });
        const taken = await store.tryAcquireLockAndStart('orders[2024-01-15]', holder('r1'), start('r1'));
        expect(taken).toEqual({
          acquired: true,
          events: [expect.objectContaining({ type: 'step_start', runId: 'r1', partitionKey: '2024-01-15' })],
        });
        expect(await store.listEvents({ runId: 'r1' })).toEqual(taken.acquired ? taken.events : []);
        expect(await store.listLocks()).toEqual([{ key: 'orders[2024-01-15]', ...holder('r1') }]);
        const states = await store.listAssetPartitionStates();
        expect(states).toEqual([
          expect.objectContaining({
            partitionKey: '2024-01-15',
            lastAttemptStatus: 'running',
            lastRunId: 'r1',
          }),
        ]);

        // Held: the holder is named, and neither the attempt nor its event is written.
        expect(
          await store.tryAcquireLockAndStart('orders[2024-01-15]', holder('r2', 1), start('r2')),
        ).toEqual({
          acquired: false,
          holder: holder('r1'),
        });
        expect(await store.listEvents({ runId: 'r2' })).toEqual([]);
        expect(await store.listAssetPartitionStates()).toEqual(states);

        // The attempt cannot be written: the lock is not taken either.
        await store.releaseLock('orders[2024-01-15]', 'r1');
        await backend.failEventInserts(config);
        await expect(
          store.tryAcquireLockAndStart('orders[2024-01-15]', holder('r3'), start('r3')),
        ).rejects.toThrow(/events are read-only/);
        expect(await store.listLocks()).toEqual([]);
        expect(await store.listAssetPartitionStates()).toEqual(states);
      });

      it('steals a lock only from the expected holder', async () => {
        const store = await open();
        await store.tryAcquireLock('k', holder('dead-run'));
        expect(await store.stealLock('k', 'someone-else', holder('r2', 5))).toBe(false);
        expect(await store.stealLock('k', 'dead-run', holder('r2', 5))).toBe(true);
        expect(await store.stealLock('k', 'dead-run', holder('r3', 6))).toBe(false);
        expect(await store.listLocks()).toEqual([{ key: 'k', ...holder('r2', 5) }]);
        expect(await store.stealLock('free', 'dead-run', holder('r2'))).toBe(false);
      });

      it('lets one of two concurrent thieves win', async () => {
        const config = backend.freshConfig();
        const [one, two] = [await open(config), await open(config)];
        await one.tryAcquireLock('k', holder('dead-run'));
        const stolen = await Promise.all([
          one.stealLock('k', 'dead-run', holder('r1')),
          two.stealLock('k', 'dead-run', holder('r2')),
        ]);
        expect(stolen.filter(Boolean)).toHaveLength(1);
      });

      it('releases a lock only for its holder, and all locks of a run', async () => {
        const store = await open();
        await store.tryAcquireLock('a', holder('r1'));
        await store.tryAcquireLock('b', holder('r1'));
        await store.tryAcquireLock('c', holder('r2'));
        await store.releaseLock('a', 'r2');
        expect((await store.listLocks()).map((lock) => lock.key)).toEqual(['a', 'b', 'c']);
        await store.releaseLock('a', 'r1');
        expect((await store.listLocks()).map((lock) => lock.key)).toEqual(['b', 'c']);
        await store.releaseLocksOfRun('r1');
        expect((await store.listLocks()).map((lock) => lock.key)).toEqual(['c']);
        expect(await store.tryAcquireLock('a', holder('r3'))).toEqual({ acquired: true });
      });

      it('heartbeats the run and every lock it holds', async () => {
        const store = await open();
        const run = await store.createRun({ selection: 'a', plan: null });
        const other = await store.createRun({ selection: 'b', plan: null });
        await store.tryAcquireLock('a', holder(run.id));
        await store.tryAcquireLock('b', holder(run.id));
        await store.tryAcquireLock('c', holder(other.id));
        await store.heartbeat(run.id, at(30));
        expect((await store.getRun(run.id))?.heartbeatAt).toBe(at(30));
        expect((await store.getRun(other.id))?.heartbeatAt).toBeNull();
        expect(
          (await store.listLocks()).map((lock) => [lock.key, lock.heartbeatAt, lock.acquiredAt]),
        ).toEqual([
          ['a', at(30), at(0)],
          ['b', at(30), at(0)],
          ['c', at(0), at(0)],
        ]);
      });
    });

    describe('checkpoints', () => {
      it('stores, overwrites and removes JSON values', async () => {
        const store = await open();
        expect(await store.getCheckpoint('orders.watermark')).toBeUndefined();
        const value = { lastId: 41, at: at(1), shards: [{ id: 'shard-0', seq: '4960' }], note: 'ü "q"\n' };
        await store.setCheckpoint('orders.watermark', value);
        expect(await store.getCheckpoint('orders.watermark')).toEqual(value);
        await store.setCheckpoint('orders.watermark', { lastId: 42 });
        expect(await store.getCheckpoint<{ lastId: number }>('orders.watermark')).toEqual({ lastId: 42 });
        for (const scalar of [0, false, null, '', 'text', [1, [2]]]) {
          await store.setCheckpoint('scalar', scalar);
          expect(await store.getCheckpoint('scalar')).toEqual(scalar);
        }
        await store.setCheckpoint('orders.watermark', undefined);
        expect(await store.getCheckpoint('orders.watermark')).toBeUndefined();
      });
    });

    describe('schedules, leases, alerts and backfills', () => {
      const tick = (key: string, extra: Record<string, unknown> = {}) => ({
        name: 'nightly',
        kind: 'schedule' as const,
        tickKey: key,
        scheduledTime: key,
        status: 'claimed' as const,
        runId: `run-${key}`,
        request: { selection: 'a+', partitions: { keys: ['2024-01-14'] }, tags: { schedule: 'nightly' } },
        ...extra,
      });

      it('claims a tick once, even when many claim it at the same moment', async () => {
        const config = backend.freshConfig();
        const [first, second] = [await open(config), await open(config)];
        const claims = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? first : second).claimTick(tick(at(0), { runId: `run-${i}` })),
          ),
        );
        expect(claims.filter((c) => c.claimed)).toHaveLength(1);
        const winner = claims.find((c) => c.claimed)!.tick.runId;
        for (const claim of claims) expect(claim.tick.runId).toBe(winner);
        const stored = await first.getTick('nightly', at(0));
        expect(stored).toMatchObject({
          name: 'nightly',
          kind: 'schedule',
          scheduledTime: at(0),
          status: 'claimed',
          runId: winner,
          parentRunId: null,
          attempt: 0,
          runStatus: null,
          request: { selection: 'a+', partitions: { keys: ['2024-01-14'] }, tags: { schedule: 'nightly' } },
          cursor: null,
          message: null,
        });
      });

      it('updates ticks with compare-and-swap and lists them newest first', async () => {
        const store = await open();
        await store.claimTick(tick(at(0)));
        await store.claimTick(tick(at(1)));
        await store.claimTick({
          ...tick('eval'),
          kind: 'sensor',
          scheduledTime: at(2),
          status: 'skipped',
          cursor: '{"t":1}',
        });
        expect(
          await store.updateTick(
            'nightly',
            at(0),
            { status: 'launched' },
            { status: ['claimed'], runId: 'other' },
          ),
        ).toBe(false);
        expect(
          await store.updateTick(
            'nightly',
            at(0),
            { status: 'launched' },
            { status: ['claimed'], runId: `run-${at(0)}` },
          ),
        ).toBe(true);
        expect(
          await store.updateTick('nightly', at(0), { status: 'launched' }, { status: ['claimed'] }),
        ).toBe(false);
        expect((await store.listTicks()).map((t) => t.tickKey)).toEqual(['eval', at(1), at(0)]);
        expect((await store.listTicks({ kinds: ['schedule'], limit: 1 })).map((t) => t.tickKey)).toEqual([
          at(1),
        ]);
        expect((await store.listTicks({ status: ['claimed'] })).map((t) => t.tickKey)).toEqual([at(1)]);
        expect((await store.listTicks({ unsettled: true })).map((t) => t.tickKey)).toEqual([at(0)]);
        await store.updateTick('nightly', at(0), {
          runStatus: 'failed',
          attempt: 1,
          parentRunId: 'p',
          message: 'boom',
        });
        expect(await store.listTicks({ unsettled: true })).toEqual([]);
        expect(await store.getTick('nightly', at(0))).toMatchObject({
          runStatus: 'failed',
          attempt: 1,
          parentRunId: 'p',
          message: 'boom',
        });
        expect((await store.getTick('nightly', 'eval'))?.cursor).toBe('{"t":1}');
        expect(await store.listTicks({ name: 'other' })).toEqual([]);
      });

      it('leases: one holder at a time; renewal, expiry, compare-and-swap takeover and release', async () => {
        const store = await open();
        const lease = (holder: string, minute: number) => ({
          name: 'daemon',
          holder,
          pid: 4242,
          hostname: 'worker-1',
          acquiredAt: at(minute),
          heartbeatAt: at(minute),
          expiresAt: at(minute + 1),
        });
        expect(await store.acquireLease(lease('a', 0), at(0))).toEqual({ acquired: true });
        expect(await store.acquireLease(lease('b', 0), at(0))).toEqual({
          acquired: false,
          holder: lease('a', 0),
        });
        expect(
          await store.acquireLease({ ...lease('a', 0), heartbeatAt: at(1), expiresAt: at(2) }, at(1)),
        ).toEqual({
          acquired: true,
        });
        expect(await store.getLease('daemon')).toEqual({
          ...lease('a', 0),
          heartbeatAt: at(1),
          expiresAt: at(2),
        });
        expect((await store.acquireLease(lease('b', 1), at(1))).acquired).toBe(false);
        expect(await store.acquireLease(lease('b', 3), at(3))).toEqual({ acquired: true });
        expect((await store.getLease('daemon'))?.holder).toBe('b');
        expect(await store.stealLease('a', lease('c', 3))).toBe(false);
        expect(await store.stealLease('b', lease('c', 3))).toBe(true);
        await store.releaseLease('daemon', 'b');
        expect((await store.getLease('daemon'))?.holder).toBe('c');
        await store.releaseLease('daemon', 'c');
        expect(await store.getLease('daemon')).toBeUndefined();
      });

      it('records an alert once per dedupe key', async () => {
        const store = await open();
        const sent = {
          dedupeKey: 'freshness_breach:a:t1',
          kind: 'freshness_breach',
          sentAt: at(0),
          alert: { title: 'x' },
        };
        expect(await store.recordAlertSent(sent)).toBe(true);
        expect(await store.recordAlertSent({ ...sent, sentAt: at(1) })).toBe(false);
        await store.recordAlertSent({
          ...sent,
          dedupeKey: 'run_failure:r',
          kind: 'run_failure',
          sentAt: at(2),
        });
        expect((await store.listAlertsSent()).map((a) => a.dedupeKey)).toEqual([
          'run_failure:r',
          'freshness_breach:a:t1',
        ]);
        expect(await store.listAlertsSent({ kind: 'freshness_breach' })).toEqual([sent]);
        await store.forgetAlertSent(sent.dedupeKey);
        expect(await store.recordAlertSent(sent)).toBe(true);
      });

      it('keeps backfills with the status of each partition', async () => {
        const store = await open();
        const keys = Array.from({ length: 600 }, (_, i) => `p${String(i).padStart(3, '0')}`);
        const backfill = await store.createBackfill(
          { selection: 'a+', from: 'p000', to: 'p599', parallel: 4 },
          keys,
        );
        expect(backfill).toMatchObject({ status: 'running', parallel: 4, pid: null, finishedAt: null });
        expect(await store.getBackfill(backfill.id)).toEqual(backfill);
        const partitions = await store.listBackfillPartitions(backfill.id);
        expect(partitions).toHaveLength(600);
        expect(partitions.every((p) => p.status === 'pending')).toBe(true);
        expect(partitions[0].partitionKey).toBe('p000');
        await store.updateBackfillPartitions(backfill.id, [
          { partitionKey: 'p000', status: 'success', runId: 'r1' },
          { partitionKey: 'p001', status: 'failed', runId: 'r1', message: 'boom' },
        ]);
        const [p0, p1] = await store.listBackfillPartitions(backfill.id);
        expect(p0).toMatchObject({ status: 'success', runId: 'r1', message: null });
        expect(p1).toMatchObject({ status: 'failed', message: 'boom' });
        await store.updateBackfill(backfill.id, {
          status: 'interrupted',
          pid: 7,
          hostname: 'h',
          heartbeatAt: at(5),
        });
        expect(await store.getBackfill(backfill.id)).toMatchObject({
          status: 'interrupted',
          pid: 7,
          heartbeatAt: at(5),
        });
        expect((await store.listBackfills({ status: ['interrupted'] })).map((b) => b.id)).toEqual([
          backfill.id,
        ]);
        expect(await store.listBackfills({ status: ['success'] })).toEqual([]);
        await expect(store.updateBackfill('nope', { status: 'failed' })).rejects.toThrow(
          /SF_UNKNOWN_BACKFILL|no backfill/,
        );
      });
    });
  });
}

describe('sqlite only', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shopflow-instance-sqlite-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates parent folders and uses WAL mode', async () => {
    const path = join(dir, 'deep', 'er', 'instance.db');
    const store = await openInstanceStore({ type: 'sqlite', path });
    await store.createRun({ selection: 'a', plan: null });
    await store.close();
    const database = new SqliteDatabase(path, { readonly: true });
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    database.close();
    // NOTE: 2 is MEMORY: no temporary file is created for a sort or a statement journal.
    const opened = openSqliteDatabase(path);
    expect(opened.pragma('temp_store', { simple: true })).toBe(2);
    opened.close();
  });

  it('opens private in-memory stores', async () => {
    const one = await openInstanceStore({ type: 'sqlite', path: ':memory:' });
    const two = await openInstanceStore({ type: 'sqlite', path: ':memory:' });
    await one.createRun({ id: 'only-in-one', selection: 'a', plan: null });
    expect(await two.getRun('only-in-one')).toBeUndefined();
    await Promise.all([one.close(), two.close()]);
  });

  it('keeps the file open until the last store of it closes', async () => {
    const path = join(dir, 'shared.db');
    const one = await openInstanceStore({ type: 'sqlite', path });
    const two = await openInstanceStore({ type: 'sqlite', path });
    await one.close();
    await one.close();
    expect(await two.createRun({ selection: 'a', plan: null })).toMatchObject({ selection: 'a' });
    await two.close();
  });

  it('explains a file that cannot be opened', async () => {
    const notADatabase = join(dir, 'not-a-database.db');
    writeFileSync(
      notADatabase,
      'this is not SQLite, just text that is long enough to have a header'.repeat(10),
    );
    await expect(openInstanceStore({ type: 'sqlite', path: notADatabase })).rejects.toMatchObject({
      code: 'SF_INSTANCE_STORE',
      message: expect.stringContaining(notADatabase),
    });
    const fileAsFolder = join(notADatabase, 'instance.db');
    await expect(openInstanceStore({ type: 'sqlite', path: fileAsFolder })).rejects.toMatchObject({
      code: 'SF_INSTANCE_STORE',
    });
    expect(existsSync(fileAsFolder)).toBe(false);
  });
});

describe('postgres only', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(() => server.stop());

  async function rejection(promise: Promise<unknown>): Promise<Error> {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected the promise to reject');
  }

  async function freePort(): Promise<number> {
    return await new Promise((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
  }

  it('keeps the store in its own schema, so stores in two schemas are independent', async () => {
    const one = await openInstanceStore({ type: 'postgres', url: server.url });
    const two = await openInstanceStore({ type: 'postgres', url: server.url, schema: 'second_store' });
    try {
      await one.createRun({ id: 'in-default', selection: 'a', plan: null });
      expect(await two.getRun('in-default')).toBeUndefined();
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query(
        `select table_schema, count(*)::int as tables from information_schema.tables
         where table_name in ('runs', 'events', 'asset_partitions', 'locks') group by table_schema order by 1`,
      );
      await client.end();
      expect(rows).toEqual([
        { table_schema: 'second_store', tables: 4 },
        { table_schema: 'shopflow_instance', tables: 4 },
      ]);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('reports an unreachable server with host and port but never the password', async () => {
    const port = await freePort();
    const error = await rejection(
      openInstanceStore({ type: 'postgres', url: `postgres://app:hunter2secret@127.0.0.1:${port}/shop` }),
    );
    expect(error).toMatchObject({ code: 'SF_UNREACHABLE' });
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toMatch(/start the PostgreSQL server/);
    expect(error.message).not.toContain('hunter2secret');
  });

  it('reports a wrong password as unreachable with the fix', async () => {
    const url = new URL(server.url);
    url.password = 'wrong-password';
    const error = await rejection(openInstanceStore({ type: 'postgres', url: url.toString() }));
    expect(error).toMatchObject({ code: 'SF_UNREACHABLE' });
    expect(error.message).toContain(`${url.hostname}:${url.port}`);
    expect(error.message).toMatch(/user and password/);
    expect(error.message).not.toContain('wrong-password');
  });

  it('rejects a malformed URL and a schema that is not a plain identifier', async () => {
    await expect(openInstanceStore({ type: 'postgres', url: 'not a url' })).rejects.toMatchObject({
      code: 'SF_CONFIG_INVALID',
    });
    await expect(
      openInstanceStore({ type: 'postgres', url: server.url, schema: 'bad"; drop schema public' }),
    ).rejects.toMatchObject({ code: 'SF_CONFIG_INVALID' });
  });
});
