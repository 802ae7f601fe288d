/** The page's client of the JSON API: errors arrive as `ApiRequestError` with the server's code and message. */

export class ApiRequestError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
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
    throw new ApiRequestError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? (text || response.statusText),
    );
  }
  return body;
}

export async function getJson(path, options = {}) {
  return parse(await fetch(path, { headers: { accept: 'application/json' }, signal: options.signal }));
}

export async function postJson(path, body, options = {}) {
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return parse(await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) }));
}

const TOKEN_KEY = 'shopflow.token';

/** The launch token, kept in this tab's sessionStorage only. */
export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function storeToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

let health;
/** `/api/health`, fetched once per page load (read-only mode, whether a token is needed). */
export function serverInfo() {
  health ??= getJson('/api/health').catch((error) => {
    health = undefined;
    throw error;
  });
  return health;
}
