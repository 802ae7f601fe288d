import {
  type AssetCheck,
  type CheckSeverity,
  quoteIdentifier,
  quoteLiteral,
  rowCheck,
} from '../../framework/index.js';

/** A pragmatic email pattern: one `@`, no spaces, a dot in the domain. */
export const EMAIL_PATTERN = '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$';

/**
 * The column fully matches a regular expression (RE2 syntax). Null values pass; combine with
 * `notNull` to forbid them.
 *
 * @example
 * matches('email', EMAIL_PATTERN, { name: 'email_valid', quarantine: true })
 */
export function matches(
  column: string,
  pattern: string,
  options: { name?: string; severity?: CheckSeverity; quarantine?: boolean } = {},
): AssetCheck {
  const col = quoteIdentifier(column);
  return rowCheck({
    name: options.name ?? `${column}_matches`,
    description: `${column} matches /${pattern}/`,
    validWhen: `${col} IS NULL OR regexp_full_match(${col}, ${quoteLiteral(pattern)})`,
    severity: options.severity,
    quarantine: options.quarantine,
  });
}
