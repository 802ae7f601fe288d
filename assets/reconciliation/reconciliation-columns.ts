import { z } from 'zod';
import { money } from '../money.js';

/**
 * The columns every reconciliation table has: which layer is compared with what, and its totals
 * beside the totals it must equal. `layersAgree` compares each `x` with `expected_x`.
 */
export const reconciliationColumns = {
  layer: z.string().describe('The table whose totals are compared'),
  compared_to: z.string().describe('What its totals must equal'),
  transactions: z.int().describe('Transactions in the layer'),
  expected_transactions: z.int().describe('Transactions it must have'),
  units: z.int().describe('Units sold in the layer'),
  expected_units: z.int().describe('Units it must have'),
  revenue: money().describe('Revenue in the layer, EUR'),
  expected_revenue: money().describe('Revenue it must have, EUR'),
  revenue_difference_cents: z.int().describe('revenue − expected_revenue in whole cents; 0 when they agree'),
};
