import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { ShopflowError } from '../../framework/errors/error-catalog.js';
import { describePostgresError } from './postgres-error.js';
import { sqlDirectory } from './sql-directory.js';
import { withTransaction } from './with-transaction.js';

// NOTE: one fixed advisory-lock id for "schema changes", so two processes applying the DDL at once
// take turns instead of racing on `create … if not exists` (which is not safe concurrently).
const DDL_LOCK_ID = 7_305_212_001;

/** The files applied, in order. */
export interface AppliedDdl {
  files: string[];
}

/**
 * Applies every `NNN_*.sql` file of `dir` in file-name order, in one transaction holding an
 * advisory lock. The files are idempotent, so re-running is a no-op; a failing file rolls back all
 * of them and raises `SF_IO` naming the file and line.
 *
 * @example
 * await applyDdl(postgres.pool); // sql/ddl of the package
 */
export async function applyDdl(pool: pg.Pool, dir: string = sqlDirectory('ddl')): Promise<AppliedDdl> {
  const files = readdirSync(dir)
    .filter((name) => /^\d+_.*\.sql$/.test(name))
    .sort();
  if (files.length === 0) {
    throw new ShopflowError('SF_IO', `no DDL files (NNN_name.sql) in \`${dir}\``, {
      hint: 'point applyDdl at the sql/ddl folder of the package',
    });
  }
  await withTransaction(pool, async (client) => {
    await client.query('select pg_advisory_xact_lock($1)', [DDL_LOCK_ID]);
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      try {
        await client.query(text);
      } catch (error) {
        const position = Number((error as { position?: string }).position);
        const line = Number.isFinite(position) ? ` line ${text.slice(0, position).split('\n').length}` : '';
        throw new ShopflowError(
          'SF_IO',
          `applying \`${file}\`${line} failed: ${describePostgresError(error)}`,
          {
            hint: 'fix the statement; nothing of this DDL run was applied',
            cause: error,
          },
        );
      }
    }
  });
  return { files };
}
