import { ShopflowError } from '../../framework/index.js';
import { isLoopbackHost } from './loopback-host.js';

const MIN_TOKEN_LENGTH = 16;

/**
 * Throws `SF_BAD_USAGE` when serving would be unsafe: a non-loopback host without a token (anyone
 * who reaches it could launch runs), or a token too short to resist guessing. Never quotes the token.
 *
 * @example
 * assertSafeToServe({ host: '0.0.0.0', token: undefined }) // throws, naming the host and the fix
 */
export function assertSafeToServe(options: { host: string; token?: string }): void {
  const token = options.token || undefined;
  if (!token && !isLoopbackHost(options.host)) {
    throw new ShopflowError(
      'SF_BAD_USAGE',
      `refusing to serve on host \`${options.host}\` without a token: anyone who can reach it could launch runs`,
      {
        hint: 'set SHOPFLOW_UI_TOKEN to a long random secret (e.g. `openssl rand -hex 24`), or serve on --host 127.0.0.1',
      },
    );
  }
  if (token && token.length < MIN_TOKEN_LENGTH) {
    throw new ShopflowError(
      'SF_BAD_USAGE',
      `SHOPFLOW_UI_TOKEN has ${token.length} characters, fewer than ${MIN_TOKEN_LENGTH}`,
      {
        hint: 'use a long random secret, e.g. `openssl rand -hex 24`',
      },
    );
  }
}
