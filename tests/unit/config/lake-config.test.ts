import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../framework/config/load-config.js';
import { createLakeStorage, resolveLocations, type ShopflowError } from '../../../framework/index.js';
import { tempProject } from './temp-project.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const project = tempProject();
mkdirSync(join(project.dir, 'config'));
for (const name of readdirSync(join(root, 'config')).filter((n) => n.endsWith('.yaml'))) {
  copyFileSync(join(root, 'config', name), join(project.dir, 'config', name));
}
afterAll(() => project.remove());

const PROD = {
  SHOPFLOW_ENV: 'prod',
  SHOPFLOW_INSTANCE_URL: 'postgres://shopflow:pw@instance-db:5432/shopflow',
  SHOPFLOW_LAKE_BUCKET: 'acme-lake',
  SHOPFLOW_LANDING_BUCKET: 'acme-landing',
  DATABASE_URL: 'postgres://warehouse:pw@warehouse-db:5432/shop',
  SHOPFLOW_WEBHOOK_URL: 'https://hooks.example.com/services/T0/B0/abc',
};

function failure(yaml: string): ShopflowError {
  const cwd = tempProject({ 'config/dev.yaml': yaml });
  try {
    loadConfig({ cwd: cwd.dir, environment: {} });
  } catch (error) {
    return error as ShopflowError;
  } finally {
    cwd.remove();
  }
  throw new Error('the config was accepted');
}

describe('the lake section', () => {
  it("accepts prod's S3 lake: the runtime resolves it instead of refusing it", async () => {
    const config = loadConfig({ cwd: project.dir, environment: { ...PROD, SHOPFLOW_LAKE_CACHE_MB: '512' } });
    expect(config.lake).toMatchObject({
      type: 's3',
      bucket: 'acme-lake',
      prefix: 'lake/',
      region: 'eu-west-1',
      cacheSizeMb: 512,
      read: 'auto',
      cacheDir: join(config.home, 'cache', 'lake'),
    });
    expect(resolveLocations(config)).toMatchObject({ lakeRoot: null, instancePath: null });
    const lake = createLakeStorage(config.lake, { home: config.home });
    try {
      expect(lake.kind).toBe('s3');
      expect(lake.description).toBe('s3://acme-lake/lake/');
      expect(lake.locate({ assetKey: 'silver_transactions', partitionKey: '2024-01-15' })).toBe(
        's3://acme-lake/lake/silver_transactions/partition=2024-01-15/',
      );
    } finally {
      await lake.close();
    }
  });

  it('keeps the local lake layout of the default config', () => {
    const config = loadConfig({ cwd: project.dir, environment: {} });
    const lake = createLakeStorage(config.lake, { home: config.home });
    expect(lake.locate({ assetKey: 'orders', partitionKey: '2024-01-15' }, 'data.parquet')).toBe(
      join(config.home, 'lake', 'orders', 'partition=2024-01-15', 'data.parquet'),
    );
  });

  it('names the bad field and value of an S3 lake', () => {
    expect(failure('lake: { type: s3, bucket: My_Bucket }\n').message).toMatch(
      /`lake.bucket` is "My_Bucket"/,
    );
    expect(failure('lake: { type: s3, bucket: lake, prefix: /lake }\n').message).toMatch(
      /`lake.prefix` is "\/lake": a key prefix like `lake\/`/,
    );
    expect(failure('lake: { type: s3, bucket: lake, read: httpfs }\n').message).toMatch(/`lake.read`/);
    expect(failure('lake: { type: s3, bucket: lake, cacheSizeMb: 0 }\n').message).toMatch(
      /`lake.cacheSizeMb`/,
    );
    expect(failure('lake: { type: s3, bucket: lake, accessKeyId: AKIA }\n').message).toMatch(/accessKeyId/);
  });
});
