import type { DatabaseError } from 'pg';

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  // PostgreSQL: cannot_connect_now, admin_shutdown, crash_shutdown, connection_exception class.
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

/** Whether `error` means the server could not be reached or the connection broke. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return true;
  return /Connection terminated|timeout expired|connection timeout|Client has encountered a connection error/i.test(
    error.message,
  );
}

/**
 * Whether `error` means a statement never reached a server: the connection was refused or the
 * server was not accepting connections yet, so sending it again cannot run it twice.
 */
export function neverReachedServer(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ECONNREFUSED' || code === '57P03' || code === 'ENOENT';
}

/** Whether `error` is a unique violation (a key or unique index already holds the value). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === '23505';
}

/** Whether `error` is an authentication or missing-database failure (a configuration problem). */
export function isLoginError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === '28P01' || code === '28000' || code === '3D000';
}

/**
 * A one-line description of a PostgreSQL error: the message plus the server's detail and context
 * (for COPY the context names the line and column), e.g.
 * `invalid input syntax for type integer: "abc" (COPY sf_load_stage, line 3, column quantity: "abc")`.
 */
export function describePostgresError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const pgError = error as Partial<DatabaseError>;
  const parts = [error.message];
  if (pgError.detail) parts.push(pgError.detail);
  if (pgError.where) parts.push(pgError.where.split('\n')[0]);
  return parts.length === 1 ? parts[0] : `${parts[0]} (${parts.slice(1).join('; ')})`;
}
