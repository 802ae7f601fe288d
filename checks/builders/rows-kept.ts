import { type AssetCheck, type CheckSeverity, defineCheck } from '../../framework/index.js';

/**
 * A partition that quarantined rows keeps at least one: when every row it read broke a row-level
 * rule, the input is more likely malformed (columns swapped, a wrong file) than all bad, and the
 * partition must not pass as a success with 0 rows. Passes when nothing was quarantined.
 *
 * @example
 * checks: [notNull(['id'], { quarantine: true }), rowsKept()]
 */
export function rowsKept(options: { name?: string; severity?: CheckSeverity } = {}): AssetCheck {
  return defineCheck({
    name: options.name ?? 'rows_kept',
    severity: options.severity ?? 'error',
    description: 'not every row read was quarantined',
    async evaluate({ materialization }) {
      const quarantined = (materialization.metadata.quarantined ?? {}) as Record<string, { rows: number }>;
      const broken = Object.entries(quarantined).filter(([, q]) => q.rows > 0);
      const rows = materialization.rowCount ?? 0;
      if (broken.length === 0 || rows > 0) {
        return {
          passed: true,
          message: broken.length === 0 ? 'nothing was quarantined' : `${rows} rows kept`,
          metadata: { rows },
        };
      }
      const rules = broken.map(([rule, q]) => `${rule}: ${q.rows}`).join(', ');
      return {
        passed: false,
        message: `every row read was quarantined (${rules}); the input is probably malformed — check its columns`,
        metadata: { rows, failingRows: Math.max(...broken.map(([, q]) => q.rows)) },
      };
    },
  });
}
