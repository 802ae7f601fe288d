import { ShopflowError } from '../errors/error-catalog.js';

export const MIN_TOKEN_LENGTH = 16;
/** Fewer different characters than this is a pattern, not a secret (`aaaa…`, `abab…`). */
const MIN_DISTINCT_CHARACTERS = 5;
const HINT = 'use a long random secret, e.g. `openssl rand -hex 24`';

/**
 * Throws `SF_BAD_USAGE` when `SHOPFLOW_UI_TOKEN` is too weak to guard the server: shorter than 16
 * characters, only whitespace, surrounded by whitespace (the page trims what is typed, so it could
 * never sign in), or made of fewer than 5 different characters (one character repeated). Never
 * quotes the token.
 *
 * @example
 * assertStrongToken(' '.repeat(20)) // throws: only whitespace
 */
export function assertStrongToken(token: string): void {
  if (token.trim() === '') {
    throw new ShopflowError(
      'SF_BAD_USAGE',
      `SHOPFLOW_UI_TOKEN is only whitespace (${token.length} characters)`,
      {
        hint: HINT,
      },
    );
  }
  if (token.trim() !== token) {
    throw new ShopflowError('SF_BAD_USAGE', 'SHOPFLOW_UI_TOKEN starts or ends with whitespace', {
      hint: 'remove the spaces or line breaks around it',
    });
  }
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new ShopflowError(
      'SF_BAD_USAGE',
      `SHOPFLOW_UI_TOKEN has ${token.length} characters, fewer than ${MIN_TOKEN_LENGTH}`,
      { hint: HINT },
    );
  }
  const distinct = new Set(token).size;
  if (distinct < MIN_DISTINCT_CHARACTERS) {
    throw new ShopflowError(
      'SF_BAD_USAGE',
      `SHOPFLOW_UI_TOKEN is made of ${distinct === 1 ? 'one character repeated' : `only ${distinct} different characters`}, which is easy to guess`,
      { hint: HINT },
    );
  }
}
