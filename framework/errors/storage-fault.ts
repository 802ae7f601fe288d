import { isShopflowError, ShopflowError } from './error-catalog.js';

const DISK_FULL =
  /no space left on device|\bENOSPC\b|database or disk is full|disk quota exceeded|could not extend file/i;
const STORE_BUSY = /database is locked|database table is locked|\bSQLITE_BUSY\b/i;

/** The errors of `error`'s cause chain, outermost first. */
function chain(error: unknown): unknown[] {
  const out: unknown[] = [];
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    out.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return out;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Which storage fault an error (or one of its causes) is, if any. */
export function storageFaultKind(error: unknown): 'disk_full' | 'store_busy' | undefined {
  for (const e of chain(error)) {
    if (isShopflowError(e, 'SF_DISK_FULL')) return 'disk_full';
    if (isShopflowError(e, 'SF_INSTANCE_STORE_BUSY')) return 'store_busy';
    const code = codeOf(e);
    // NOTE: 53100 is PostgreSQL's disk_full; SQLITE_FULL and ENOSPC come from SQLite and Node.
    if (code === 'ENOSPC' || code === 'SQLITE_FULL' || code === 'EDQUOT' || code === '53100')
      return 'disk_full';
    if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED')) return 'store_busy';
    const message = messageOf(e);
    if (DISK_FULL.test(message)) return 'disk_full';
    if (STORE_BUSY.test(message)) return 'store_busy';
  }
  return undefined;
}

/**
 * The `SF_DISK_FULL` or `SF_INSTANCE_STORE_BUSY` error an error really is — recognised anywhere in
 * its cause chain (SQLite's `SQLITE_FULL`/`SQLITE_BUSY`, Node's `ENOSPC`, DuckDB's and
 * PostgreSQL's disk-full errors) — or undefined. The outermost message (which names the asset,
 * partition or file) is kept, the original error is the cause.
 *
 * @example
 * catch (error) { throw storageFault(error) ?? error; }
 */
export function storageFault(
  error: unknown,
  options: { busyDetail?: string } = {},
): ShopflowError | undefined {
  const kind = storageFaultKind(error);
  if (kind === undefined) return undefined;
  const found = chain(error).find(
    (e) => isShopflowError(e, 'SF_DISK_FULL') || isShopflowError(e, 'SF_INSTANCE_STORE_BUSY'),
  );
  if (found) return found as ShopflowError;
  const message = messageOf(error);
  if (kind === 'disk_full') {
    return new ShopflowError('SF_DISK_FULL', `no space left on the disk: ${message}`, {
      hint: 'free space on the disk of the home, lake or landing zone (`df -h`), then `shopflow runs retry RUN_ID`; what was written before stays as it was',
      cause: error,
    });
  }
  return new ShopflowError(
    'SF_INSTANCE_STORE_BUSY',
    `the instance store is locked by another process${options.busyDetail ? ` (${options.busyDetail})` : ''}: ${message}`,
    {
      hint: 'wait for that process to finish, or stop it, then retry; `shopflow runs` lists the runs in progress',
      cause: error,
    },
  );
}
