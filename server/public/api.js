/**
 * The page's client of the JSON API: errors arrive as `ApiRequestError` with the server's code and
 * message. Requests carry the session cookie (same origin); a 401 tells the app to ask for the token.
 */

export class ApiRequestError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const unauthorizedListeners = new Set();

/** Calls `listener` whenever the server answers 401 (signed out, session ended). */
export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

async function parse(response) {
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = body?.error;
    const failure = new ApiRequestError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? (text || response.statusText),
    );
    if (response.status === 401) for (const listener of unauthorizedListeners) listener(failure);
    throw failure;
  }
  return body;
}

export async function getJson(path, options = {}) {
  return parse(
    await fetch(path, {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
      signal: options.signal,
    }),
  );
}

export async function postJson(path, body, options = {}) {
  return parse(
    await fetch(path, {
      method: options.method ?? 'POST',
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { 'content-type': 'application/json', accept: 'application/json' },
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

let health;
/** `/api/health`, fetched once per page load (store, read-only mode, whether a token is needed). */
export function serverInfo() {
  health ??= getJson('/api/health').catch((error) => {
    health = undefined;
    throw error;
  });
  return health;
}

let session;
/**
 * `/api/session`: whether a token is required, whether this browser is signed in, whether reads are
 * public and whether it may launch runs. Cached until `refreshSession()`.
 */
export function sessionInfo() {
  session ??= getJson('/api/session').catch((error) => {
    session = undefined;
    throw error;
  });
  return session;
}

export function refreshSession() {
  session = undefined;
  return sessionInfo();
}

/** Signs in with the token: the server sets an HttpOnly session cookie; the token is not kept. */
export async function signIn(token) {
  session = Promise.resolve(await postJson('/api/session', { token }));
  return session;
}

export async function signOut() {
  session = Promise.resolve(await postJson('/api/session', undefined, { method: 'DELETE' }));
  return session;
}
