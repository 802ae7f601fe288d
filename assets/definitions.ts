import { defineDefinitions } from '../framework/index.js';
import { serveCommand } from '../server/serve-command.js';
import { dbSetupCommand, dbStatusCommand, dbStopCommand } from './commands/db-commands.js';
import { generateCommand } from './commands/generate-command.js';
import { aovByCountry, bestSellersByCategory, monthlyRevenue, topCustomers } from './gold/basic-analytics.js';
import { derivedAssets } from './gold/derived.js';
import { renderFeatureCatalog } from './features/feature-catalog.js';
import { notifyOnFailure } from './hooks/notify-on-failure.js';
import { notifier } from './resources/notifier.js';
import { starSchemaAssets } from './warehouse/star-schema.js';
import { s3RawLanding } from './landing/s3-raw-landing.js';
import { rawClickstream } from './raw/raw-clickstream.js';
import { rawCustomers } from './raw/raw-customers.js';
import { rawProducts } from './raw/raw-products.js';
import { rawTransactions } from './raw/raw-transactions.js';
import { sourceFiles } from './raw/source-files.js';
import { generatorSettings } from './resources/generator-settings.js';
import { incrementalSettings } from './resources/incremental-settings.js';
import { landingStore } from './resources/landing-store.js';
import { postgresWarehouse } from './resources/postgres-warehouse.js';
import { silverCustomers } from './silver/silver-customers.js';
import { silverProducts } from './silver/silver-products.js';
import { silverTransactions } from './silver/silver-transactions.js';
import { pgCustomers } from './warehouse/pg-customers.js';
import { pgProducts } from './warehouse/pg-products.js';
import { pgTransactions } from './warehouse/pg-transactions.js';

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

/** The ShopFlow pipeline: every asset, the resources they use and the pipeline's own commands. */
export default defineDefinitions({
  assets: [...shopflowAssets, ...derivedAssets, ...starSchemaAssets],
  resources: [generatorSettings, incrementalSettings, postgresWarehouse, landingStore, notifier],
  hooks: [notifyOnFailure],
  docs: [{ name: 'feature-catalog.md', render: renderFeatureCatalog }],
  commands: [generateCommand, dbSetupCommand, dbStopCommand, dbStatusCommand, serveCommand],
});
