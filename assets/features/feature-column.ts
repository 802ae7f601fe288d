import { createHash } from 'node:crypto';
import { globalRegistry, type z } from 'zod';

/** What the feature catalog records about one feature besides its column type. */
export interface FeatureInfo {
  /** Bumped whenever the feature's definition (what it measures or how) changes. */
  version: number;
  /** Asset keys the feature is computed from. */
  sources: string[];
}

/** One feature of a schema, as the feature catalog lists it. */
export interface FeatureEntry extends FeatureInfo {
  name: string;
  description: string;
}

/**
 * Marks a schema column as a versioned feature: its description, version and source assets are
 * stored in the schema's metadata, where the feature catalog and `feature_set_version` read them.
 *
 * @example
 * recency_days: featureColumn(z.int().nullable(), {
 *   description: 'Days since the latest purchase', version: 1, sources: ['silver_transactions'],
 * })
 */
export function featureColumn<T extends z.ZodType>(
  type: T,
  feature: FeatureInfo & { description: string },
): T {
  const { description, ...info } = feature;
  return type.meta({ description, feature: info });
}

/**
 * The features of an object schema (columns declared with {@link featureColumn}), in column order.
 *
 * @example
 * featuresOf(customerFeatures.schema).map((f) => `${f.name}@${f.version}`)
 */
export function featuresOf(schema: z.ZodObject): FeatureEntry[] {
  const entries: FeatureEntry[] = [];
  for (const [name, field] of Object.entries(schema.shape)) {
    const meta = globalRegistry.get(field as z.ZodType) as
      | { description?: string; feature?: FeatureInfo }
      | undefined;
    if (!meta?.feature) continue;
    entries.push({ name, description: meta.description ?? '', ...meta.feature });
  }
  return entries;
}

/**
 * A short, stable id of a set of features and their versions: it changes when a feature is
 * added, removed or has its version bumped, so rows and models can say which definitions they used.
 *
 * @example
 * featureSetVersion(customerFeatures.schema) // e.g. 'fs-3b1f09c2'
 */
export function featureSetVersion(schema: z.ZodObject): string {
  const ids = featuresOf(schema).map((f) => `${f.name}@${f.version}`);
  return `fs-${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 8)}`;
}
