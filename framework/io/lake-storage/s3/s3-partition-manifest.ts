import { z } from 'zod';
import { ShopflowError } from '../../../errors/error-catalog.js';

/** The object that makes a partition version visible: written last, in one PUT. */
export const MANIFEST_NAME = '_manifest.json';

const FORMAT = 'shopflow-lake-partition/1';

const FileSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]+\.parquet$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.int().min(0),
});

const RetiredSchema = z.strictObject({ name: FileSchema.shape.name, at: z.string() });

const ManifestSchema = z.strictObject({
  format: z.literal(FORMAT),
  commitId: z.string().min(1),
  runId: z.string().min(1),
  committedAt: z.string(),
  files: z.array(FileSchema),
  quarantine: FileSchema.nullable(),
  dataVersion: z.string().optional(),
  rowCount: z.int().optional(),
  /**
   * Files earlier versions listed and this one does not, with when they stopped being current:
   * readers of those versions may still fetch them, so they stay until the grace period has passed.
   */
  retired: z.array(RetiredSchema).default([]),
});

/** One partition's committed version on S3: exactly the objects a reader must read. */
export type PartitionManifest = z.output<typeof ManifestSchema>;

/**
 * The objects of a partition folder that may be removed at `cutoff` (now minus the grace period):
 * files earlier versions listed, once retired before the cutoff, and objects no version ever listed
 * (uploads of writes that never committed), once written before it. What the manifest lists stays.
 *
 * @example
 * unreferencedObjects([{ name: 'data-a.parquet', lastModified }], manifest, Date.now() - 3_600_000);
 */
export function unreferencedObjects<T extends { name: string; lastModified: Date }>(
  objects: T[],
  manifest: Pick<PartitionManifest, 'files' | 'quarantine' | 'retired'> | undefined,
  cutoff: number,
): T[] {
  const listed = new Set([MANIFEST_NAME, ...(manifest?.files ?? []).map((f) => f.name)]);
  if (manifest?.quarantine) listed.add(manifest.quarantine.name);
  const retiredAt = new Map((manifest?.retired ?? []).map((r) => [r.name, Date.parse(r.at)]));
  return objects.filter((object) => {
    if (object.name.includes('/') || listed.has(object.name)) return false;
    const since = retiredAt.get(object.name) ?? object.lastModified.getTime();
    return since <= cutoff;
  });
}

/** The manifest's bytes (stable key order, so equal manifests have equal bytes). */
export function serializeManifest(manifest: Omit<PartitionManifest, 'format'>): Buffer {
  return Buffer.from(`${JSON.stringify({ format: FORMAT, ...manifest }, null, 1)}\n`, 'utf8');
}

/** Parses a manifest; a damaged one is an `SF_IO` error naming where it is. */
export function parseManifest(bytes: Buffer, location: string): PartitionManifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ShopflowError('SF_IO', `the partition manifest ${location} is not JSON`, {
      cause: error,
      hint: 're-materialize the partition (the manifest is rewritten by every commit)',
      details: {},
    });
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ShopflowError(
      'SF_IO',
      `the partition manifest ${location} is invalid at \`${issue.path.join('.') || '(root)'}\`: ${issue.message}`,
      { hint: 're-materialize the partition (the manifest is rewritten by every commit)', details: {} },
    );
  }
  return parsed.data;
}
