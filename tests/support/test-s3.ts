import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3ObjectStoreConfig } from '../../resources/object-store/s3/s3-config.js';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

type S3rverConstructor = new (options: {
  port: number;
  address: string;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

// NOTE: s3rver ships no type declarations; require gives it the small shape declared above.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

/** The fake credentials s3rver accepts. */
export const TEST_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** A real S3 API (s3rver) on loopback for one test file, in a fresh temporary folder. */
export interface TestS3 {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  bucket: string;
  /** A ready object store config for this server (path-style, fake credentials). */
  config: S3ObjectStoreConfig & { endpoint: string };
  stop(): Promise<void>;
}

/**
 * Starts s3rver on 127.0.0.1 with a random port and one empty bucket. s3rver speaks the S3 REST
 * API but has no bucket versioning, ListObjectVersions, AbortMultipartUpload or (on Node's
 * OpenSSL 3) ListObjectsV2 pagination; the object store works within that.
 *
 * @example
 * let s3: TestS3;
 * beforeAll(async () => { s3 = await startTestS3(); });
 * afterAll(async () => { await s3.stop(); });
 * const store = createObjectStore(s3.config);
 */
export async function startTestS3(options: { bucket?: string } = {}): Promise<TestS3> {
  const bucket = options.bucket ?? 'landing';
  const directory = mkdtempSync(join(tmpdir(), 'shopflow-s3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    bucket,
    config: {
      type: 's3',
      bucket,
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { ...TEST_S3_CREDENTIALS },
    },
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * A plain AWS SDK S3 client of a test server (path-style, the test credentials), for tests that
 * read or damage objects behind ShopFlow's back. The caller destroys it.
 *
 * @example
 * const client = testS3Client(s3.endpoint);
 * try { await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key })); } finally { client.destroy(); }
 */
export function testS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { ...TEST_S3_CREDENTIALS },
  });
}
