import type { AnyAsset } from '../../framework/index.js';
import { customerClickSessions } from '../features/customer-click-sessions.js';
import { customerFeatures } from '../features/customer-features.js';
import { trainingDataset } from '../features/training-dataset.js';
import { customerClv } from './customer-clv.js';
import { goldSalesDaily } from './gold-sales-daily.js';
import { goldSalesMonthly, goldSalesWeekly } from './gold-sales-rollups.js';
import { productAffinity } from './product-affinity.js';

/**
 * The data derived in the lake from silver (and the raw clickstream) with DuckDB: sales
 * aggregates (daily, and weekly/monthly roll-ups of the daily partitions), customer lifetime
 * value, product affinity, customer features and the point-in-time training set. Add them after
 * the silver assets they read.
 *
 * @example
 * defineDefinitions({ assets: [...shopflowAssets, ...derivedAssets], resources })
 */
export const derivedAssets: AnyAsset[] = [
  goldSalesDaily,
  goldSalesWeekly,
  goldSalesMonthly,
  customerClv,
  productAffinity,
  customerClickSessions,
  customerFeatures,
  trainingDataset,
];
