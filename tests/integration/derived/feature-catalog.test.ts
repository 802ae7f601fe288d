import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  customerFeatureColumns,
  customerFeatureSchema,
} from '../../../assets/features/customer-feature-columns.js';
import {
  CUSTOMER_FEATURE_SET_VERSION,
  customerFeatures,
} from '../../../assets/features/customer-features.js';
import {
  featureCatalog,
  renderFeatureCatalog,
  writeFeatureCatalog,
} from '../../../assets/features/feature-catalog.js';
import { featureColumn, featureSetVersion } from '../../../assets/features/feature-column.js';
import { trainingDataset } from '../../../assets/features/training-dataset.js';
import { tempHome } from '../../support/example-runtime.js';

describe('the feature catalog', () => {
  test('lists every feature of the schema with its type, version, description and sources', () => {
    const catalog = featureCatalog();
    expect(catalog.map((f) => f.name)).toEqual(Object.keys(customerFeatureColumns));
    for (const feature of catalog) {
      expect(Number.isInteger(feature.version) && feature.version >= 1).toBe(true);
      expect(feature.description.length).toBeGreaterThan(10);
      expect(feature.sources.length).toBeGreaterThan(0);
      expect(feature.type).toMatch(/^(BIGINT|DOUBLE|VARCHAR|DECIMAL\(\d+,\d+\))$/);
    }
    const markdown = renderFeatureCatalog();
    for (const feature of catalog) {
      expect(markdown).toContain(`| \`${feature.name}\` | ${feature.type}`);
      expect(markdown).toMatch(new RegExp(`\\| \`${feature.name}\` \\| [^|]+ \\| ${feature.version} \\|`));
    }
    expect(markdown).toContain(CUSTOMER_FEATURE_SET_VERSION);
  });

  test('docs/feature-catalog.md is the generated catalog, and writeFeatureCatalog writes it', () => {
    expect(readFileSync(join(process.cwd(), 'docs', 'feature-catalog.md'), 'utf8')).toBe(
      renderFeatureCatalog(),
    );
    const { home, cleanup } = tempHome('shopflow-catalog-');
    try {
      const file = writeFeatureCatalog(join(home, 'catalog.md'));
      expect(readFileSync(file, 'utf8')).toBe(renderFeatureCatalog());
    } finally {
      cleanup();
    }
  });

  test('both feature assets carry every feature; bumping a version changes the feature set version and code versions', () => {
    for (const asset of [customerFeatures, trainingDataset]) {
      expect(Object.keys(asset.schema.shape)).toEqual(
        expect.arrayContaining(Object.keys(customerFeatureColumns)),
      );
      expect(asset.codeVersion).toContain(CUSTOMER_FEATURE_SET_VERSION);
    }
    expect(featureSetVersion(customerFeatureSchema)).toBe(CUSTOMER_FEATURE_SET_VERSION);
    const bumped = z.object({
      ...customerFeatureColumns,
      frequency: featureColumn(z.int(), {
        description: 'Purchases',
        version: 2,
        sources: ['silver_transactions'],
      }),
    });
    expect(featureSetVersion(bumped)).not.toBe(CUSTOMER_FEATURE_SET_VERSION);
  });
});
