import { describe, expect, it } from 'vitest';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
import { createObjectStore } from '../../../resources/object-store/create-object-store.js';
import {
  ObjectStoreConfigSchema,
  parseObjectStoreConfig,
} from '../../../resources/object-store/object-store-config.js';

describe('ObjectStoreConfigSchema', () => {
  it('accepts a local folder and a full S3 config', () => {
    expect(ObjectStoreConfigSchema.parse({ type: 'local', path: '.shopflow/landing' })).toEqual({
      type: 'local',
      path: '.shopflow/landing',
    });
    const s3 = {
      type: 's3',
      bucket: 'shopflow-landing',
      prefix: 'prod',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:4569',
      forcePathStyle: true,
      multipartThresholdBytes: 16 * 1024 * 1024,
      partSizeBytes: 8 * 1024 * 1024,
      queueSize: 4,
      versioning: 'auto',
      retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 5000 },
    };
    expect(ObjectStoreConfigSchema.parse(s3)).toEqual(s3);
  });

  it.each([
    [{ type: 'gcs', bucket: 'x' }, 'type'],
    [{ type: 'local' }, 'path'],
    [{ type: 's3', bucket: 'Bad_Bucket' }, 'bucket'],
    [{ type: 's3', bucket: 'landing', partSizeBytes: 1024 }, 'partSizeBytes'],
    [{ type: 's3', bucket: 'landing', retry: { maxAttempts: 0 } }, 'retry.maxAttempts'],
    [{ type: 's3', bucket: 'landing', endpoint: 'not a url' }, 'endpoint'],
    [{ type: 's3', bucket: 'landing', bukcet: 'x' }, '(root)'],
  ])('rejects %j naming field %s', (input, field) => {
    try {
      parseObjectStoreConfig(input, 'config/test.yaml: objectStore');
      throw new Error('expected SF_CONFIG_INVALID');
    } catch (error) {
      expect(isShopflowError(error, 'SF_CONFIG_INVALID')).toBe(true);
      expect((error as Error).message).toContain(`config/test.yaml: objectStore: field \`${field}\``);
    }
  });
});

describe('createObjectStore', () => {
  it('validates the config and keeps retry hooks', () => {
    expect(() => createObjectStore({ type: 's3', bucket: 'x' })).toThrow(/field `bucket`/);
    const store = createObjectStore({
      type: 's3',
      bucket: 'landing',
      prefix: '/shopflow/dev/',
      retry: { sleep: async () => {} },
    });
    expect(store.kind).toBe('s3');
    expect(store.description).toBe('s3://landing/shopflow/dev/');
  });
});
