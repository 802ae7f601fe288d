// Reusable data-quality check builders; ShopFlow's suites per layer live in checks/suites/.
export { acceptedValues } from './builders/accepted-values.js';
export { dataFreshness } from './builders/data-freshness.js';
export { inRange } from './builders/in-range.js';
export { EMAIL_PATTERN, matches } from './builders/matches.js';
export { notNull } from './builders/not-null.js';
export { parseableDate } from './builders/parseable-date.js';
export { piiScan } from './builders/pii-scan.js';
export { references } from './builders/references.js';
export { roundedAverage } from './builders/rounded-average.js';
export { rowCountAnomaly } from './builders/row-count-anomaly.js';
export { rowsKept } from './builders/rows-kept.js';
export { schemaDrift } from './builders/schema-drift.js';
export { describeMismatches, storedTypes, storedTypesResult } from './builders/stored-types.js';
export { unique } from './builders/unique.js';
export { type Layer, layerSuite } from './suites/layer-suites.js';
export { withValidationLog } from './validation-log.js';
export { appendValidationLog } from './validation-log-entry.js';
