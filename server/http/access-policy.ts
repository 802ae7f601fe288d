import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { tokenMatches } from '../../framework/http/token-matches.js';
import type { AllowedHosts } from './allowed-hosts.js';
import { hostName } from './allowed-hosts.js';
import { ApiError } from './api-error.js';
import { clientAddress } from './client-address.js';
import { FailedAttempts } from './failed-attempts.js';
import { readSessionCookie, writeSessionCookie } from './session-cookie.js';
import { SessionStore } from './session-store.js';

export interface AccessOptions {
  /** The token (`SHOPFLOW_UI_TOKEN`); when set, every API request needs it except the open ones. */
  token?: string;
  readOnly?: boolean;
  /** Reads stay open without the token (a kiosk screen); launching still needs it. */
  publicRead?: boolean;
  allowedHosts: AllowedHosts;
  log: Logger;
  sessions?: SessionStore;
  attempts?: FailedAttempts;
}

/** How a request proved it knows the token, if it did. */
export type Credential = 'bearer' | 'session' | null;

/** API endpoints anyone who reaches the server may call: the health probe and signing in or out. */
const OPEN_ENDPOINTS = new Set([
  'GET /api/health',
  'GET /api/session',
  'POST /api/session',
  'DELETE /api/session',
]);
/** Endpoints that change nothing although they are POSTs. */
const READ_POSTS = new Set(['/api/plan']);

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The host of a request target in absolute form (`http://name:port/path`), or null for a path. */
function absoluteTargetHost(target: string): string | null {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return null;
  try {
    return new URL(target).host;
  } catch {
    return '';
  }
}

/** The API and the Prometheus metrics need the token; the page's static files do not. */
function isGuarded(path: string): boolean {
  return path.startsWith('/api/') || path === '/metrics';
}

/**
 * The paths a request is judged by: the pattern of the route the router matched it to
 * (`/api/runs/:id`; the static files' `/*` for an unknown path) and its path percent-decoded as the
 * router decodes it.
 */
function routesOf(request: FastifyRequest, path: string): { route: string; decoded: string } {
  // NOTE: the router decodes the path before it matches (`/%61pi/runs` is `/api/runs`); deciding
  // on the raw text let such a request reach a guarded route without the token.
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // NOTE: a path that does not decode reaches no route (see `frameworkErrors`).
  }
  return { route: request.routeOptions.url ?? decoded, decoded };
}

function isRead(method: string, path: string): boolean {
  return method === 'GET' || method === 'HEAD' || (method === 'POST' && READ_POSTS.has(path));
}

/**
 * Who may do what:
 * - every request: its `Host` must be an allowed host name (loopback, the listen address,
 *   `--allowed-host`), token or not, so a page on another site cannot reach the server through DNS
 *   rebinding; an `Origin`, when sent, must be this server (same name and port as `Host`);
 * - every POST: `Content-Type: application/json`;
 * - with a token, every `/api/` request and `/metrics` need it — `Authorization: Bearer <token>`, or the session
 *   cookie the page gets by signing in — except the health probe and the sign-in endpoints, and
 *   except reads when `publicRead`; wrong tokens are counted per client address and refused for a
 *   while after 5 in a minute, and logged without the token;
 * - launching runs and every other change (canceling runs, pausing schedules, backfills): refused
 *   on a read-only server.
 *
 * @example
 * const access = accessPolicy({ token, allowedHosts, log });
 * app.addHook('onRequest', access.checkRequest);
 * app.post('/api/runs', { preHandler: access.requireLaunchRights }, handler);
 */
export function accessPolicy(options: AccessOptions) {
  const token = options.token || undefined;
  const sessions = options.sessions ?? new SessionStore();
  const attempts = options.attempts ?? new FailedAttempts();
  const { allowedHosts, log } = options;

  function refuseIfLocked(request: FastifyRequest): void {
    const wait = attempts.retryAfterSeconds(clientAddress(request));
    if (wait > 0) {
      const { failures, windowSeconds } = attempts.limit;
      throw new ApiError(
        429,
        'SF_TOO_MANY_ATTEMPTS',
        `${failures} wrong tokens from this address within ${windowSeconds} s; try again in ${wait} s`,
        { 'retry-after': String(wait) },
      );
    }
  }

  function wrongToken(request: FastifyRequest, message: string): ApiError {
    const client = clientAddress(request);
    const failures = attempts.record(client);
    log.warn(
      { client, method: request.method, path: pathOf(request.url), failures },
      `wrong token from ${client} (${failures} within ${attempts.limit.windowSeconds} s)`,
    );
    return new ApiError(401, 'SF_UNAUTHORIZED', message);
  }

  /** How the request proves it knows the token; throws when it presents a wrong one. */
  function credentialOf(request: FastifyRequest): Credential {
    if (!token) return null;
    const header = request.headers.authorization;
    if (header !== undefined) {
      refuseIfLocked(request);
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match || !tokenMatches(token, match[1])) {
        throw wrongToken(request, "the bearer token does not match the server's SHOPFLOW_UI_TOKEN");
      }
      return 'bearer';
    }
    return sessions.isValid(readSessionCookie(request)) ? 'session' : null;
  }

  function checkHostAndOrigin(request: FastifyRequest): void {
    const host = request.headers.host ?? '';
    // NOTE: a request target in absolute form (`GET http://name/api/runs`) names the host itself,
    // which then counts rather than the Host header (RFC 9112 §3.2.2); both must be allowed.
    const target = absoluteTargetHost(request.raw.url ?? '');
    if (target !== null && !allowedHosts.allows(target)) {
      throw new ApiError(
        403,
        'SF_FORBIDDEN',
        `this server does not answer for host \`${target || 'none'}\` named in the request target`,
      );
    }
    if (!allowedHosts.allows(host)) {
      const name = hostName(host) ?? host;
      throw new ApiError(
        403,
        'SF_FORBIDDEN',
        `this server does not answer for host \`${host || 'none'}\`; it answers for localhost${allowedHosts.extra.length ? ` and ${allowedHosts.extra.join(', ')}` : ''}. Open it by one of those names, or start it with --allowed-host ${name || 'NAME'}`,
      );
    }
    const origin = request.headers.origin;
    if (origin === undefined) return;
    let originHost: string | null = null;
    try {
      const url = new URL(origin);
      originHost = url.protocol === 'http:' || url.protocol === 'https:' ? url.host : null;
    } catch {
      originHost = null;
    }
    // NOTE: the Host was checked above, so an Origin equal to it names an allowed host too; the
    // explicit check keeps that true should the Host check ever change.
    if (
      originHost === null ||
      originHost !== new URL(`http://${host}`).host ||
      !allowedHosts.allows(originHost)
    ) {
      throw new ApiError(
        403,
        'SF_FORBIDDEN',
        `cross-origin request from \`${origin}\` refused; use the page served by this server`,
      );
    }
  }

  async function checkRequest(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    checkHostAndOrigin(request);
    const path = pathOf(request.url);
    if (request.method === 'POST') {
      const contentType = String(request.headers['content-type'] ?? '');
      if (!/^application\/json\s*(;|$)/i.test(contentType)) {
        throw new ApiError(
          415,
          'SF_UNSUPPORTED_MEDIA_TYPE',
          `POST ${path} needs \`Content-Type: application/json\`, not \`${contentType || 'none'}\``,
        );
      }
    }
    const { route, decoded } = routesOf(request, path);
    const guarded = isGuarded(route) || isGuarded(decoded);
    if (!token || !guarded || OPEN_ENDPOINTS.has(`${request.method} ${route}`)) return;
    const credential = credentialOf(request);
    if (credential !== null) return;
    if (options.publicRead && isRead(request.method, route)) return;
    const expired = readSessionCookie(request) !== undefined;
    throw new ApiError(
      401,
      'SF_UNAUTHORIZED',
      expired
        ? 'your session has ended (signed out, expired, or the server restarted); sign in again with the token'
        : `${request.method} ${path} needs the token: sign in on the page, or send \`Authorization: Bearer <token>\` (the server's SHOPFLOW_UI_TOKEN)`,
    );
  }

  /**
   * A pre-handler for an endpoint that changes something (`action`: "launching runs", "canceling
   * runs", "pausing schedules" …): refused on a read-only server. The token was checked already
   * (writes are never public).
   */
  function requireWriteRights(action: string) {
    return async (_request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
      if (options.readOnly) {
        throw new ApiError(403, 'SF_FORBIDDEN', `the server runs with --read-only; ${action} is disabled`);
      }
    };
  }
  const requireLaunchRights = requireWriteRights('launching runs');

  /** `POST /api/session`: checks the token and, when it matches, sets the session cookie. */
  function signIn(request: FastifyRequest, reply: FastifyReply, given: string): void {
    if (!token) {
      throw new ApiError(
        400,
        'SF_BAD_USAGE',
        'this server has no token (SHOPFLOW_UI_TOKEN); there is nothing to sign in to',
      );
    }
    refuseIfLocked(request);
    if (!tokenMatches(token, given.trim())) {
      throw wrongToken(request, "the token does not match the server's SHOPFLOW_UI_TOKEN");
    }
    sessions.end(readSessionCookie(request));
    writeSessionCookie(request, reply, sessions.create(), sessions.maxAgeSeconds);
  }

  /** `DELETE /api/session`: ends the session and clears the cookie. */
  function signOut(request: FastifyRequest, reply: FastifyReply): void {
    sessions.end(readSessionCookie(request));
    writeSessionCookie(request, reply, null, 0);
  }

  /** What the page needs to know to show sign-in or sign-out (never throws for a wrong token). */
  function sessionState(request: FastifyRequest) {
    let credential: Credential = null;
    try {
      credential = credentialOf(request);
    } catch {
      credential = null;
    }
    return {
      tokenRequired: token !== undefined,
      publicRead: token !== undefined && options.publicRead === true,
      readOnly: options.readOnly === true,
      signedIn: token === undefined || credential !== null,
      via: credential,
      canRead: token === undefined || credential !== null || options.publicRead === true,
      canLaunch: options.readOnly !== true && (token === undefined || credential !== null),
    };
  }

  return {
    checkRequest,
    checkHostAndOrigin,
    requireLaunchRights,
    requireWriteRights,
    signIn,
    signOut,
    sessionState,
  };
}

export type AccessPolicy = ReturnType<typeof accessPolicy>;
