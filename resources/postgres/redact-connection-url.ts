import { redactUrl } from '../../framework/logging/redact-secrets.js';

/**
 * The connection URL with its password (in the user-info part or a `password=` parameter) replaced
 * by `***`, for logs, errors and displays. A URL that cannot be parsed is reduced to its scheme.
 *
 * @example
 * redactConnectionUrl('postgres://shopflow:s3cret@127.0.0.1:5432/shopflow');
 * // 'postgres://shopflow:***@127.0.0.1:5432/shopflow'
 */
export function redactConnectionUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '';
    return `${scheme}(unparsable connection URL)`;
  }
  // NOTE: a password with an unencoded `/`, `?` or `#` can parse as a host and a path holding the
  // rest of the password and its `@`; the shared redaction hides it up to that `@`.
  if (`${parsed.pathname}${parsed.search}${parsed.hash}`.includes('@')) return redactUrl(url);
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (/pass/i.test(key)) parsed.searchParams.set(key, '***');
  }
  return parsed.toString().replaceAll('%2A%2A%2A', '***');
}

/** `host:port` of a connection URL (port 5432 when absent), for "cannot reach" messages. */
export function connectionTarget(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
    return `${host}:${parsed.port || '5432'}`;
  } catch {
    return '(unparsable connection URL)';
  }
}
