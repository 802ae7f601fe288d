import {
  type AssetCheck,
  type CheckSeverity,
  quoteIdentifier,
  quoteLiteral,
  rowCheck,
} from '../../framework/index.js';

/**
 * A text column holds a real date or timestamp in the given `strptime` format(s) (default ISO date).
 *
 * @example
 * parseableDate('registration_date', { format: '%Y-%m-%d' })
 * parseableDate('timestamp', { format: ['%Y-%m-%dT%H:%M:%S.%gZ', '%Y-%m-%dT%H:%M:%SZ'] })
 */
export function parseableDate(
  column: string,
  options: { format?: string | string[]; name?: string; severity?: CheckSeverity; quarantine?: boolean } = {},
): AssetCheck {
  const formats = [options.format ?? '%Y-%m-%d'].flat();
  const list = formats.length === 1 ? quoteLiteral(formats[0]) : `[${formats.map(quoteLiteral).join(', ')}]`;
  return rowCheck({
    name: options.name ?? `${column}_parseable`,
    description: `${column} is a valid date (${formats.join(' or ')})`,
    validWhen: `try_strptime(${quoteIdentifier(column)}, ${list}) IS NOT NULL`,
    severity: options.severity,
    quarantine: options.quarantine,
  });
}
