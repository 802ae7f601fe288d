import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineAsset, materialized } from '../../framework/index.js';
import { landingKey } from '../../resources/object-store/landing-keys.js';
import { sourceFiles } from '../raw/source-files.js';
import { landingStore } from '../resources/landing-store.js';
import { shopflowDays } from '../shopflow-calendar.js';

const DATASETS = [
  { dataset: 'customers', file: 'customers.csv' },
  { dataset: 'products', file: 'products.csv' },
  { dataset: 'transactions', file: 'transactions.csv' },
] as const;

/**
 * The raw landing zone: each day's source extract (customer and product versions that changed that
 * day, transactions delivered that day) as CSV under
 * `raw/year=YYYY/month=MM/day=DD/{customers,products,transactions}/`, in the object store (local
 * folder or S3). Re-landing identical bytes creates no new object version; changed bytes create one
 * and keep the old. Uploads retry transient failures and never leave a partial object.
 */
export const s3RawLanding = defineAsset({
  key: 's3_raw_landing',
  group: 'landing',
  description: 'Daily CSV slices of the source extract in the object-store landing zone, versioned.',
  deps: { source: sourceFiles },
  partitions: shopflowDays,
  schema: z.object({
    key: z.string().describe('Object key'),
    version_id: z.string().describe('Object version'),
    sha256: z.string(),
    rows: z.int(),
  }),
  owners: ['data-platform'],
  async materialize({ deps, duckdb, partitionKey, resource, addMetadata }) {
    const store = await resource(landingStore);
    const objects = [];
    let rows = 0;
    for (const { dataset, file } of DATASETS) {
      const [local] = deps.source.files(file);
      const [{ n }] = await duckdb.query(`select count(*)::BIGINT as n from ${deps.source.csv(file)}`);
      const key = landingKey({ date: partitionKey!, dataset, file });
      const put = await store.put(key, { file: local }, { contentType: 'text/csv' });
      objects.push({
        key,
        version_id: put.versionId,
        sha256: put.sha256,
        rows: Number(n),
        created: put.created,
      });
      rows += Number(n);
    }
    addMetadata({ store: store.description, objects });
    return materialized({
      rowCount: rows,
      dataVersion: createHash('sha256')
        .update(objects.map((o) => o.sha256).join(','))
        .digest('hex')
        .slice(0, 20),
    });
  },
});
