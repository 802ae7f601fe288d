import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { S3_DEFAULTS, type S3ObjectStoreConfig } from './s3-config.js';

/**
 * An S3 client for the object store. The SDK's own retries are off (`maxAttempts: 1`) so the
 * store's retry policy is the only one acting; checksums are computed only where S3 requires
 * them, which keeps request bodies plain for S3-compatible servers.
 *
 * @example
 * const client = createS3Client({ type: 's3', bucket: 'landing', region: 'eu-west-1' });
 */
export function createS3Client(config: S3ObjectStoreConfig): S3Client {
  return new S3Client({
    region: config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    forcePathStyle: config.forcePathStyle ?? false,
    // NOTE: a copy, because the SDK writes bookkeeping fields (`$source`) into the object it gets.
    ...(config.credentials === undefined ? {} : { credentials: { ...config.credentials } }),
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: config.connectionTimeoutMs ?? S3_DEFAULTS.connectionTimeoutMs,
      socketTimeout: config.requestTimeoutMs ?? S3_DEFAULTS.requestTimeoutMs,
    }),
  });
}
