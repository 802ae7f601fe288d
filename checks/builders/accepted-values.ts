import {
  type AssetCheck,
  type CheckSeverity,
  quoteIdentifier,
  quoteLiteral,
  rowCheck,
} from '../../framework/index.js';

/**
 * The column takes one of the listed values.
 *
 * @example
 * acceptedValues('payment_method', ['credit_card', 'paypal'])
 */
export function acceptedValues(
  column: string,
  values: readonly string[],
  options: { name?: string; severity?: CheckSeverity; quarantine?: boolean } = {},
): AssetCheck {
  return rowCheck({
    name: options.name ?? `${column}_accepted`,
    description: `${column} is one of ${values.join(', ')}`,
    validWhen: `${quoteIdentifier(column)} IN (${values.map(quoteLiteral).join(', ')})`,
    severity: options.severity,
    quarantine: options.quarantine,
  });
}
