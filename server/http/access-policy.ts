import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.js';
import { isLoopbackHost } from './loopback-host.js';
import { tokenMatches } from './token-matches.js';

export interface AccessOptions {
  /** Bearer token required to launch runs; without one the server only answers loopback `Host`s. */
  token?: string;
  readOnly?: boolean;
}

function normalizedHost(host: string): string | null {
  try {
    return new URL(`http://${host}`).host;
  } catch {
    return null;
  }
}

/**
 * Who may do what:
 * - every request: without a token the server answers only `Host: localhost|127.x|[::1]`, so a page
 *   on another site cannot reach it through DNS rebinding;
 * - every POST: `Content-Type: application/json`, and an `Origin`, when sent, must be this server;
 * - launching runs: refused on a read-only server, and needs `Authorization: Bearer <token>` when
 *   the server has a token.
 *
 * @example
 * const access = accessPolicy({ token, readOnly: false });
 * app.addHook('onRequest', access.checkRequest);
 * app.post('/api/runs', { preHandler: access.requireLaunchRights }, handler);
 */
export function accessPolicy(options: AccessOptions) {
  const token = options.token || undefined;

  async function checkRequest(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const host = request.headers.host ?? '';
    if (!token && !isLoopbackHost(host)) {
      throw new ApiError(
        403,
        'SF_FORBIDDEN',
        `this server has no token and only answers requests for localhost, not for host \`${host}\`; open it as http://localhost:PORT/ or start it with SHOPFLOW_UI_TOKEN set`,
      );
    }
    if (request.method !== 'POST') return;
    const contentType = String(request.headers['content-type'] ?? '');
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      throw new ApiError(
        415,
        'SF_UNSUPPORTED_MEDIA_TYPE',
        `POST ${request.url} needs \`Content-Type: application/json\`, not \`${contentType || 'none'}\``,
      );
    }
    const origin = request.headers.origin;
    if (origin !== undefined) {
      let originHost: string | null = null;
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = null;
      }
      if (originHost === null || originHost !== normalizedHost(host)) {
        throw new ApiError(
          403,
          'SF_FORBIDDEN',
          `cross-origin request from \`${origin}\` refused; use the page served by this server`,
        );
      }
    }
  }

  async function requireLaunchRights(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    if (options.readOnly) {
      throw new ApiError(403, 'SF_FORBIDDEN', 'the server runs with --read-only; launching runs is disabled');
    }
    if (!token) return;
    const header = request.headers.authorization;
    if (!header) {
      throw new ApiError(
        401,
        'SF_UNAUTHORIZED',
        "launching a run needs `Authorization: Bearer <token>` (the server's SHOPFLOW_UI_TOKEN)",
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !tokenMatches(token, match[1])) {
      throw new ApiError(
        401,
        'SF_UNAUTHORIZED',
        "the bearer token does not match the server's SHOPFLOW_UI_TOKEN",
      );
    }
  }

  return { checkRequest, requireLaunchRights };
}
