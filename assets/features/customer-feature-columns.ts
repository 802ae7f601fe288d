import { z } from 'zod';
import { money } from '../money.js';
import { featureColumn } from './feature-column.js';

const TRANSACTIONS = ['silver_transactions'];
const CLICKSTREAM = ['customer_click_sessions'];

/**
 * The customer features, as schema columns with their versions: shared by `customer_features` (as
 * of the end of the extract) and `training_dataset` (as of each snapshot), which compute them with
 * the same SQL ({@link customerFeatureSql}). Bump a feature's `version` when its definition changes.
 */
export const customerFeatureColumns = {
  recency_days: featureColumn(z.int().nullable(), {
    description:
      'Whole days from the day of the latest known purchase to the as-of day (1 = bought the day before); null without purchases',
    version: 1,
    sources: TRANSACTIONS,
  }),
  frequency: featureColumn(z.int(), {
    description: 'Purchases (transactions) known before the as-of moment',
    version: 1,
    sources: TRANSACTIONS,
  }),
  // NOTE: version 2 stores money as DECIMAL(18,2) (version 1: a DOUBLE rounded to 2 decimals).
  monetary: featureColumn(money(), {
    description: 'Sum of the amounts of those purchases, EUR',
    version: 2,
    sources: TRANSACTIONS,
  }),
  predicted_clv: featureColumn(money(), {
    description:
      'Predicted customer lifetime value (gross profit, EUR, rounded to the cent) from the CLV model of customer_clv as of the same moment; 0 without purchases',
    version: 2,
    sources: ['customer_clv', 'silver_transactions'],
  }),
  preferred_category: featureColumn(z.string().nullable(), {
    description:
      'Category with the highest spend (ties: alphabetical), by the product version in effect at each sale; null without purchases',
    version: 1,
    sources: ['silver_transactions', 'silver_products'],
  }),
  sessions: featureColumn(z.int(), {
    description: 'Website sessions with at least one event signed in as the customer',
    version: 1,
    sources: CLICKSTREAM,
  }),
  product_views: featureColumn(z.int(), {
    description: 'product_view events of the customer',
    version: 1,
    sources: CLICKSTREAM,
  }),
  add_to_cart_rate: featureColumn(z.number().nullable(), {
    description: 'add_to_cart events / product_view events (4 decimals); null without product views',
    version: 1,
    sources: CLICKSTREAM,
  }),
  conversion_rate: featureColumn(z.number().nullable(), {
    description: 'Share of the sessions with a purchase event (4 decimals); null without sessions',
    version: 1,
    sources: CLICKSTREAM,
  }),
};

/** The feature columns as an object schema (for the catalog and the feature set version). */
export const customerFeatureSchema = z.object(customerFeatureColumns);
