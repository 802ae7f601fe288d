import { z } from 'zod';
import { notNull, unique } from '../../checks/index.js';
import { defineAsset, rowCheck, sql } from '../../framework/index.js';
import { customerValueSql } from '../gold/customer-value-model.js';
import { knownTransactions } from '../gold/known-transactions.js';
import { silverProducts } from '../silver/silver-products.js';
import { silverTransactions } from '../silver/silver-transactions.js';
import { sessionsWithStream } from '../streaming/sessions-with-stream.js';
import { clickSessionsStream } from '../streaming/stream-tables.js';
import { customerClickSessions } from './customer-click-sessions.js';
import { customerFeatureColumns } from './customer-feature-columns.js';
import { customerFeatureSql } from './customer-feature-sql.js';
import { CUSTOMER_FEATURE_SET_VERSION } from './customer-features.js';

/**
 * When the training examples are taken: a snapshot every `everyDays` days from `first` to `last`
 * (inclusive, UTC midnights), each labelled with what happens in the `labelDays` days after it.
 * The last label window ends with the extract (2024-03-01 + 30 days = 2024-03-31).
 */
export const TRAINING_SNAPSHOTS = Object.freeze({
  first: '2024-01-29',
  last: '2024-03-01',
  everyDays: 7,
  labelDays: 30,
});

/**
 * The snapshot dates of {@link TRAINING_SNAPSHOTS}.
 *
 * @example
 * snapshotDates() // ['2024-01-29', '2024-02-05', '2024-02-12', '2024-02-19', '2024-02-26']
 */
export function snapshotDates(schedule: typeof TRAINING_SNAPSHOTS = TRAINING_SNAPSHOTS): string[] {
  const dates: string[] = [];
  const last = Date.parse(`${schedule.last}T00:00:00Z`);
  for (let t = Date.parse(`${schedule.first}T00:00:00Z`); t <= last; t += schedule.everyDays * 86_400_000) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

const FEATURES = Object.keys(customerFeatureColumns);

/**
 * Point-in-time correct training examples for repeat-purchase models: one row per snapshot date
 * and customer who had bought before it. Features come from data known before the snapshot only
 * (the same SQL as `customer_features`, CLV re-estimated as of the snapshot); the label looks at
 * the following 30 days.
 */
export const trainingDataset = defineAsset({
  key: 'training_dataset',
  group: 'features',
  description: `Point-in-time correct training set: for snapshots every ${TRAINING_SNAPSHOTS.everyDays} days from ${TRAINING_SNAPSHOTS.first} to ${TRAINING_SNAPSHOTS.last} and every customer with a known purchase before the snapshot, the customer features computed only from transactions that happened and were delivered before the snapshot, product versions in effect at those sales and clickstream events before it; labels = purchased again / spend within the ${TRAINING_SNAPSHOTS.labelDays} days from the snapshot.`,
  deps: {
    transactions: silverTransactions,
    products: silverProducts,
    sessions: customerClickSessions,
    streamSessions: clickSessionsStream,
  },
  codeVersion: `2-${CUSTOMER_FEATURE_SET_VERSION}`,
  schema: z.object({
    customer_id: z.int().describe('The customer'),
    snapshot_date: z.iso.date().describe('Prediction moment: midnight UTC starting this day'),
    ...customerFeatureColumns,
    max_feature_event_ts: z.iso
      .datetime()
      .describe(
        'Latest timestamp of any row the features used (sale, product version, click); < snapshot_date',
      ),
    max_feature_delivery_date: z.iso
      .date()
      .describe('Latest delivery day of a transaction the features used; < snapshot_date'),
    label_purchased_30d: z
      .boolean()
      .describe(
        `Whether the customer bought in [snapshot_date, snapshot_date + ${TRAINING_SNAPSHOTS.labelDays} days)`,
      ),
    label_spend_30d: z.number().describe('Amount spent in that window, EUR'),
    feature_set_version: z
      .string()
      .describe('Id of the feature definitions and versions used (feature catalog)'),
  }),
  tags: ['features', 'ml'],
  owners: ['data-science'],
  checks: [
    notNull([
      'customer_id',
      'snapshot_date',
      'max_feature_event_ts',
      'max_feature_delivery_date',
      'label_spend_30d',
    ]),
    unique(['customer_id', 'snapshot_date']),
    rowCheck({
      name: 'features_before_snapshot',
      description: 'no feature input happened or was delivered on or after the snapshot (no leakage)',
      validWhen:
        'max_feature_event_ts < snapshot_date::TIMESTAMPTZ and max_feature_delivery_date < snapshot_date',
    }),
    rowCheck({
      name: 'label_consistent',
      description: 'the purchase label is true exactly when the 30-day spend is positive',
      validWhen: 'label_purchased_30d = (label_spend_30d > 0) and label_spend_30d >= 0',
    }),
    rowCheck({
      name: 'buyers_only',
      description: 'every example had at least one known purchase before its snapshot',
      validWhen: 'frequency >= 1 and recency_days >= 1',
    }),
  ],
  materialize: ({ deps }) => {
    const snapshots = snapshotDates()
      .map((d) => `select TIMESTAMPTZ '${d} 00:00:00+00' as as_of`)
      .join(' union all ');
    const known = knownTransactions(deps.transactions, snapshots);
    const features = customerFeatureSql({
      population: `select distinct customer_id, as_of from (${known})`,
      transactions: deps.transactions,
      products: deps.products,
      sessions: sessionsWithStream(deps.sessions, deps.streamSessions),
      clv: `select customer_id, as_of, predicted_clv from (${customerValueSql(
        `select as_of, customer_id, amount, transaction_ts from (${known})`,
      )})`,
    });
    return sql`with features as (${sql.raw(features)}),
        labels as (
          select f.customer_id, f.as_of,
            count(t.transaction_id) > 0 as label_purchased_30d,
            round(coalesce(sum(t.amount), 0)::DOUBLE, 2) as label_spend_30d
          from features f
          left join ${deps.transactions} t
            on t.customer_id = f.customer_id
            and t.transaction_ts >= f.as_of
            and t.transaction_ts < f.as_of + to_days(${TRAINING_SNAPSHOTS.labelDays})
          group by f.customer_id, f.as_of)
        select f.customer_id, f.as_of::DATE as snapshot_date, ${sql.raw(FEATURES.map((c) => `f.${c}`).join(', '))},
          f.max_feature_event_ts, f.max_feature_delivery_date,
          l.label_purchased_30d, l.label_spend_30d,
          ${CUSTOMER_FEATURE_SET_VERSION} as feature_set_version
        from features f join labels l on l.customer_id = f.customer_id and l.as_of = f.as_of
        order by snapshot_date, customer_id`;
  },
});
