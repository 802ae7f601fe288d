import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ShopflowError } from '../../framework/errors/error-catalog.js';

/** One version of one key, as the manifest records it. */
export const ManifestEntrySchema = z.object({
  versionId: z.string().min(1),
  /** Hex SHA-256; absent for a version found in place rather than written by ShopFlow. */
  sha256: z.string().optional(),
  size: z.number().int().min(0),
  /** ISO time the version was written. */
  lastModified: z.string(),
  /** Identifies the bytes of the live object as the backend sees them (local: size+mtime, S3: ETag). */
  fingerprint: z.string(),
  contentType: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});

/**
 * The versions of one key, newest first. The first entry describes the live object; the others
 * are kept in the key's versions folder. Stored as JSON at `_versions/<key>.manifest.json`.
 */
export const VersionManifestSchema = z.object({
  formatVersion: z.literal(1),
  key: z.string(),
  versions: z.array(ManifestEntrySchema),
});

export type ManifestEntry = z.infer<typeof ManifestEntrySchema>;
export type VersionManifest = z.infer<typeof VersionManifestSchema>;

function compactTime(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, '');
}

/**
 * A new version id: the UTC write time (sortable) and 8 random hex digits, e.g.
 * `20240115T103000123Z-1a2b3c4d`. Pass `seed` for an id that is the same every time (used for a
 * version found in place, so it keeps its id until it is recorded).
 *
 * @example
 * newVersionId(new Date('2024-01-15T10:30:00.123Z')); // '20240115T103000123Z-…'
 */
export function newVersionId(at: Date, seed?: string): string {
  const suffix =
    seed === undefined
      ? randomBytes(4).toString('hex')
      : createHash('sha256').update(seed).digest('hex').slice(0, 8);
  return `${compactTime(at)}-${suffix}`;
}

/** Parses a stored manifest; throws `SF_IO` naming `where` when it is not one. */
export function parseVersionManifest(text: string, where: string): VersionManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw corrupt(where, 'is not valid JSON', error);
  }
  const result = VersionManifestSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw corrupt(where, `has an invalid field \`${issue.path.join('.') || '(root)'}\`: ${issue.message}`);
  }
  return result.data;
}

function corrupt(where: string, problem: string, cause?: unknown): ShopflowError {
  return new ShopflowError('SF_IO', `version manifest ${where} ${problem}`, {
    cause,
    hint: 'restore it from a backup, or delete it to start the version history afresh (the live object stays readable)',
  });
}

/** The manifest as stored (stable, readable JSON). */
export function serializeVersionManifest(manifest: VersionManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
