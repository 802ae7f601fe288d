import { ShopflowError } from '../../framework/errors/error-catalog.js';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * A double-quoted SQL identifier. Only lower-case snake_case names are accepted, so a quoted name
 * never needs escaping and always means the same column in PostgreSQL and DuckDB.
 *
 * @example
 * quoteIdentifier('timestamp'); // '"timestamp"'
 * quoteIdentifier('shopflow.customers'); // '"shopflow"."customers"'
 */
export function quoteIdentifier(name: string): string {
  const parts = name.split('.');
  for (const part of parts) {
    if (!IDENTIFIER.test(part)) {
      throw new ShopflowError('SF_INPUT_INVALID', `\`${name}\` is not a valid SQL name`, {
        hint: 'use lower-case snake_case names, optionally schema-qualified (shopflow.customers)',
      });
    }
  }
  return parts.map((part) => `"${part}"`).join('.');
}
