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

/** Options of {@link createPostgresPool}. */
export interface PostgresPoolOptions {
  /** The environment variables the URL came from (e.g. `SHOPFLOW_INSTANCE_URL`), named in hints. */
  variables?: readonly string[];
}

/** Where the URL is fixed, for hints: the instance store URL, and the variable it came from. */
function urlSource(variables: readonly string[] | undefined): string {
  return variables?.length
    ? `the instance store URL (from the environment variable${variables.length > 1 ? 's' : ''} ${variables.join(', ')})`
    : 'the instance store URL';
}

// NOTE: a bad URL is quoted with its password redacted, whatever its form (no scheme, unencoded `/`,
// `?`, `#` or `@` in the password).
function endpointOf(url: string, source: string): { endpoint: string; password: string } {
  const hint = `write ${source} as postgres://user:password@host:5432/database; a password with reserved characters must be percent-encoded (e.g. \`#\` as \`%23\`, \`/\` as \`%2F\`)`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // NOTE: no `cause`: the TypeError keeps the whole URL, password included, in its `input`.
    throw new ShopflowError(
      'SF_CONFIG_INVALID',
      `the instance store URL \`${redactUrl(url)}\` is not a URL`,
      {
        hint,
      },
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ShopflowError(
      'SF_CONFIG_INVALID',
      `the instance store URL \`${redactUrl(url)}\` is not a postgres:// URL`,
      { hint },
    );
  }
  // NOTE: an unencoded `/`, `?` or `#` in the password ends the authority early; the URL still parses,
  // with a wrong host and the rest of the password in the path, query or fragment.
  if (`${parsed.pathname}${parsed.search}${parsed.hash}`.includes('@')) {
    throw new ShopflowError(
      'SF_CONFIG_INVALID',
      `the instance store URL \`${redactUrl(url)}\` is not a URL`,
      {
        hint,
      },
    );
  }
  return {
    endpoint: `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`,
    password: decodeURIComponent(parsed.password),
  };
}

function unreachable(endpoint: string, password: string, source: string, error: unknown): ShopflowError {
  const code = (error as { code?: string }).code;
  const reason = redactSecrets(error instanceof Error ? error.message : String(error), [password]);
  const hint =
    code === '28P01' || code === '28000'
      ? `check the user and password in ${source}`
      : code === '3D000'
        ? `create the database or fix its name in ${source}`
        : `start the PostgreSQL server or fix the host and port in ${source}`;
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
 * connect surfaces as `SF_UNREACHABLE` naming `host:port` (never the password) and the fix, which
 * names the environment variables the URL came from, when given.
 *
 * @example
 * const { pool } = createPostgresPool('postgres://app:secret@db:5432/shop');
 * const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
 */
export function createPostgresPool(url: string, options: PostgresPoolOptions = {}): InstancePostgresPool {
  const source = urlSource(options.variables);
  const { endpoint, password } = endpointOf(url, source);
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
          throw unreachable(endpoint, password, source, error);
        }
      },
      end: () => pool.end(),
    },
  };
}
