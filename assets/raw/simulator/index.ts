/**
 * The seeded ShopFlow business simulator: raw customers, products, transactions and clickstream,
 * with recorded defects. See generate-shopflow-data.ts for the design.
 */
export { toCsvLine } from './csv-line.js';
export {
  DEFECT_KINDS_BY_FILE,
  type DefectFile,
  type DefectKind,
  type DefectRecord,
  ORPHAN_ID_BASE,
} from './defect-injection.js';
export { DEFECT_LIST_CAP, type DefectReport } from './defect-ledger.js';
export {
  DEFECTS_FILE,
  type GenerateSummary,
  type GenerationManifest,
  generateShopflowData,
  MANIFEST_FILE,
} from './generate-shopflow-data.js';
export {
  type ClickEvent,
  type ClickEventType,
  CSV_HEADERS,
  type CustomerRow,
  formatClickEvent,
  formatCustomerRow,
  formatProductRow,
  formatTransactionRow,
  type ProductRow,
  RAW_DATA_FILES,
  type RawDataFile,
  type TransactionRow,
} from './raw-file-formats.js';
export {
  type DayExtract,
  type EntityCounts,
  ShopflowSimulator,
  type SimulatedDay,
  simulateDay,
} from './shopflow-simulator.js';
export { PAYMENT_METHODS, type PaymentMethod } from './shopflow-vocabulary.js';
export {
  type GenerateOptions,
  type GenerateProgress,
  MAX_DAYS as MAX_SIMULATED_DAYS,
  SIMULATION_DEFAULTS,
  type SimulationOptions,
} from './simulator-options.js';
