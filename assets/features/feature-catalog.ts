import { writeFileSync } from 'node:fs';
import { schemaColumns } from '../../framework/index.js';
import { customerFeatureSchema } from './customer-feature-columns.js';
import { CUSTOMER_FEATURE_SET_VERSION } from './customer-features.js';
import { type FeatureEntry, featuresOf } from './feature-column.js';

/** One line of the feature catalog. */
export interface FeatureCatalogEntry extends FeatureEntry {
  /** The lake (DuckDB) type. */
  type: string;
  nullable: boolean;
}

/**
 * Every customer feature with its type, version, description and source assets, read from the
 * feature schema.
 *
 * @example
 * featureCatalog().map((f) => `${f.name}@${f.version}`)
 */
export function featureCatalog(): FeatureCatalogEntry[] {
  const columns = new Map(schemaColumns(customerFeatureSchema).map((c) => [c.name, c]));
  return featuresOf(customerFeatureSchema).map((feature) => {
    const column = columns.get(feature.name)!;
    return { ...feature, type: column.type, nullable: column.nullable };
  });
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/**
 * The feature catalog as Markdown (the content of `docs/feature-catalog.md`).
 *
 * @example
 * renderFeatureCatalog().startsWith('# Feature catalog') // true
 */
export function renderFeatureCatalog(): string {
  const rows = featureCatalog().map(
    (f) =>
      `| \`${f.name}\` | ${f.type}${f.nullable ? ' (nullable)' : ''} | ${f.version} | ${cell(f.description)} | ${f.sources.map((s) => `\`${s}\``).join(', ')} |`,
  );
  return `# Feature catalog

Generated from the feature schema in \`assets/features/customer-feature-columns.ts\` by
\`writeFeatureCatalog()\`; do not edit by hand.

Feature set version: \`${CUSTOMER_FEATURE_SET_VERSION}\` (a hash of every feature name and version; written on
every row as \`feature_set_version\`). Bump a feature's version when its definition changes: the id
changes and \`customer_features\` and \`training_dataset\` become stale.

The features appear in two assets, computed by the same SQL:

- \`customer_features\`: one row per customer, as of the end of the extract (midnight UTC after the
  latest delivery day);
- \`training_dataset\`: one row per snapshot date and customer who had bought before it, as of the
  snapshot (point in time: only transactions that happened and were delivered before it, product
  versions in effect at those sales, clickstream events before it), with the labels of the 30 days
  after it.

| feature | type | version | description | source assets |
|---|---|---|---|---|
${rows.join('\n')}
`;
}

/**
 * Writes the feature catalog to `file` (default `docs/feature-catalog.md` under the working
 * folder) and returns the path.
 *
 * @example
 * writeFeatureCatalog(join(repoRoot, 'docs', 'feature-catalog.md'));
 */
export function writeFeatureCatalog(file = 'docs/feature-catalog.md'): string {
  writeFileSync(file, renderFeatureCatalog());
  return file;
}
