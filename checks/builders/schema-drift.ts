import { type AssetCheck, type CheckSeverity, defineCheck } from '../../framework/index.js';

type Column = { name: string; type: string };

/**
 * The written columns and types equal those of the previous materialization of the asset (lake
 * tables record their schema in the materialization metadata). Lists added, removed and retyped
 * columns when they differ.
 *
 * @example
 * schemaDrift({ severity: 'error' })
 */
export function schemaDrift(options: { name?: string; severity?: CheckSeverity } = {}): AssetCheck {
  return defineCheck({
    name: options.name ?? 'schema_drift',
    severity: options.severity ?? 'warn',
    description: 'columns and types unchanged since the previous materialization',
    async evaluate({ materialization, assetHistory }) {
      const current = materialization.metadata.schema as Column[] | undefined;
      const [previous] = (await assetHistory(5)).filter((m) => Array.isArray(m.metadata.schema));
      if (!current || !previous)
        return { passed: true, message: 'no earlier schema to compare', metadata: {} };
      const before = new Map((previous.metadata.schema as Column[]).map((c) => [c.name, c.type]));
      const now = new Map(current.map((c) => [c.name, c.type]));
      const added = [...now.keys()].filter((c) => !before.has(c));
      const removed = [...before.keys()].filter((c) => !now.has(c));
      const retyped = [...now]
        .filter(([c, t]) => before.has(c) && before.get(c) !== t)
        .map(([c, t]) => `${c}: ${before.get(c)} → ${t}`);
      const passed = added.length + removed.length + retyped.length === 0;
      const parts = [
        added.length ? `added ${added.join(', ')}` : '',
        removed.length ? `removed ${removed.join(', ')}` : '',
        retyped.length ? `retyped ${retyped.join(', ')}` : '',
      ].filter(Boolean);
      return {
        passed,
        message: passed ? 'schema unchanged' : parts.join('; '),
        metadata: { added, removed, retyped },
      };
    },
  });
}
