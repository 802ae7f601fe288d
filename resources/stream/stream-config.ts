import { z } from 'zod';

const int = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v),
    z.int().min(min).max(max),
  );

/**
 * Where the event stream is (`resources.stream` connection fields). `local` (default): a
 * Kinesis-compatible server (kinesalite) started on 127.0.0.1 with its data in `<home>/kinesis`,
 * the stream created with `shards` shards on first use. `aws`: an existing Kinesis stream (created
 * by `infra/`), reached with the AWS default credential chain (environment, instance role).
 */
export const StreamConnectionSchema = z.object({
  mode: z.enum(['local', 'aws']).default('local'),
  /** Stream name. */
  name: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{1,128}$/, { error: 'expected 1-128 letters, digits, `_`, `.` or `-`' })
    .default('shopflow-clickstream'),
  /** Shards of the local stream when it is created (a shard takes 1,000 records/s). */
  shards: int(1, 64).default(2),
  /** Folder of the local server (default `<home>/kinesis`). */
  dir: z.string().min(1).optional(),
  /** AWS region (default `AWS_REGION`). */
  region: z.string().min(1).optional(),
  /** A Kinesis-compatible endpoint for `mode: aws` (e.g. a VPC endpoint); AWS's own when absent. */
  endpoint: z.url().optional(),
});

export type StreamConnection = z.output<typeof StreamConnectionSchema>;
