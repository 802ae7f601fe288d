import { defineDefinitions } from '../framework/index.js';
import {
  backfillCommand,
  closedWindowsPartition,
  createDaemonCommand,
  defineSchedule,
  landingSensor,
  pauseCommands,
  schedulesCommand,
  serverAutomation,
  throughPreviousDay,
} from '../schedules/index.js';
import { createServeCommand } from '../server/serve-command.js';
import { bronzeAssets } from './bronze/bronze-from-landing.js';
import { landedIds } from './bronze/landed-ids.js';
import { customerProfileAudit } from './cdc/customer-profile-audit.js';
import { operationalCustomerChanges } from './cdc/operational-customer-changes.js';
import {
  dbSetupCommand,
  dbStatusCommand,
  dbStopCommand,
  embeddedPostgresDoctorCheck,
} from './commands/db-commands.js';
import { generateCommand } from './commands/generate-command.js';
import { renderFeatureCatalog } from './features/feature-catalog.js';
import { aovByCountry, bestSellersByCategory, monthlyRevenue, topCustomers } from './gold/basic-analytics.js';
import { derivedAssets } from './gold/derived.js';
import { salesBySaleDate } from './gold/sales-by-sale-date.js';
import { notifierAlertSink } from './hooks/notifier-alert-sink.js';
import { notifyOnFailure } from './hooks/notify-on-failure.js';
import { LANDED_BY_PIPELINE, s3RawLanding } from './landing/s3-raw-landing.js';
import { rawClickstream } from './raw/raw-clickstream.js';
import { rawCustomers } from './raw/raw-customers.js';
import { rawProducts } from './raw/raw-products.js';
import { rawTransactions } from './raw/raw-transactions.js';
import { sourceFiles } from './raw/source-files.js';
import { reconciliationAssets } from './reconciliation/index.js';
import { clickstreamStream } from './resources/clickstream-stream.js';
import { generatorSettings } from './resources/generator-settings.js';
import { incrementalSettings } from './resources/incremental-settings.js';
import { landingStore } from './resources/landing-store.js';
import { notifier } from './resources/notifier.js';
import { postgresWarehouse } from './resources/postgres-warehouse.js';
import { shopflowDays, shopflowMonths, shopflowWeeks } from './shopflow-calendar.js';
import { silverCustomers } from './silver/silver-customers.js';
import { silverProducts } from './silver/silver-products.js';
import { silverTransactions } from './silver/silver-transactions.js';
import { clickStreamReconciliation } from './streaming/click-stream-reconciliation.js';
import { streamCommands } from './streaming/commands/stream-commands.js';
import { streamDaemonServices } from './streaming/commands/stream-daemon-service.js';
import { streamCommits } from './streaming/stream-commits.js';
import { streamTables } from './streaming/stream-tables.js';
import { pgCustomers } from './warehouse/pg-customers.js';
import { pgProducts } from './warehouse/pg-products.js';
import { pgTransactions } from './warehouse/pg-transactions.js';
import { starSchemaAssets } from './warehouse/star-schema.js';

/**
 * Every ShopFlow asset of the main path, in layer order: the source extract lands first and
 * everything downstream reads what landed (source → landing → bronze → raw → silver → …).
 */
export const shopflowAssets = [
  sourceFiles,
  s3RawLanding,
  ...bronzeAssets,
  landedIds,
  rawCustomers,
  rawProducts,
  rawTransactions,
  rawClickstream,
  silverCustomers,
  silverProducts,
  silverTransactions,
  pgCustomers,
  pgProducts,
  pgTransactions,
  topCustomers,
  bestSellersByCategory,
  monthlyRevenue,
  aovByCountry,
];

/**
 * When ShopFlow materializes without anyone typing: every night at 02:00 Berlin time yesterday's
 * extract goes through the whole graph, the week and month containing it included (open or just
 * closed); the roll-up schedules re-check the windows that closed. After downtime, or on a fresh
 * instance, the next nightly run materializes every day it missed (only stale partitions are planned).
 */
export const shopflowSchedules = [
  defineSchedule({
    name: 'nightly_pipeline',
    cron: '0 2 * * *',
    timezone: 'Europe/Berlin',
    // NOTE: the whole graph: `dim_date` is a root besides `source_files`, and a fresh instance needs it.
    selection: '*',
    partitions: throughPreviousDay(shopflowDays),
    catchUp: 'latest',
    retry: { maxRetries: 1 },
  }),
  defineSchedule({
    name: 'weekly_rollups',
    cron: '30 2 * * 1',
    timezone: 'Europe/Berlin',
    selection: 'gold_sales_weekly',
    partitions: closedWindowsPartition(shopflowWeeks),
    catchUp: 'latest',
  }),
  defineSchedule({
    name: 'monthly_rollups',
    cron: '45 2 1 * *',
    timezone: 'Europe/Berlin',
    selection: 'gold_sales_monthly',
    partitions: closedWindowsPartition(shopflowMonths),
    catchUp: 'latest',
  }),
];

/**
 * Objects the source system re-delivers to the landing zone (new versions not written by
 * `s3_raw_landing`) are re-read into bronze for their day, and everything that changes with them —
 * raw validation, silver, the warehouse, gold and features, from that day on — is materialized
 * again; partitions that come out identical stop the flow there.
 */
export const shopflowSensors = [
  landingSensor({
    name: 'landing_arrivals',
    prefix: 'raw/',
    selection: bronzeAssets.map((asset) => `${asset.key}+`).join(','),
    list: async function* (prefix, { resource }) {
      yield* (await resource(landingStore)).list(prefix);
    },
    accept: async (object, { resource }) => {
      const info = await (await resource(landingStore)).head(object.key);
      const landedBy = info?.metadata?.['landed-by'];
      return info !== undefined && landedBy !== LANDED_BY_PIPELINE['landed-by'];
    },
    notAccepted: 'landed by the pipeline itself (not re-deliveries)',
    // NOTE: nothing is forced: bronze records the fingerprint of every object it read, so the plan
    // re-reads exactly the days whose objects changed, and what changes with them.
    reopen: 'onward',
  }),
];

const daemonCommand = createDaemonCommand({
  services: streamDaemonServices,
  alerts: async ({ resource }) => notifierAlertSink(await resource(notifier)),
});

/** The ShopFlow pipeline: every asset, the resources they use and the pipeline's own commands. */
export default defineDefinitions({
  assets: [
    ...shopflowAssets,
    operationalCustomerChanges,
    customerProfileAudit,
    salesBySaleDate,
    ...streamTables,
    clickStreamReconciliation,
    ...derivedAssets,
    ...starSchemaAssets,
    ...reconciliationAssets,
  ],
  resources: [
    generatorSettings,
    incrementalSettings,
    postgresWarehouse,
    landingStore,
    notifier,
    clickstreamStream,
    streamCommits,
  ],
  hooks: [notifyOnFailure],
  docs: [{ name: 'feature-catalog.md', render: renderFeatureCatalog }],
  doctorChecks: [embeddedPostgresDoctorCheck],
  commands: [
    generateCommand,
    dbSetupCommand,
    dbStopCommand,
    dbStatusCommand,
    createServeCommand({ automation: serverAutomation }),
    schedulesCommand,
    ...pauseCommands,
    daemonCommand,
    backfillCommand,
    ...streamCommands,
  ],
  schedules: shopflowSchedules,
  sensors: shopflowSensors,
});
