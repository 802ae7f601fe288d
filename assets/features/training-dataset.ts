import { z } from 'zod';
import { notNull, storedTypes, unique } from '../../checks/index.js';
import { defineAsset, rowCheck, sql } from '../../framework/index.js';
import { customerValueSql } from '../gold/customer-value-model.js';
import { knownTransactions } from '../gold/known-transactions.js';
import { MAX_LATENESS_DAYS } from '../gold/sales-by-sale-date.js';
import { money, moneyRound } from '../money.js';
import { silverProducts } from '../silver/silver-products.js';
import { silverTransactions } from '../silver/silver-transactions.js';
import { sessionsWithStream } from '../streaming/sessions-with-stream.js';
import { clickSessionsStream } from '../streaming/stream-tables.js';
import { customerClickSessions } from './customer-click-sessions.js';
import { customerFeatureColumns } from './customer-feature-columns.js';
import { customerFeatureSql } from './customer-feature-sql.js';
import { CUSTOMER_FEATURE_SET_VERSION } from './customer-features.js';

/**
 * When the training examples are taken: `count` snapshots `everyDays` apart (UTC midnights of a
 * Monday), each labelled with what happens in the `labelDays` days after it. The last snapshot is
 * the latest Monday whose label window is fully delivered: the window ends, late deliveries (at most
 * {@link MAX_LATENESS_DAYS} days) included, by the last delivered day. The snapshots therefore follow
 * the calendar: on the 2024 quarter (last delivered day 2024-03-30) they are 2024-01-29, 02-05,
 * 02-12, 02-19 and 02-26, and the last label window is [2024-02-26, 2024-03-27); on the live calendar
 * they move forward a week every Monday.
 */
export const TRAINING_SNAPSHOTS = Object.freeze({
  count: 5,
  everyDays: 7,
  labelDays: 30,
});

const DAY_MS = 86_400_000;

/**
 * The snapshot dates for data delivered up to `lastDeliveredDay` (see {@link TRAINING_SNAPSHOTS});
 * none before the first delivered day, so a short history has fewer.
 *
 * @example
 * snapshotDates('2024-03-30', '2024-01-01') // ['2024-01-29', '2024-02-05', '2024-02-12', '2024-02-19', '2024-02-26']
 */
export function snapshotDates(
  lastDeliveredDay: string,
  firstDeliveredDay: string,
  schedule: typeof TRAINING_SNAPSHOTS = TRAINING_SNAPSHOTS,
): string[] {
  // NOTE: the label window [s, s + labelDays) is complete once its last day's late deliveries are in.
  const latest =
    Date.parse(`${lastDeliveredDay}T00:00:00Z`) - (schedule.labelDays + MAX_LATENESS_DAYS - 1) * DAY_MS;
  const mondayOffset = (new Date(latest).getUTCDay() + 6) % 7;
  return snapshotsEndingAt(latest - mondayOffset * DAY_MS, firstDeliveredDay, schedule);
}

/** The snapshot dates whose last one is at `last` (epoch ms), none on or before the first delivered day. */
function snapshotsEndingAt(
  last: number,
  firstDeliveredDay: string,
  schedule: typeof TRAINING_SNAPSHOTS = TRAINING_SNAPSHOTS,
): string[] {
  const first = Date.parse(`${firstDeliveredDay}T00:00:00Z`);
  const dates: string[] = [];
  for (let i = schedule.count - 1; i >= 0; i--) {
    const t = last - i * schedule.everyDays * DAY_MS;
    if (t > first) dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

/**
 * What the training set reads, given the delivery days of the transactions: transactions
 * delivered before the last label window ends plus the allowed lateness, clickstream sessions and
 * product versions before the last snapshot. A new delivery day that moves no snapshot therefore
 * changes nothing it reads, and the planner neither re-runs it nor calls it stale (`readsUntil`).
 * Empty (no bound) while the history is too short for a snapshot.
 *
 * @example
 * trainingReads(['2024-01-01', …, '2024-03-30'])
 * // { transactions: '2024-03-30T00:00:00.000Z', sessions: '2024-02-26T00:00:00.000Z', products: '2024-02-26T00:00:00.000Z' }
 */
export function trainingReads(deliveryDays: readonly string[]): {
  transactions?: string;
  sessions?: string;
  products?: string;
} {
  const days = [...deliveryDays].sort();
  const dates = days.length > 0 ? snapshotDates(days.at(-1)!, days[0]) : [];
  if (dates.length === 0) return {};
  const last = Date.parse(`${dates.at(-1)}T00:00:00Z`);
  const labelsDeliveredBy = last + (TRAINING_SNAPSHOTS.labelDays + MAX_LATENESS_DAYS) * DAY_MS;
  const at = (ms: number) => new Date(ms).toISOString();
  return { transactions: at(labelsDeliveredBy), sessions: at(last), products: at(last) };
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
  description: `Point-in-time correct training set: for ${TRAINING_SNAPSHOTS.count} snapshots ${TRAINING_SNAPSHOTS.everyDays} days apart (Mondays; the last one is the latest whose ${TRAINING_SNAPSHOTS.labelDays}-day label window is fully delivered, late deliveries included) and every customer with a known purchase before the snapshot, the customer features computed only from transactions that happened and were delivered before the snapshot, product versions in effect at those sales and clickstream events before it; labels = purchased again / spend within the ${TRAINING_SNAPSHOTS.labelDays} days from the snapshot. Deliveries after the last label window's (late ones included) are not read, so a new day re-runs it only when the snapshots move.`,
  deps: {
    transactions: silverTransactions,
    products: silverProducts,
    sessions: customerClickSessions,
    streamSessions: clickSessionsStream,
  },
  codeVersion: `5-${CUSTOMER_FEATURE_SET_VERSION}`,
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
    label_spend_30d: money().describe('Amount spent in that window, EUR'),
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
    storedTypes(),
  ],
  readsUntil: ({ transactions }) => trainingReads(transactions),
  materialize: ({ deps, readsUntil }) => {
    // NOTE: the transactions handed over end where the last label window's deliveries do, so the
    // snapshots follow from the instants of `readsUntil`, not from the last partition handed over.
    const days = deps.transactions.partitionKeys.filter((k): k is string => k !== null).sort();
    const dates =
      readsUntil.sessions && days.length > 0
        ? snapshotsEndingAt(Date.parse(readsUntil.sessions), days[0])
        : [];
    const snapshots =
      dates.length > 0
        ? dates.map((d) => `select TIMESTAMPTZ '${d} 00:00:00+00' as as_of`).join(' union all ')
        : 'select NULL::TIMESTAMPTZ as as_of where false';
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
            ${moneyRound('coalesce(sum(t.amount), 0)')} as label_spend_30d
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
