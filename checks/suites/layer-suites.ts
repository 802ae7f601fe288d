import type { AssetCheck, NameVocabulary } from '../../framework/index.js';
import { notNull } from '../builders/not-null.js';
import { piiScan } from '../builders/pii-scan.js';
import { rowCountAnomaly } from '../builders/row-count-anomaly.js';
import { schemaDrift } from '../builders/schema-drift.js';
import { storedTypes } from '../builders/stored-types.js';
import { unique } from '../builders/unique.js';

/** The lake layers with a standard set of checks. */
export type Layer = 'raw' | 'silver' | 'gold';

/**
 * The checks every asset of a layer carries, on top of its own rules:
 * - **raw**: schema drift (warn) and row-count anomaly (warn) — the source changed shape or volume;
 * - **silver**: the natural key is present and unique (error), schema drift is an error (typed
 *   contracts downstream rely on), every column stored with its declared type (error), row-count
 *   anomaly (warn);
 * - **gold**: the grain is unique (error), every column stored with its declared type (error),
 *   schema drift and row-count anomaly (warn);
 * - every layer: no undeclared personal data in a text column (`piiScan`, error), person names
 *   recognised from `piiNames`.
 *
 * @example
 * checks: [...layerSuite('silver', { key: ['customer_id', 'updated_at'] }), inRange('price', { min: 0 })]
 */
export function layerSuite(
  layer: Layer,
  options: {
    key?: string[];
    anomalyTolerance?: number;
    piiNames?: NameVocabulary | (() => NameVocabulary);
  } = {},
): AssetCheck[] {
  const key = options.key ?? [];
  const pii = piiScan({ names: options.piiNames });
  const anomaly = rowCountAnomaly({
    tolerance: options.anomalyTolerance ?? (layer === 'gold' ? 0.8 : 0.6),
    severity: 'warn',
  });
  switch (layer) {
    case 'raw':
      return [schemaDrift({ severity: 'warn' }), anomaly, pii];
    case 'silver':
      return [
        ...(key.length ? [notNull(key, { name: 'key_present' }), unique(key, { name: 'key_unique' })] : []),
        schemaDrift({ severity: 'error' }),
        storedTypes(),
        anomaly,
        pii,
      ];
    case 'gold':
      return [
        ...(key.length ? [unique(key, { name: 'grain_unique' })] : []),
        storedTypes(),
        schemaDrift({ severity: 'warn' }),
        anomaly,
        pii,
      ];
  }
}
