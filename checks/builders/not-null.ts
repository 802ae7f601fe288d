import { type AssetCheck, type CheckSeverity, quoteIdentifier, rowCheck } from '../../framework/index.js';

/**
 * Every listed column is non-null. One check per call, named `not_null_<columns>` unless named.
 *
 * @example
 * notNull(['customer_id', 'email'], { quarantine: true })
 */
export function notNull(
  columns: string[],
  options: { name?: string; severity?: CheckSeverity; quarantine?: boolean } = {},
): AssetCheck {
  return rowCheck({
    name: options.name ?? `not_null_${columns.join('_')}`,
    description: `${columns.join(', ')} ${columns.length === 1 ? 'is' : 'are'} never null`,
    validWhen: columns.map((c) => `${quoteIdentifier(c)} IS NOT NULL`).join(' AND '),
    severity: options.severity,
    quarantine: options.quarantine,
  });
}
