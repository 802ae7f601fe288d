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

const ManifestSchema = z.strictObject({
  format: z.literal(FORMAT),
  commitId: z.string().min(1),
  runId: z.string().min(1),
  committedAt: z.string(),
  files: z.array(FileSchema),
  quarantine: FileSchema.nullable(),
  dataVersion: z.string().optional(),
  rowCount: z.int().optional(),
});

/** One partition's committed version on S3: exactly the objects a reader must read. */
export type PartitionManifest = z.output<typeof ManifestSchema>;

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
