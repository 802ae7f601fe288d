/** What every redacted secret is replaced with. */
export const REDACTED = '[REDACTED]';

// NOTE: `user:password@host`, with or without `scheme://` (a URL missing its scheme is still a
// credential). The user stops at characters that end a URL or a quoted JSON string; the password
// only at whitespace and quotes, greedy up to the last `@`, so an unencoded `@`, `/`, `?` or `#`
// inside it does not leak its tail. `scheme://host@…` is not read as user `scheme`.
const URL_CREDENTIALS = /((?:[a-z][a-z0-9+.-]*:\/\/)?[^\s/?#@:"'`]*:(?!\/\/))([^\s"'`]*)@/gi;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles a function that replaces every known secret in a text with `[REDACTED]`, including the
 * forms a secret takes inside a JSON string (escaped) and inside a URL (percent-encoded), and the
 * password of every `scheme://user:password@host` URL (scheme optional). Compile once, call per line.
 *
 * @example
 * const redact = createSecretRedactor(['hunter2']);
 * redact('password is hunter2'); // 'password is [REDACTED]'
 */
export function createSecretRedactor(secrets: readonly string[]): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === '') continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const pattern = alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'g') : undefined;
  return (text) => redactUrl(pattern ? text.replace(pattern, REDACTED) : text);
}

/**
 * Replaces every occurrence of the given secrets in `text` with `[REDACTED]`, as well as the
 * password of any credential-carrying URL.
 *
 * @example
 * redactSecrets('token=abc123 sent', ['abc123']); // 'token=[REDACTED] sent'
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return createSecretRedactor(secrets)(text);
}

/**
 * Replaces the password of every `scheme://user:password@host` URL in `text` with `[REDACTED]`,
 * also when the scheme is missing or the password holds unencoded `/`, `?`, `#` or `@`; URLs
 * without a password are left unchanged.
 *
 * @example
 * redactUrl('postgres://app:s3cret@db:5432/shop'); // 'postgres://app:[REDACTED]@db:5432/shop'
 * redactUrl('app:ab/c#d@db:5432/shop'); // 'app:[REDACTED]@db:5432/shop'
 */
export function redactUrl(url: string): string {
  return url.replace(URL_CREDENTIALS, (match, prefix: string, password: string) =>
    password === '' || password === REDACTED ? match : `${prefix}${REDACTED}@`,
  );
}

/**
 * The passwords of every `scheme://user:password@host` URL in `text` (scheme optional), as written and
 * percent-decoded — so configuration can treat them as secrets.
 *
 * @example
 * findUrlPasswords('postgres://app:p%40ss@db/shop'); // ['p%40ss', 'p@ss']
 */
export function findUrlPasswords(text: string): string[] {
  const passwords = new Set<string>();
  for (const [, , password] of text.matchAll(URL_CREDENTIALS)) {
    if (password === '' || password === REDACTED) continue;
    passwords.add(password);
    try {
      passwords.add(decodeURIComponent(password));
    } catch {
      // NOTE: a malformed percent-escape has no decoded form; the raw form is already recorded.
    }
  }
  return [...passwords];
}
