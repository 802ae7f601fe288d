import { z } from 'zod';
import {
  booleanField,
  intFrom,
  numberFrom,
  positiveNumber,
  textField,
} from '../../../config/config-fields.js';

const MiB = 1024 * 1024;

/**
 * The `lake` section for a lake in an S3 bucket. Credentials never appear here: the AWS SDK's
 * default chain finds them (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE`, the
 * instance or task role).
 *
 * @example
 * lake: { type: s3, bucket: shopflow-lake, prefix: lake/, region: eu-west-1, cacheSizeMb: 4096 }
 */
export const S3LakeConfigSchema = z.strictObject({
  type: z.literal('s3'),
  bucket: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'an S3 bucket name is 3-63 lowercase letters, digits, `.` or `-`, starting and ending with a letter or digit',
    ),
  /** Key prefix inside the bucket that the lake lives under, e.g. `lake/`. */
  prefix: z
    .string()
    .refine(
      (p) =>
        !p.startsWith('/') &&
        !p.split('/').some((s, i, all) => s === '..' || (s === '' && i < all.length - 1)),
      'a key prefix like `lake/` or `prod/lake/`: no leading `/`, no empty or `..` segments',
    )
    .default(''),
  region: textField().optional(),
  /** An S3-compatible endpoint (MinIO, s3rver, LocalStack), e.g. `http://127.0.0.1:4569`. */
  endpoint: z.url().optional(),
  forcePathStyle: booleanField().optional(),
  /** Local folder of the read cache; `<home>/cache/lake` when absent. */
  cacheDir: textField().optional(),
  /** Size limit of the read cache; the least recently used files go first. */
  cacheSizeMb: positiveNumber().default(2048),
  /**
   * `auto`: read `s3://` directly when DuckDB's httpfs extension is installed, otherwise through the
   * read cache; `cache` or `direct` force one (`direct` fails without httpfs).
   */
  read: z.enum(['auto', 'cache', 'direct']).default('auto'),
  /** Objects no committed version references are removed once this old (0 only for tests). */
  orphanGraceMinutes: numberFrom(0).default(60),
  /**
   * After every commit, rewrite the partition's symlink manifest (`_symlinks/…`), so the Glue tables
   * of `shopflow catalog --glue` always read the committed version.
   */
  symlinks: booleanField().default(false),
  /** Commit with `If-Match`/`If-None-Match` so a second writer fails instead of overwriting. */
  conditionalWrites: booleanField().default(true),
  /** Files larger than this go up as multipart uploads. */
  multipartThresholdBytes: intFrom(0).optional(),
  partSizeBytes: intFrom(5 * MiB).optional(),
  /** Socket inactivity limit of one request; a stalled request fails as a timeout and is retried. */
  requestTimeoutMs: intFrom(1).optional(),
  retry: z
    .strictObject({
      maxAttempts: intFrom(1).optional(),
      baseDelayMs: intFrom(0).optional(),
      maxDelayMs: intFrom(0).optional(),
    })
    .optional(),
});

export type S3LakeConfig = z.output<typeof S3LakeConfigSchema>;
