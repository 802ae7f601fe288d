import { lazyModule } from '../../../modules/lazy-module.js';

// NOTE: the AWS SDK takes a tenth of a second to load; it is required on first use, so commands and
// configurations that never touch S3 (help, listing assets, a local lake) do not pay for it.

/** `@aws-sdk/client-s3`, loaded on first use. */
export const s3Sdk = lazyModule<typeof import('@aws-sdk/client-s3')>('@aws-sdk/client-s3');

/** `@aws-sdk/lib-storage` (multipart uploads), loaded on first use. */
export const s3Upload = lazyModule<typeof import('@aws-sdk/lib-storage')>('@aws-sdk/lib-storage');

/** `@smithy/node-http-handler` (HTTP/1.1 with timeouts), loaded on first use. */
export const nodeHttpHandler =
  lazyModule<typeof import('@smithy/node-http-handler')>('@smithy/node-http-handler');
