import type { PostgresPool } from 'kysely';
import type pg from 'pg';
import { ShopflowError } from '../../errors/error-catalog.js';
import { redactSecrets, redactUrl } from '../../logging/redact-secrets.js';
import { pgDriver } from './pg-driver.js';

/** How long opening a connection may take before the server counts as unreachable. */
const CONNECT_TIMEOUT_MS = 10_000;

// NOTE: int8 (bigserial ids, row counts) is parsed to a number for this pool only; the global
// parser, which other PostgreSQL users in the process rely on, stays untouched.
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pgDriver().types.builtins.INT8 && format !== 'binary'
      ? (value: string) => Number(value)
      : pgDriver().types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** A PostgreSQL pool for Kysely, and the `host:port` it connects to (for messages). */
export interface InstancePostgresPool {
  pool: PostgresPool;
  endpoint: string;
}

function endpointOf(url: string): { endpoint: string; password: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ShopflowError(
      'SF_CONFIG_INVALID',
      `the instance store URL \`${redactUrl(url)}\` is not a URL`,
      {
        hint: 'write it as postgres://user:password@host:5432/database',
        cause: error,
      },
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ShopflowError(
      'SF_CONFIG_INVALID',
      `the instance store URL \`${redactUrl(url)}\` is not a postgres:// URL`,
      {
        hint: 'write it as postgres://user:password@host:5432/database',
      },
    );
  }
  return {
    endpoint: `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`,
    password: decodeURIComponent(parsed.password),
  };
}

function unreachable(endpoint: string, password: string, error: unknown): ShopflowError {
  const code = (error as { code?: string }).code;
  const reason = redactSecrets(error instanceof Error ? error.message : String(error), [password]);
  const hint =
    code === '28P01' || code === '28000'
      ? 'check the user and password in the instance store URL'
      : code === '3D000'
        ? 'create the database or fix its name in the instance store URL'
        : 'start the PostgreSQL server or fix the host and port in the instance store URL';
  return new ShopflowError(
    'SF_UNREACHABLE',
    `cannot connect to the PostgreSQL instance store at ${endpoint}: ${reason}`,
    {
      hint,
      cause: error,
      details: { endpoint },
    },
  );
}

/**
 * Creates the connection pool of a PostgreSQL instance store. Connecting is lazy; any failure to
 * connect surfaces as `SF_UNREACHABLE` naming `host:port` (never the password) and the fix.
 *
 * @example
 * const { pool } = createPostgresPool('postgres://app:secret@db:5432/shop');
 * const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
 */
export function createPostgresPool(url: string): InstancePostgresPool {
  const { endpoint, password } = endpointOf(url);
  const pool = new (pgDriver().Pool)({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    types,
  });
  // NOTE: an idle client whose server went away emits `error` on the pool; unhandled, it would end
  // the process. The next query reports the failure instead.
  pool.on('error', () => {});
  return {
    endpoint,
    pool: {
      async connect() {
        try {
          return await pool.connect();
        } catch (error) {
          throw unreachable(endpoint, password, error);
        }
      },
      end: () => pool.end(),
    },
  };
}
