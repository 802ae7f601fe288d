export type { BlobDriver, BlobStat } from '../../framework/io/blob/blob-driver.js';
export {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  RetriesExhaustedError,
  type RetryEvent,
  type RetryOptions,
  RetryPolicySchema,
  withRetry,
} from '../../framework/io/blob/retry-policy.js';
export { isTransientS3Error } from '../../framework/io/blob/s3/s3-error.js';
export { createObjectStore } from './create-object-store.js';
export {
  LANDING_DATASETS,
  type LandingDataset,
  type LandingKeyParts,
  landingKey,
  landingPrefix,
  parseLandingKey,
} from './landing-keys.js';
export type { LocalObjectStoreConfig } from './local/local-config.js';
export { createLocalObjectStore } from './local/local-object-store.js';
export { ManifestVersionedStore } from './manifest-versioned-store.js';
export { VERSIONS_ROOT, validateObjectKey, validateObjectPrefix } from './object-key.js';
export type {
  DownloadOptions,
  ObjectInfo,
  ObjectStore,
  ObjectVersion,
  PutBody,
  PutOptions,
  PutResult,
  ReadOptions,
} from './object-store.js';
export {
  type ObjectStoreConfig,
  ObjectStoreConfigSchema,
  parseObjectStoreConfig,
} from './object-store-config.js';
export type { S3ObjectStoreConfig } from './s3/s3-config.js';
export { createS3ObjectStore, S3ObjectStore, type S3VersioningMode } from './s3/s3-object-store.js';
