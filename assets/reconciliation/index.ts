import type { AnyAsset } from '../../framework/index.js';
import { monthlyRevenueReconciliation } from './monthly-revenue-reconciliation.js';
import { salesReconciliationDaily } from './sales-reconciliation-daily.js';
import { salesReconciliationMonthly, salesReconciliationWeekly } from './sales-reconciliation-rollups.js';

/**
 * The reconciliation assets: the same sales in every layer, compared exactly (to the cent) — per
 * delivery day across silver, gold, the lake star schema and PostgreSQL; per week and month
 * between the roll-ups and their days; per month of sale between `monthly_revenue` and the days.
 * Each has a blocking `layers_agree` check naming the partition and the difference.
 */
export const reconciliationAssets: AnyAsset[] = [
  salesReconciliationDaily,
  salesReconciliationWeekly,
  salesReconciliationMonthly,
  monthlyRevenueReconciliation,
];
