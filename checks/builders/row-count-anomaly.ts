import { type AssetCheck, type CheckSeverity, defineCheck } from '../../framework/index.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The row count is within `tolerance` (a fraction, default 0.5 = ±50 %) of the median of the last
 * `window` materializations of the asset (any partition). Passes while there are fewer than
 * `minHistory` earlier materializations.
 *
 * @example
 * rowCountAnomaly({ tolerance: 0.6, window: 14 })
 */
export function rowCountAnomaly(
  options: {
    name?: string;
    tolerance?: number;
    window?: number;
    minHistory?: number;
    severity?: CheckSeverity;
  } = {},
): AssetCheck {
  const tolerance = options.tolerance ?? 0.5;
  const window = options.window ?? 14;
  const minHistory = options.minHistory ?? 3;
  return defineCheck({
    name: options.name ?? 'row_count_anomaly',
    severity: options.severity ?? 'warn',
    description: `row count within ±${Math.round(tolerance * 100)} % of the median of the last ${window} materializations`,
    async evaluate({ materialization, assetHistory }) {
      const rows = materialization.rowCount ?? 0;
      const history = (await assetHistory(window))
        .map((m) => m.rowCount)
        .filter((n): n is number => typeof n === 'number');
      if (history.length < minHistory) {
        return {
          passed: true,
          message: `not enough history (${history.length} of ${minHistory})`,
          metadata: { rows, history: history.length },
        };
      }
      const expected = median(history);
      const low = expected * (1 - tolerance);
      const high = expected * (1 + tolerance);
      const passed = rows >= low && rows <= high;
      return {
        passed,
        message: passed
          ? `${rows} rows, median of the last ${history.length} is ${expected}`
          : `${rows} rows is outside ${Math.round(low)}…${Math.round(high)} (median of the last ${history.length}: ${expected})`,
        metadata: { rows, expected, low, high, history: history.length },
      };
    },
  });
}
