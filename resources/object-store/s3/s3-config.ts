import { z } from 'zod';
import { type RetryOptions, RetryPolicySchema } from '../../../framework/io/blob/retry-policy.js';

const MiB = 1024 * 1024;

/** S3's smallest part for a multipart upload (all but the last part). */
export const MIN_PART_SIZE_BYTES = 5 * MiB;

/** What the S3 store uses when the config leaves a setting out. */
export const S3_DEFAULTS = {
  multipartThresholdBytes: 16 * MiB,
  partSizeBytes: 8 * MiB,
  queueSize: 4,
  listPageSize: 1000,
  requestTimeoutMs: 60_000,
  connectionTimeoutMs: 10_000,
} as const;

/**
 * Config of the S3 object store. Credentials normally come from the environment
 * (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE`, or the instance/task role via the
 * default chain); `credentials` is for tests and S3-compatible servers.
 *
 * @example
 * S3ObjectStoreConfigSchema.parse({ type: 's3', bucket: 'shopflow-landing', prefix: 'prod', region: 'eu-west-1' });
 */
export const S3ObjectStoreConfigSchema = z
  .object({
    type: z.literal('s3'),
    bucket: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'an S3 bucket name is 3-63 lowercase letters, digits, `.` or `-`, starting and ending with a letter or digit',
      ),
    /** Folder inside the bucket that every key is placed under, e.g. `shopflow/prod`. */
    prefix: z.string().optional(),
    region: z.string().min(1).optional(),
    /** An S3-compatible endpoint (`http://127.0.0.1:4569`); omit for AWS. */
    endpoint: z.url().optional(),
    forcePathStyle: z.boolean().optional(),
    /** Bodies larger than this go up as multipart uploads. */
    multipartThresholdBytes: z.number().int().min(0).optional(),
    partSizeBytes: z
      .number()
      .int()
      .min(MIN_PART_SIZE_BYTES, 'S3 parts are at least 5 MiB (5242880 bytes)')
      .optional(),
    queueSize: z.number().int().min(1).max(16).optional(),
    listPageSize: z.number().int().min(1).max(1000).optional(),
    /** Socket inactivity limit; a request that stalls longer fails as a timeout and is retried. */
    requestTimeoutMs: z.number().int().min(1).optional(),
    connectionTimeoutMs: z.number().int().min(1).optional(),
    /**
     * `auto` (default) asks the bucket once: native S3 versions when versioning is Enabled, the
     * manifest scheme otherwise. `native`/`manifest` skip the question (no s3:GetBucketVersioning).
     */
    versioning: z.enum(['auto', 'native', 'manifest']).optional(),
    retry: RetryPolicySchema.optional(),
    credentials: z
      .object({
        accessKeyId: z.string().min(1),
        secretAccessKey: z.string().min(1),
        sessionToken: z.string().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The S3 config as code passes it: the schema's fields, plus injectable retry hooks. */
export type S3ObjectStoreConfig = Omit<z.input<typeof S3ObjectStoreConfigSchema>, 'retry'> & {
  retry?: RetryOptions;
};
