import { type AssetCheck, type CheckSeverity, quoteIdentifier, rowCheck } from '../../framework/index.js';

/**
 * The numeric column lies in a range. `min`/`max` are inclusive unless `exclusiveMin`/`exclusiveMax`.
 * The column may be text: it is cast with `TRY_CAST`, and a value that is not a number fails.
 *
 * @example
 * inRange('price', { min: 0, exclusiveMin: true, name: 'price_positive', quarantine: true })
 */
export function inRange(
  column: string,
  options: {
    min?: number;
    max?: number;
    exclusiveMin?: boolean;
    exclusiveMax?: boolean;
    name?: string;
    severity?: CheckSeverity;
    quarantine?: boolean;
  },
): AssetCheck {
  const value = `TRY_CAST(${quoteIdentifier(column)} AS DOUBLE)`;
  const parts = [`${value} IS NOT NULL`];
  if (options.min !== undefined) parts.push(`${value} ${options.exclusiveMin ? '>' : '>='} ${options.min}`);
  if (options.max !== undefined) parts.push(`${value} ${options.exclusiveMax ? '<' : '<='} ${options.max}`);
  const low = options.min === undefined ? '' : `${options.exclusiveMin ? '>' : '≥'} ${options.min}`;
  const high = options.max === undefined ? '' : `${options.exclusiveMax ? '<' : '≤'} ${options.max}`;
  return rowCheck({
    name: options.name ?? `${column}_in_range`,
    description: `${column} is a number ${[low, high].filter(Boolean).join(' and ')}`,
    validWhen: parts.join(' AND '),
    severity: options.severity,
    quarantine: options.quarantine,
  });
}
