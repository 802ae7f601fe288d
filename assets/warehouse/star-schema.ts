import type { AnyAsset } from '../../framework/index.js';
import { dimCustomer } from './dim-customer.js';
import { dimDate } from './dim-date.js';
import { dimProduct } from './dim-product.js';
import { factSales } from './fact-sales.js';
import { lakeDimCustomer } from './lake-dim-customer.js';
import { lakeDimProduct } from './lake-dim-product.js';
import { lakeFactSales } from './lake-fact-sales.js';

/**
 * The star schema: SCD2 `dim_customer` / `dim_product`, `dim_date` and `fact_sales` in the
 * PostgreSQL warehouse, and their from-scratch lake twins, which prove the incremental warehouse
 * equals a full rebuild.
 *
 * @example
 * defineDefinitions({ assets: [...shopflowAssets, ...starSchemaAssets] });
 */
export const starSchemaAssets: AnyAsset[] = [
  dimCustomer,
  dimProduct,
  dimDate,
  factSales,
  lakeDimCustomer,
  lakeDimProduct,
  lakeFactSales,
];
