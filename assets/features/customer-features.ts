import { z } from 'zod';
import { inRange, notNull, storedTypes, unique } from '../../checks/index.js';
import { defineAsset, rowCheck, sql } from '../../framework/index.js';
import { customerClv } from '../gold/customer-clv.js';
import { latestAsOf } from '../gold/known-transactions.js';
import { silverCustomers } from '../silver/silver-customers.js';
import { silverProducts } from '../silver/silver-products.js';
import { silverTransactions } from '../silver/silver-transactions.js';
import { sessionsWithStream } from '../streaming/sessions-with-stream.js';
import { clickSessionsStream } from '../streaming/stream-tables.js';
import { customerClickSessions } from './customer-click-sessions.js';
import { customerFeatureColumns, customerFeatureSchema } from './customer-feature-columns.js';
import { customerFeatureSql } from './customer-feature-sql.js';
import { featureSetVersion, featuresOf } from './feature-column.js';

/** The id of the current customer feature definitions, written on every feature row. */
export const CUSTOMER_FEATURE_SET_VERSION = featureSetVersion(customerFeatureSchema);

/**
 * The customer feature vector served today: RFM, predicted CLV, preferred category and clickstream
 * engagement for every customer, as of the end of the extract. The features are declared once
 * ({@link customerFeatureColumns}, each with a version) and computed by the same SQL as the
 * training snapshots, so training and serving cannot drift apart.
 */
export const customerFeatures = defineAsset({
  key: 'customer_features',
  group: 'features',
  description:
    'Customer features as of the end of the extract: recency, frequency, monetary, predicted CLV, preferred category, sessions, product views, add-to-cart rate, conversion rate; one row per customer, with the feature set version. Catalog: docs/feature-catalog.md.',
  deps: {
    customers: silverCustomers,
    transactions: silverTransactions,
    products: silverProducts,
    sessions: customerClickSessions,
    streamSessions: clickSessionsStream,
    clv: customerClv,
  },
  // NOTE: bumping a feature version changes the code version, so the asset becomes stale.
  codeVersion: `2-${CUSTOMER_FEATURE_SET_VERSION}`,
  schema: z.object({
    customer_id: z.int().describe('The customer'),
    as_of: z.iso
      .datetime()
      .describe('Features use data known before this moment (midnight after the latest delivery)'),
    ...customerFeatureColumns,
    feature_set_version: z
      .string()
      .describe('Id of the feature definitions and versions used (feature catalog)'),
  }),
  tags: ['features'],
  owners: ['data-science'],
  checks: [
    notNull(['customer_id', 'as_of', 'feature_set_version', 'frequency', 'sessions']),
    unique(['customer_id']),
    rowCheck({
      name: 'rates_in_range',
      description: 'add_to_cart_rate ≥ 0 and conversion_rate in [0, 1] where defined',
      validWhen:
        'coalesce(add_to_cart_rate, 0) >= 0 and coalesce(conversion_rate, 0) between 0 and 1 and (product_views = 0) = (add_to_cart_rate is null) and (sessions = 0) = (conversion_rate is null)',
    }),
    inRange('predicted_clv', { min: 0 }),
    rowCheck({
      name: 'purchase_features_consistent',
      description: 'customers without purchases have no recency or preferred category, buyers have both',
      validWhen:
        '(frequency = 0) = (recency_days is null) and (frequency = 0) = (preferred_category is null) and (frequency = 0) = (monetary = 0)',
    }),
    storedTypes(),
  ],
  materialize: ({ deps, addMetadata }) => {
    addMetadata({
      featureSetVersion: CUSTOMER_FEATURE_SET_VERSION,
      featureVersions: Object.fromEntries(featuresOf(customerFeatureSchema).map((f) => [f.name, f.version])),
    });
    const features = customerFeatureSql({
      population: `select distinct c.customer_id, a.as_of from ${deps.customers.toSql()} c cross join (${latestAsOf(deps.transactions)}) a`,
      transactions: deps.transactions,
      products: deps.products,
      sessions: sessionsWithStream(deps.sessions, deps.streamSessions),
      clv: `select customer_id, as_of, predicted_clv from ${deps.clv.toSql()}`,
    });
    return sql`select customer_id, as_of, ${sql.raw(Object.keys(customerFeatureColumns).join(', '))},
          ${CUSTOMER_FEATURE_SET_VERSION} as feature_set_version
        from (${sql.raw(features)})
        order by customer_id`;
  },
});
