import { type AssetCheck, type CheckSeverity, quoteIdentifier, rowCheck } from '../../framework/index.js';

/**
 * Referential integrity: every value of `column` exists in `targetColumn` of the upstream `dep`
 * (a key of the asset's `deps`). Nulls pass.
 *
 * @example
 * references('customer_id', { dep: 'customers', column: 'customer_id', quarantine: true })
 */
export function references(
  column: string,
  target: { dep: string; column: string; name?: string; severity?: CheckSeverity; quarantine?: boolean },
): AssetCheck {
  const col = quoteIdentifier(column);
  return rowCheck({
    name: target.name ?? `${column}_references_${target.dep}`,
    description: `every ${column} exists in ${target.dep}.${target.column}`,
    validWhen: (deps) => {
      const upstream = deps[target.dep];
      if (!upstream)
        throw new Error(`references(${column}): the asset has no dependency named \`${target.dep}\``);
      return `${col} IS NULL OR ${col} IN (SELECT ${quoteIdentifier(target.column)} FROM ${upstream.toSql()})`;
    },
    severity: target.severity,
    quarantine: target.quarantine,
  });
}
