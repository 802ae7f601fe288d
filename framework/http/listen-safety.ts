import { ShopflowError } from '../errors/error-catalog.js';
import { isLoopbackHost } from './loopback-host.js';
import { assertStrongToken } from './token-strength.js';

/**
 * Throws `SF_BAD_USAGE` when serving would be unsafe: a non-loopback host without a token (anyone
 * who reaches it could read every asset and launch runs), or a weak token (see
 * `assertStrongToken`). Never quotes the token.
 *
 * @example
 * assertSafeToServe({ host: '0.0.0.0', token: undefined }) // throws, naming the host and the fix
 */
export function assertSafeToServe(options: { host: string; token?: string }): void {
  const token = options.token === '' ? undefined : options.token;
  if (token === undefined && !isLoopbackHost(options.host)) {
    throw new ShopflowError(
      'SF_BAD_USAGE',
      `refusing to serve on host \`${options.host}\` without a token: anyone who can reach it could read the data and launch runs`,
      {
        hint: 'set SHOPFLOW_UI_TOKEN to a long random secret (e.g. `openssl rand -hex 24`), or serve on --host 127.0.0.1',
      },
    );
  }
  if (token !== undefined) assertStrongToken(token);
}
