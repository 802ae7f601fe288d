import { join, resolve } from 'node:path';
import type pg from 'pg';
import { ShopflowError } from '../../framework/errors/error-catalog.js';
import { ensureEmbeddedPostgres } from './embedded-postgres-server.js';
import { pgDriver } from './pg-driver.js';
import type { PostgresConfig } from './postgres-config.js';
import {
  describePostgresError,
  isConnectionError,
  isLoginError,
  neverReachedServer,
} from './postgres-error.js';
import { connectionTarget, redactConnectionUrl } from './redact-connection-url.js';
import { withTransaction } from './with-transaction.js';

/** Tuning of the connection pool; every field is optional. */
export interface PostgresResourceOptions {
  /** Most connections open at once (default 10). */
  maxConnections?: number;
  /** Give up connecting after this long (default 30 s). */
  connectTimeoutMs?: number;
  /** Close connections idle for this long (default 30 s). */
  idleTimeoutMs?: number;
  /** Shown in `pg_stat_activity` (default `shopflow`). */
  applicationName?: string;
  /** The ShopFlow home folder; an embedded server without `dir` lives in `<home>/postgres` (default `.shopflow`). */
  home?: string;
  /** Per-connection memory for temporary (staging) tables, e.g. `128MB` (the default). */
  tempBuffers?: string;
  /** Check with `select 1` before returning, so a bad server fails here (default true). */
  verify?: boolean;
  /**
   * Called when an idle pooled connection fails (server restart, network cut); the pool drops the
   * connection and opens a new one on next use. Default: a process warning.
   */
  onIdleError?: (error: Error) => void;
}

/** A PostgreSQL connection pool handed to assets. */
export interface PostgresResource {
  /**
   * The underlying `pg` pool (COPY, Kysely, anything that needs a raw client). Read it for each use:
   * after an embedded server came back on another port it is a new pool.
   */
  readonly pool: pg.Pool;
  /** The connection URL with the password replaced by `***` — safe to log and display. */
  readonly url: string;
  /** One statement on any pooled connection; `values` bind `$1, $2, …`. */
  query<R extends pg.QueryResultRow = Record<string, any>>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  /** Runs `fn` in one transaction on one connection; rolls back when it throws. */
  withTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Closes every connection (an embedded server keeps running for the next process). */
  close(): Promise<void>;
}

// NOTE: DATE values come back as 'YYYY-MM-DD' strings: pg's default turns them into a Date at local
// midnight, which shifts the day for anyone east or west of UTC.
const DATE_OID = 1082;
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === DATE_OID && format !== 'binary'
      ? (value: string) => value
      : pgDriver().types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * Opens a pool on the configured PostgreSQL. In `embedded` mode the server in `dir` is started on
 * first use and reused afterwards (it outlives the process); in `url` mode the server must exist.
 * An unreachable server raises `SF_UNREACHABLE` naming `host:port` (never the password) and the fix.
 * An embedded server that stops while the resource is open (`shopflow db stop`, then any command
 * starting it again on another port) is found again: after a connection error the resource re-reads
 * the server's address, starts it if it is down, and moves to it; a statement that never reached a
 * server is sent again, so long-running processes (`serve`, the daemon) need no restart.
 * DATE columns are returned as `'YYYY-MM-DD'` strings; numeric and bigint as strings (pg defaults).
 *
 * @example
 * const postgres = await createPostgresResource({ mode: 'embedded', dir: join(home, 'postgres') });
 * const { rows } = await postgres.query('select count(*) from shopflow.customers');
 * await postgres.close();
 */
export async function createPostgresResource(
  config: PostgresConfig,
  options: PostgresResourceOptions = {},
): Promise<PostgresResource> {
  const tempBuffers = options.tempBuffers ?? '128MB';
  if (!/^\d+(kB|MB|GB)?$/.test(tempBuffers)) {
    throw new ShopflowError(
      'SF_CONFIG_INVALID',
      `tempBuffers \`${tempBuffers}\` is not a PostgreSQL memory size`,
      {
        hint: 'write a number with kB, MB or GB, e.g. 128MB',
      },
    );
  }
  const onIdleError = (url: string) =>
    options.onIdleError ??
    ((error: Error) =>
      process.emitWarning(`idle PostgreSQL connection to ${connectionTarget(url)} failed: ${error.message}`));
  const openPool = (url: string): pg.Pool => {
    const pool = new (pgDriver().Pool)({
      connectionString: url,
      max: options.maxConnections ?? 10,
      // NOTE: generous, because a busy machine (a whole-graph run on two cores) can keep a local
      // server from accepting a new session for seconds; a server that is really gone fails at once.
      connectionTimeoutMillis: options.connectTimeoutMs ?? 30_000,
      idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
      application_name: options.applicationName ?? 'shopflow',
      // NOTE: room for a load's staging table in memory (allocated only when used); it can only be
      // set before a session first touches a temporary table, hence at connection start.
      options: `-c temp_buffers=${tempBuffers}`,
      types,
    });
    pool.on('error', onIdleError(url));
    return pool;
  };
  let current = { url: await resolveUrl(config, options.home), pool: undefined as unknown as pg.Pool };
  current.pool = openPool(current.url);

  let reconnecting: Promise<boolean> | undefined;
  /**
   * After a connection error on an embedded server: reads its address again (it comes back on
   * another port after a restart) and starts it when it is down, as a new CLI process would; when
   * the address changed, later queries go to a new pool. Returns whether it moved.
   */
  const reconnect = (): Promise<boolean> => {
    if (config.mode !== 'embedded') return Promise.resolve(false);
    reconnecting ??= (async () => {
      const url = await resolveUrl(config, options.home);
      if (closed || url === current.url) return false;
      const old = current.pool;
      current = { url, pool: openPool(url) };
      void old.end().catch(() => {});
      return true;
    })().finally(() => {
      reconnecting = undefined;
    });
    return reconnecting;
  };
  /**
   * Runs `operation`; after a connection error on an embedded server, reconnects, and runs it once
   * more if it never reached a server. A statement cut off mid-way may have run, so its error is
   * reported instead and the next statement goes to the new address.
   */
  const withReconnect = async <T>(operation: (pool: pg.Pool) => Promise<T>): Promise<T> => {
    const url = current.url;
    try {
      return await operation(current.pool);
    } catch (error) {
      if (closed || config.mode !== 'embedded' || !isConnectionError(error)) throw translate(error, url);
      await reconnect();
      if (!neverReachedServer(error)) throw translate(error, url);
      try {
        return await operation(current.pool);
      } catch (again) {
        throw translate(again, current.url);
      }
    }
  };

  const translate = (error: unknown, url: string): unknown =>
    translateError(error, config, url, options.home);
  let closed = false;
  const resource: PostgresResource = {
    get pool() {
      return current.pool;
    },
    get url() {
      return redactConnectionUrl(current.url);
    },
    async query(text, values) {
      return await withReconnect((pool) => pool.query(text, values as unknown[] | undefined));
    },
    async withTransaction(fn) {
      return await withReconnect((pool) => withTransaction(pool, fn));
    },
    async close() {
      if (closed) return;
      closed = true;
      await reconnecting?.catch(() => false);
      await current.pool.end();
    },
  };
  if (options.verify ?? true) {
    try {
      await resource.query('select 1');
    } catch (error) {
      await resource.close();
      throw error;
    }
  }
  return resource;
}

function embeddedDir(config: { dir?: string }, home = '.shopflow'): string {
  return resolve(config.dir ?? join(home, 'postgres'));
}

async function resolveUrl(config: PostgresConfig, home: string | undefined): Promise<string> {
  if (config.mode === 'url') return config.url;
  const dir = embeddedDir(config, home);
  try {
    return (await ensureEmbeddedPostgres(dir)).url;
  } catch (error) {
    throw new ShopflowError(
      'SF_UNREACHABLE',
      `cannot start the embedded PostgreSQL in \`${dir}\`: ${(error as Error).message}`,
      {
        hint: 'check that the folder is writable and its server.log; or set the postgres mode to `url` with a running server',
        cause: error,
      },
    );
  }
}

function translateError(
  error: unknown,
  config: PostgresConfig,
  url: string,
  home: string | undefined,
): unknown {
  const target = connectionTarget(url);
  if (isConnectionError(error)) {
    const hint =
      config.mode === 'url'
        ? `start the server or fix \`resources.postgres.url\` (config/prod.yaml takes it from DATABASE_URL; shown redacted: ${redactConnectionUrl(url)})`
        : `the embedded server in \`${embeddedDir(config, home)}\` stopped or did not answer in time; run the command again (it restarts a stopped server)`;
    return new ShopflowError(
      'SF_UNREACHABLE',
      `cannot reach PostgreSQL at ${target}: ${describePostgresError(error)}`,
      {
        hint,
        cause: error,
      },
    );
  }
  if (isLoginError(error)) {
    return new ShopflowError(
      'SF_CONFIG_INVALID',
      `PostgreSQL at ${target} refused the login: ${(error as Error).message}`,
      {
        hint: 'fix the user, password or database name in `resources.postgres.url` (config/prod.yaml takes it from DATABASE_URL)',
        cause: error,
      },
    );
  }
  return error;
}
