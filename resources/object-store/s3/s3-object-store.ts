import type { Readable } from 'node:stream';
import { ShopflowError } from '../../../framework/errors/error-catalog.js';
import { DEFAULT_RETRY_POLICY } from '../../../framework/io/blob/retry-policy.js';
import { S3BlobDriver } from '../../../framework/io/blob/s3/s3-blob-driver.js';
import { createS3Client } from '../../../framework/io/blob/s3/s3-client.js';
import { ManifestVersionedStore } from '../manifest-versioned-store.js';
import { validateObjectPrefix } from '../object-key.js';
import type {
  DownloadOptions,
  ObjectInfo,
  ObjectStore,
  ObjectVersion,
  PutBody,
  PutOptions,
  PutResult,
  ReadOptions,
} from '../object-store.js';
import { S3_DEFAULTS, type S3ObjectStoreConfig } from './s3-config.js';
import { S3NativeVersionedStore } from './s3-native-versioned-store.js';

/** How versions are kept: by S3 itself, or by ShopFlow's manifest scheme. */
export type S3VersioningMode = 'native' | 'manifest';

function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  try {
    return validateObjectPrefix(`${trimmed}/`);
  } catch (error) {
    throw new ShopflowError(
      'SF_CONFIG_INVALID',
      `object store \`prefix\` \`${prefix}\` is not a valid folder`,
      {
        cause: error,
        hint: 'use slash-separated segments such as `shopflow/prod`',
      },
    );
  }
}

function secretsOf(config: S3ObjectStoreConfig): string[] {
  const values = [
    config.credentials?.accessKeyId,
    config.credentials?.secretAccessKey,
    config.credentials?.sessionToken,
    process.env.AWS_ACCESS_KEY_ID,
    process.env.AWS_SECRET_ACCESS_KEY,
    process.env.AWS_SESSION_TOKEN,
  ];
  return values.filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/**
 * The S3 object store. On first use it asks the bucket once whether versioning is Enabled (unless
 * `versioning` says which): if so S3 keeps the versions (`ListObjectVersions`, `VersionId`);
 * otherwise the manifest scheme of {@link ManifestVersionedStore} runs on top of the bucket, with
 * the same `_versions/` layout as the local store, under the configured prefix.
 *
 * @example
 * const store = createS3ObjectStore({ type: 's3', bucket: 'shopflow-landing', prefix: 'prod', region: 'eu-west-1' });
 * await store.put('raw/year=2024/month=01/day=15/customers/customers.csv', { file: 'customers.csv' });
 * await store.close();
 */
export class S3ObjectStore implements ObjectStore {
  readonly kind = 's3';
  readonly description: string;
  private readonly driver: S3BlobDriver;
  private backend?: Promise<{ mode: S3VersioningMode; store: ObjectStore }>;

  constructor(
    private readonly config: S3ObjectStoreConfig,
    private readonly now?: () => Date,
  ) {
    this.driver = new S3BlobDriver({
      client: createS3Client(config),
      bucket: config.bucket,
      prefix: normalizePrefix(config.prefix),
      endpoint: config.endpoint,
      multipartThresholdBytes: config.multipartThresholdBytes ?? S3_DEFAULTS.multipartThresholdBytes,
      partSizeBytes: config.partSizeBytes ?? S3_DEFAULTS.partSizeBytes,
      queueSize: config.queueSize ?? S3_DEFAULTS.queueSize,
      listPageSize: config.listPageSize ?? S3_DEFAULTS.listPageSize,
      retry: { ...DEFAULT_RETRY_POLICY, ...config.retry },
      secrets: secretsOf(config),
    });
    this.description = this.driver.description;
  }

  /** Which versioning scheme this store uses (asks the bucket on first call in `auto` mode). */
  async versioningMode(): Promise<S3VersioningMode> {
    return (await this.resolve()).mode;
  }

  private resolve(): Promise<{ mode: S3VersioningMode; store: ObjectStore }> {
    this.backend ??= this.chooseBackend().catch((error) => {
      this.backend = undefined;
      throw error;
    });
    return this.backend;
  }

  private async chooseBackend(): Promise<{ mode: S3VersioningMode; store: ObjectStore }> {
    const setting = this.config.versioning ?? 'auto';
    const mode: S3VersioningMode =
      setting === 'auto'
        ? (await this.driver.bucketVersioning()) === 'Enabled'
          ? 'native'
          : 'manifest'
        : setting;
    const store =
      mode === 'native'
        ? new S3NativeVersionedStore(this.driver)
        : new ManifestVersionedStore('s3', this.driver, this.now);
    return { mode, store };
  }

  async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    return (await this.resolve()).store.put(key, body, options);
  }

  async get(key: string, options?: ReadOptions): Promise<Buffer> {
    return (await this.resolve()).store.get(key, options);
  }

  async getStream(key: string, options?: ReadOptions): Promise<Readable> {
    return (await this.resolve()).store.getStream(key, options);
  }

  async download(key: string, file: string, options?: DownloadOptions): Promise<void> {
    return (await this.resolve()).store.download(key, file, options);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    return (await this.resolve()).store.head(key);
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    yield* (await this.resolve()).store.list(prefix);
  }

  async listVersions(key: string): Promise<ObjectVersion[]> {
    return (await this.resolve()).store.listVersions(key);
  }

  async delete(key: string): Promise<void> {
    return (await this.resolve()).store.delete(key);
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}

/**
 * Creates the S3 object store (no request is made until first use).
 *
 * @example
 * const store = createS3ObjectStore({ type: 's3', bucket: 'landing', endpoint: 'http://127.0.0.1:4569', forcePathStyle: true });
 */
export function createS3ObjectStore(config: S3ObjectStoreConfig, now?: () => Date): S3ObjectStore {
  return new S3ObjectStore(config, now);
}
