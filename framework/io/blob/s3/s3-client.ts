import type { S3Client } from '@aws-sdk/client-s3';
import { nodeHttpHandler, s3Sdk } from './s3-sdk.js';

/** How to reach S3: what the object store and the lake share. */
export interface S3ClientSettings {
  region?: string;
  /** An S3-compatible endpoint (`http://127.0.0.1:4569`); omit for AWS. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** For tests and S3-compatible servers; otherwise the SDK's default chain (environment, profile, role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Socket inactivity limit; a request that stalls longer fails as a timeout (and is retried). */
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
}

/** Timeouts when the settings leave them out. */
export const S3_CLIENT_DEFAULTS = { requestTimeoutMs: 60_000, connectionTimeoutMs: 10_000 } as const;

/**
 * An S3 client whose own retries are off (`maxAttempts: 1`), so the caller's retry policy is the
 * only one acting; checksums are computed only where S3 requires them, which keeps request bodies
 * plain for S3-compatible servers.
 *
 * @example
 * const client = createS3Client({ region: 'eu-west-1' });
 */
export function createS3Client(settings: S3ClientSettings): S3Client {
  const { S3Client } = s3Sdk();
  const { NodeHttpHandler } = nodeHttpHandler();
  return new S3Client({
    region: settings.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    forcePathStyle: settings.forcePathStyle ?? false,
    // NOTE: a copy, because the SDK writes bookkeeping fields (`$source`) into the object it gets.
    ...(settings.credentials === undefined ? {} : { credentials: { ...settings.credentials } }),
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: settings.connectionTimeoutMs ?? S3_CLIENT_DEFAULTS.connectionTimeoutMs,
      socketTimeout: settings.requestTimeoutMs ?? S3_CLIENT_DEFAULTS.requestTimeoutMs,
    }),
  });
}
