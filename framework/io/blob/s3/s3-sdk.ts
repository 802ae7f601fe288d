import { createRequire } from 'node:module';

// NOTE: the AWS SDK takes a tenth of a second to load; it is required on first use, so commands and
// configurations that never touch S3 (help, listing assets, a local lake) do not pay for it.
const require = createRequire(import.meta.url);

/** `@aws-sdk/client-s3`, loaded on first use. */
export function s3Sdk(): typeof import('@aws-sdk/client-s3') {
  return require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
}

/** `@aws-sdk/lib-storage` (multipart uploads), loaded on first use. */
export function s3Upload(): typeof import('@aws-sdk/lib-storage') {
  return require('@aws-sdk/lib-storage') as typeof import('@aws-sdk/lib-storage');
}

/** `@smithy/node-http-handler` (HTTP/1.1 with timeouts), loaded on first use. */
export function nodeHttpHandler(): typeof import('@smithy/node-http-handler') {
  return require('@smithy/node-http-handler') as typeof import('@smithy/node-http-handler');
}
