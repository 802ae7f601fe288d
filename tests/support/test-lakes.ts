import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startTestS3, TEST_S3_CREDENTIALS, type TestS3 } from './test-s3.js';

/** Every lake backend; lake tests loop over them (`for (const backend of LAKE_BACKENDS) describe(…)`). */
export const LAKE_BACKENDS = ['local', 's3'] as const;
export type LakeBackend = (typeof LAKE_BACKENDS)[number];

/**
 * The lakes of one test file: a folder per home, or s3rver on loopback (started on first use) with
 * the credentials in the environment, where the AWS SDK's default chain finds them — the way a
 * deployed process gets them.
 *
 * @example
 * const lakes = new TestLakes();
 * afterAll(() => lakes.stop());
 * const config = { lake: await lakes.section('s3', home) };
 */
export class TestLakes {
  private server?: Promise<TestS3>;
  private saved?: Record<string, string | undefined>;

  /** The s3rver of this file (started on first call). */
  s3(): Promise<TestS3> {
    if (!this.server) {
      this.saved = {
        AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
      };
      process.env.AWS_ACCESS_KEY_ID = TEST_S3_CREDENTIALS.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = TEST_S3_CREDENTIALS.secretAccessKey;
      this.server = startTestS3({ bucket: 'lake' });
    }
    return this.server;
  }

  /**
   * A `lake` config section of `backend` for a test home: on S3 a fresh prefix, the read cache in
   * the home, retries that hardly wait; `extra` overrides (e.g. `endpoint` of a faulty proxy).
   */
  async section(
    backend: LakeBackend,
    home: string,
    extra: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    if (backend === 'local') return { type: 'local', path: join(home, 'lake'), ...extra };
    const s3 = await this.s3();
    return {
      type: 's3',
      bucket: s3.bucket,
      prefix: `t-${randomBytes(4).toString('hex')}/lake/`,
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      cacheDir: join(home, 'lake-cache'),
      retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5 },
      ...extra,
    };
  }

  async stop(): Promise<void> {
    if (this.server) await (await this.server).stop();
    for (const [name, value] of Object.entries(this.saved ?? {})) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
