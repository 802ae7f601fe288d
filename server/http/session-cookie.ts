import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'shopflow_session';

/**
 * The session id from the request's `Cookie` header, if any.
 *
 * @example
 * readSessionCookie(request) // 'q2X…' or undefined
 */
export function readSessionCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/**
 * Sets (or, with `null`, clears) the session cookie: HttpOnly (scripts cannot read it),
 * SameSite=Strict (no other site's page can send it), Path=/, and Secure when the request came
 * over TLS.
 *
 * @example
 * writeSessionCookie(request, reply, sessionId, 43_200);
 */
export function writeSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  value: string | null,
  maxAgeSeconds: number,
): void {
  const attributes = [
    `${SESSION_COOKIE}=${value ?? ''}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${value === null ? 0 : maxAgeSeconds}`,
  ];
  if (request.protocol === 'https') attributes.push('Secure');
  reply.header('set-cookie', attributes.join('; '));
}
