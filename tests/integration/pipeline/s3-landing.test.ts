import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ShopflowRuntime } from '../../../framework/index.js';
import { createObjectStore } from '../../../resources/object-store/create-object-store.js';
import { type FaultyProxy, startFaultyProxy } from '../../support/faulty-proxy.js';
import { type ShopflowTestHome, shopflowTestHome } from '../../support/shopflow-test-home.js';
import { startTestS3, type TestS3, testS3Client } from '../../support/test-s3.js';

let s3: TestS3;
let proxy: FaultyProxy;
let t: ShopflowTestHome;
let runtime: ShopflowRuntime;

beforeAll(async () => {
  s3 = await startTestS3();
  proxy = await startFaultyProxy(s3.endpoint);
  t = shopflowTestHome({
    scale: 0.1,
    objectStore: { ...s3.config, endpoint: proxy.endpoint, retry: { baseDelayMs: 1, maxDelayMs: 5 } },
  });
  runtime = await t.open();
});

afterAll(async () => {
  await runtime?.close();
  await proxy?.stop();
  await s3?.stop();
  t?.cleanup();
});

describe('the landing zone on the S3 API', () => {
  test('lands each day under raw/year=/month=/day=/<dataset>/, retrying throttled uploads', async () => {
    proxy.addRule({ match: (r) => r.method === 'PUT', action: 'slow-down', times: 2 });
    const plan = await runtime.plan({
      selection: 's3_raw_landing',
      partitions: { keys: ['2024-01-15', '2024-01-16'] },
    });
    // source_files is upstream and not materialized yet: materialize it first.
    expect(plan.steps.every((s) => s.blockedBy.length > 0)).toBe(true);
    const result = await runtime.execute(
      await runtime.plan({
        selection: '+s3_raw_landing',
        partitions: { keys: ['2024-01-15', '2024-01-16'] },
      }),
    );
    expect(result.status).toBe('success');

    const store = createObjectStore(s3.config);
    const keys: string[] = [];
    for await (const object of store.list('raw/')) keys.push(object.key);
    await store.close();
    expect(keys).toEqual([
      'raw/year=2024/month=01/day=15/clickstream/clickstream.jsonl',
      'raw/year=2024/month=01/day=15/customers/customers.csv',
      'raw/year=2024/month=01/day=15/products/products.csv',
      'raw/year=2024/month=01/day=15/transactions/transactions.csv',
      'raw/year=2024/month=01/day=16/clickstream/clickstream.jsonl',
      'raw/year=2024/month=01/day=16/customers/customers.csv',
      'raw/year=2024/month=01/day=16/products/products.csv',
      'raw/year=2024/month=01/day=16/transactions/transactions.csv',
    ]);
    // 6 objects, 2 of the PUTs answered 503 SlowDown first and were retried.
    const retries = await runtime.store.listEvents({ runId: result.runId, types: ['step_retry'] });
    expect(retries).toEqual([]);
    // The bucket has no versioning, so the store also writes a version manifest beside each object.
    const puts = proxy.log.filter(
      (r) => r.method === 'PUT' && r.path.endsWith('.csv') && !r.path.includes('_versions'),
    );
    expect(puts.filter((r) => r.outcome === 'slow-down')).toHaveLength(2);
    expect(puts.filter((r) => r.outcome === 'forward')).toHaveLength(6);
  });

  test('the landed transactions of a day are exactly that day’s deliveries', async () => {
    const store = createObjectStore(s3.config);
    const body = (await store.get('raw/year=2024/month=01/day=15/transactions/transactions.csv')).toString(
      'utf8',
    );
    await store.close();
    const lines = body.trim().split('\n');
    expect(lines[0]).toBe(
      'transaction_id,customer_id,product_id,quantity,unit_price,timestamp,payment_method,delivery_date',
    );
    expect(lines.slice(1).every((line) => line.endsWith(',2024-01-15'))).toBe(true);
    const [m] = await runtime.store.listMaterializations({
      assetKey: 's3_raw_landing',
      partitionKey: '2024-01-15',
      limit: 1,
    });
    const objects = m.metadata.objects as Array<{ key: string; rows: number }>;
    expect(objects.find((o) => o.key.includes('transactions'))!.rows).toBe(lines.length - 1);
  });

  test('a plan checks the landed objects its bronze days read with one listing a month, and still sees an edit behind the store', async () => {
    const days = { keys: ['2024-01-15', '2024-01-16'] };
    const bronze = 'bronze_customers,bronze_products,bronze_transactions,bronze_clickstream';
    const result = await runtime.execute(await runtime.plan({ selection: bronze, partitions: days }));
    expect(result.status).toBe('success');

    proxy.reset();
    const unchanged = await runtime.plan({ selection: bronze, partitions: days });
    expect(unchanged.steps).toEqual([]);
    // One listing of the month for 8 landed objects, and no request of their own (before: a HEAD
    // and the version manifest for each, in a bucket without versioning).
    const landing = proxy.log.filter(
      (r) =>
        r.path.startsWith(`/${s3.bucket}/raw/`) ||
        r.path.startsWith(`/${s3.bucket}/_versions/`) ||
        r.query.get('prefix')?.startsWith('raw/'),
    );
    expect(landing.map((r) => `${r.method} ${r.query.get('prefix') ?? r.path}`)).toEqual([
      'GET raw/year=2024/month=01/',
    ]);

    // Replaced behind the store's back (no new version recorded): the listing shows other bytes.
    const key = 'raw/year=2024/month=01/day=16/products/products.csv';
    const client = testS3Client(s3.endpoint);
    await client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: key,
        Body: 'product_id,name,category,price,updated_at\n',
      }),
    );
    client.destroy();
    const changed = await runtime.plan({ selection: bronze, partitions: days });
    expect(changed.steps.map((s) => [s.key, s.reasons.map((r) => r.code)])).toEqual([
      ['bronze_products[2024-01-16]', ['input_changed']],
    ]);
    expect(changed.steps[0].reasons[0]).toMatchObject({ input: key });

    // A role that may read objects but not list them: each object is asked for by key, as before.
    proxy.reset();
    proxy.addRule({ match: (r) => r.method === 'GET' && r.query.has('prefix'), action: 'forbidden' });
    const unlisted = await runtime.plan({ selection: bronze, partitions: days });
    expect(unlisted.steps.map((s) => s.key)).toEqual(['bronze_products[2024-01-16]']);
    expect(proxy.count((r) => r.outcome === 'forbidden')).toBe(1);
    expect(proxy.count((r) => r.method === 'HEAD' && r.path.startsWith(`/${s3.bucket}/raw/`))).toBe(8);
    proxy.reset();
  });
});
