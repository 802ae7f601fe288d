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
  target: {
    dep: string;
    column: string;
    name?: string;
    severity?: CheckSeverity;
    quarantine?: boolean;
    /**
     * Only target rows known in time count: `at` is a column of the target, `before` a SQL
     * expression over the checked row; a row references a target row with `at < before`.
     */
    knownBefore?: { at: string; before: string };
  },
): AssetCheck {
  const col = quoteIdentifier(column);
  return rowCheck({
    name: target.name ?? `${column}_references_${target.dep}`,
    description: target.knownBefore
      ? `every ${column} exists in ${target.dep}.${target.column} with ${target.knownBefore.at} before ${target.knownBefore.before}`
      : `every ${column} exists in ${target.dep}.${target.column}`,
    validWhen: (deps) => {
      const upstream = deps[target.dep];
      if (!upstream)
        throw new Error(`references(${column}): the asset has no dependency named \`${target.dep}\``);
      const known = target.knownBefore;
      if (!known) {
        return `${col} IS NULL OR ${col} IN (SELECT ${quoteIdentifier(target.column)} FROM ${upstream.toSql()})`;
      }
      // NOTE: the target rows are renamed so that \`before\` can only mean the checked row's columns.
      // \`EXISTS\` over the key and the time rather than \`IN\` over the rows known in time: the
      // correlated \`IN\` makes DuckDB compare every target row with every checked row's instant
      // (1.5× slower for 1,500 transactions against 224,000 customer versions). Both are false for
      // an unknown value, which is all a check reads (a NULL result counts as failing).
      return `${col} IS NULL OR EXISTS (SELECT 1 FROM (SELECT ${quoteIdentifier(target.column)} AS __ref, ${quoteIdentifier(known.at)} AS __ref_at FROM ${upstream.toSql()}) WHERE __ref = ${col} AND __ref_at < (${known.before}))`;
    },
    severity: target.severity,
    quarantine: target.quarantine,
  });
}
