import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { type AnyAsset, defineAsset, quoteLiteral, sql } from '../../framework/index.js';
import { landingKey } from '../../resources/object-store/landing-keys.js';
import { s3RawLanding } from '../landing/s3-raw-landing.js';
import { CSV_HEADERS } from '../raw/simulator/index.js';
import { landingStore } from '../resources/landing-store.js';
import { shopflowDays } from '../shopflow-calendar.js';

type Dataset = 'customers' | 'products' | 'transactions';

/**
 * The bronze layer of the lake: one day of one dataset exactly as landed in the object store (every
 * column as text), plus ingestion metadata — the object key, its version and content hash, and the
 * line it came from — so any silver row can be traced back to the landed object version.
 */
function bronzeAsset(dataset: Dataset): AnyAsset {
  const file = `${dataset}.csv` as const;
  const columns = CSV_HEADERS[file].split(',');
  const shape = Object.fromEntries(columns.map((c) => [c, z.string().nullable()]));
  return defineAsset({
    key: `bronze_${dataset}`,
    group: 'bronze',
    description: `The ${dataset} extract of one day as landed in the object store, with ingestion metadata (object key, version, sha256, line).`,
    deps: { landing: s3RawLanding },
    partitions: shopflowDays,
    schema: z.object({
      ...shape,
      landing_key: z.string().describe('Object key in the landing zone'),
      landing_version: z.string().describe('Object version that was read'),
      landing_sha256: z.string().describe('Content hash of that object version'),
      source_line: z.int().describe('Line of the landed file'),
    }),
    owners: ['data-platform'],
    tags: ['landing'],
    async materialize({ partitionKey, resource, duckdb }) {
      const store = await resource(landingStore);
      const key = landingKey({ date: partitionKey!, dataset, file });
      const info = await store.head(key);
      const [version] = await store.listVersions(key);
      const dir = mkdtempSync(join(tmpdir(), 'shopflow-bronze-'));
      const local = join(dir, file);
      try {
        await store.download(key, local, version ? { versionId: version.versionId } : {});
        const spec = columns.map((c) => `${quoteLiteral(c)}: 'VARCHAR'`).join(', ');
        // NOTE: the file is copied into the lake here (a temp table), so the download can be removed.
        await duckdb.run(`CREATE OR REPLACE TEMP TABLE bronze_${dataset}_load AS
          SELECT *, (row_number() OVER () + 1)::BIGINT AS source_line
          FROM read_csv(${quoteLiteral(local)}, header = true, columns = {${spec}}, quote = '"', escape = '"')`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return sql`select ${sql.raw(columns.join(', '))},
          ${key} as landing_key, ${version?.versionId ?? info?.versionId ?? 'unversioned'} as landing_version,
          ${version?.sha256 ?? info?.sha256 ?? ''} as landing_sha256, source_line
        from ${sql.raw(`bronze_${dataset}_load`)}`;
    },
  });
}

export const bronzeCustomers = bronzeAsset('customers');
export const bronzeProducts = bronzeAsset('products');
export const bronzeTransactions = bronzeAsset('transactions');

/** The bronze layer, read from the landing zone. */
export const bronzeAssets: AnyAsset[] = [bronzeCustomers, bronzeProducts, bronzeTransactions];
