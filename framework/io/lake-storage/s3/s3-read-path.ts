import type { DuckDbSession } from '../../../duckdb/duckdb-session.js';
import { quoteLiteral } from '../../../duckdb/sql-template.js';
import { ShopflowError } from '../../../errors/error-catalog.js';

/** How the S3 lake is read: DuckDB opens `s3://` URLs itself (httpfs), or local copies from the read cache. */
export type LakeReadPath = 'direct' | 'cache';

/**
 * Picks the read path: `cache` and `direct` as configured (`direct` needs httpfs), `auto` direct
 * exactly when httpfs is available. Both give the same bytes, hence the same data versions.
 *
 * @example
 * chooseReadPath('auto', await loadHttpfs(session)); // 'cache' on a machine without httpfs
 */
export function chooseReadPath(configured: 'auto' | 'cache' | 'direct', httpfs: boolean): LakeReadPath {
  if (configured === 'cache') return 'cache';
  if (configured === 'direct' && !httpfs) {
    throw new ShopflowError(
      'SF_CONFIG_INVALID',
      "config field `lake.read` is `direct`, but DuckDB's httpfs extension is not installed here",
      {
        hint: 'install it where the image is built (`INSTALL httpfs`), or set `lake.read: auto` to read through the local cache',
      },
    );
  }
  return httpfs ? 'direct' : 'cache';
}

/**
 * Whether DuckDB's httpfs extension is installed on this machine, loading it if so. It never
 * installs anything (that would download from outside the npm registry).
 */
export async function loadHttpfs(session: DuckDbSession): Promise<boolean> {
  const [row] = await session.query(
    "SELECT installed, loaded FROM duckdb_extensions() WHERE extension_name = 'httpfs'",
  );
  if (!row?.installed) return false;
  if (row.loaded) return true;
  try {
    await session.run('LOAD httpfs');
    return true;
  } catch {
    return false;
  }
}

/** What DuckDB needs to read the lake's bucket directly. */
export interface DirectReadSettings {
  bucket: string;
  prefix: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

const SECRET_NAME = 'shopflow_lake';

/**
 * Creates (or replaces) the DuckDB secret scoped to the lake's prefix from credentials the AWS SDK
 * resolved. The statement goes straight to the connection, never through the statement trace, so
 * the credentials never reach a log.
 */
export async function installDirectReadSecret(
  session: DuckDbSession,
  settings: DirectReadSettings,
): Promise<void> {
  const options: string[] = [
    'TYPE s3',
    `KEY_ID ${quoteLiteral(settings.credentials.accessKeyId)}`,
    `SECRET ${quoteLiteral(settings.credentials.secretAccessKey)}`,
    `REGION ${quoteLiteral(settings.region)}`,
    `SCOPE ${quoteLiteral(`s3://${settings.bucket}/${settings.prefix}`)}`,
  ];
  if (settings.credentials.sessionToken) {
    options.push(`SESSION_TOKEN ${quoteLiteral(settings.credentials.sessionToken)}`);
  }
  if (settings.endpoint) {
    const url = new URL(settings.endpoint);
    options.push(`ENDPOINT ${quoteLiteral(url.host)}`, `USE_SSL ${url.protocol === 'https:'}`);
  }
  if (settings.forcePathStyle) options.push("URL_STYLE 'path'");
  await (await session.connection()).run(`CREATE OR REPLACE SECRET ${SECRET_NAME} (${options.join(', ')})`);
}

/** Whether this DuckDB database already has the lake's secret. */
export async function hasDirectReadSecret(session: DuckDbSession): Promise<boolean> {
  const rows = await session.query(
    `SELECT 1 AS present FROM duckdb_secrets() WHERE name = ${quoteLiteral(SECRET_NAME)}`,
  );
  return rows.length > 0;
}
