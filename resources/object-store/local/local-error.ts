import { ShopflowError } from '../../../framework/errors/error-catalog.js';

/**
 * Turns a filesystem error from the local store into a `ShopflowError` that names the path and the
 * fix. `ShopflowError`s pass through unchanged.
 *
 * @example
 * try { await rename(tmp, file); } catch (e) { throw toLocalStoreError(e, 'write', file); }
 */
export function toLocalStoreError(error: unknown, operation: string, path: string): ShopflowError {
  if (error instanceof ShopflowError) return error;
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new ShopflowError(
        'SF_IO',
        `permission denied to ${operation} \`${path}\` in the local object store (${code})`,
        {
          cause: error,
          hint: 'make the folder writable by this user, or point the object store `path` somewhere else',
        },
      );
    case 'ENOTDIR':
    case 'EISDIR':
    case 'EEXIST':
      return new ShopflowError(
        'SF_IO',
        `cannot ${operation} \`${path}\`: a file and a folder would share one name (${code})`,
        {
          cause: error,
          hint: 'a local store cannot hold both `a/b` and `a/b/c`; rename one of the keys',
        },
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new ShopflowError('SF_IO', `no space left to ${operation} \`${path}\` (${code})`, {
        cause: error,
        hint: 'free disk space or move the object store `path` to a larger disk; nothing partial was kept',
      });
    default:
      return new ShopflowError(
        'SF_IO',
        `failed to ${operation} \`${path}\` in the local object store: ${(error as Error)?.message ?? String(error)}`,
        {
          cause: error,
        },
      );
  }
}
