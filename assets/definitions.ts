import { defineDefinitions } from '../framework/index.js';
import {
  backfillCommand,
  closedWindowsPartition,
  createDaemonCommand,
  defineSchedule,
  landingSensor,
  previousDayPartition,
  schedulesCommand,
} from '../schedules/index.js';
import { serveCommand } from '../server/serve-command.js';
import { bronzeAssets } from './bronze/bronze-from-landing.js';
import { operationalCustomerChanges } from './cdc/operational-customer-changes.js';
import { dbSetupCommand, dbStatusCommand, dbStopCommand } from './commands/db-commands.js';
import { generateCommand } from './commands/generate-command.js';
import { renderFeatureCatalog } from './features/feature-catalog.js';
import { aovByCountry, bestSellersByCategory, monthlyRevenue, topCustomers } from './gold/basic-analytics.js';
import { derivedAssets } from './gold/derived.js';
import { salesBySaleDate } from './gold/sales-by-sale-date.js';
import { notifyOnFailure } from './hooks/notify-on-failure.js';
import { s3RawLanding } from './landing/s3-raw-landing.js';
import { rawClickstream } from './raw/raw-clickstream.js';
import { rawCustomers } from './raw/raw-customers.js';
import { rawProducts } from './raw/raw-products.js';
import { rawTransactions } from './raw/raw-transactions.js';
import { sourceFiles } from './raw/source-files.js';
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

/** Every ShopFlow asset, in layer order. */
export const shopflowAssets = [
  sourceFiles,
  rawCustomers,
  rawProducts,
  rawTransactions,
  rawClickstream,
  s3RawLanding,
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
 * extract goes through the daily assets, then the weekly and monthly roll-ups whose window closed.
 */
export const shopflowSchedules = [
  defineSchedule({
    name: 'nightly_pipeline',
    cron: '0 2 * * *',
    timezone: 'Europe/Berlin',
    selection: 'source_files+',
    partitions: previousDayPartition(shopflowDays),
    catchUp: 'all',
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

/** New objects in the landing zone (e.g. a re-delivered extract) re-ingest their day into bronze. */
export const shopflowSensors = [
  landingSensor({
    name: 'landing_arrivals',
    prefix: 'raw/',
    selection: 'bronze_customers,bronze_products,bronze_transactions',
    list: async function* (prefix, { resource }) {
      yield* (await resource(landingStore)).list(prefix);
    },
  }),
];

const daemonCommand = createDaemonCommand({
  services: streamDaemonServices,
  alerts: async ({ resource }) => {
    const notify = await resource(notifier);
    return {
      async send(alert) {
        await notify.notify({
          severity: alert.severity,
          type: alert.kind,
          title: alert.title,
          text: alert.message,
          runId: alert.runId ?? undefined,
          assetKey: alert.assetKey ?? undefined,
          partitionKey: alert.partitionKey ?? null,
          fields: alert.source ? { Source: alert.source } : undefined,
        });
      },
    };
  },
});

/** The ShopFlow pipeline: every asset, the resources they use and the pipeline's own commands. */
export default defineDefinitions({
  assets: [
    ...shopflowAssets,
    ...bronzeAssets,
    operationalCustomerChanges,
    salesBySaleDate,
    ...streamTables,
    clickStreamReconciliation,
    ...derivedAssets,
    ...starSchemaAssets,
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
  commands: [
    generateCommand,
    dbSetupCommand,
    dbStopCommand,
    dbStatusCommand,
    serveCommand,
    schedulesCommand,
    daemonCommand,
    backfillCommand,
    ...streamCommands,
  ],
  schedules: shopflowSchedules,
  sensors: shopflowSensors,
});
