import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { type AnyAsset, defineAsset, quoteLiteral, sql } from '../../framework/index.js';
import { type LandingDataset, landingKey } from '../../resources/object-store/landing-keys.js';
import { s3RawLanding } from '../landing/s3-raw-landing.js';
import { CSV_HEADERS } from '../raw/simulator/raw-file-formats.js';
import { landingStore } from '../resources/landing-store.js';
import { shopflowDays } from '../shopflow-calendar.js';

type CsvDataset = 'customers' | 'products' | 'transactions';

/** How a landed file is read: its columns in the lake and the DuckDB relation over the local copy. */
interface LandedFormat {
  file: string;
  shape: Record<string, z.ZodType>;
  columns: string[];
  /** The relation over the downloaded file, with `source_line` (the line of the landed file). */
  read(path: string): string;
}

function csvFormat(dataset: CsvDataset): LandedFormat {
  const file = `${dataset}.csv` as const;
  const columns = CSV_HEADERS[file].split(',');
  const spec = columns.map((c) => `${quoteLiteral(c)}: 'VARCHAR'`).join(', ');
  return {
    file,
    columns,
    shape: Object.fromEntries(columns.map((c) => [c, z.string().nullable()])),
    // NOTE: line 1 is the header, so the first row is line 2.
    read: (path) =>
      `SELECT *, (row_number() OVER () + 1)::BIGINT AS source_line
       FROM read_csv(${quoteLiteral(path)}, header = true, columns = {${spec}}, quote = '"', escape = '"')`,
  };
}

const CLICK_SPEC =
  "{'event_id': 'VARCHAR', 'session_id': 'VARCHAR', 'customer_id': 'BIGINT', 'event_type': 'VARCHAR', 'page': 'VARCHAR', 'product_id': 'BIGINT', 'timestamp': 'VARCHAR'}";

const clickstreamFormat: LandedFormat = {
  file: 'clickstream.jsonl',
  columns: ['event_id', 'session_id', 'customer_id', 'event_type', 'page', 'product_id', 'timestamp'],
  shape: {
    event_id: z.string().nullable(),
    session_id: z.string().nullable(),
    customer_id: z.int().nullable(),
    event_type: z.string().nullable(),
    page: z.string().nullable(),
    product_id: z.int().nullable(),
    timestamp: z.string().nullable(),
  },
  read: (path) =>
    `SELECT *, (row_number() OVER ())::BIGINT AS source_line
     FROM read_json(${quoteLiteral(path)}, format = 'newline_delimited', columns = ${CLICK_SPEC})`,
};

/**
 * The bronze layer of the lake: one day of one dataset exactly as landed in the object store (CSV
 * columns as text, clickstream events with the JSON types), plus ingestion metadata — the object
 * key, the version read and its content hash, and the line it came from — so any row downstream
 * can be traced back to the landed object version. It reads the newest version: a re-delivered
 * object replaces the day's rows when the day is re-read (the `landing_arrivals` sensor does so).
 */
function bronzeAsset(dataset: LandingDataset, format: LandedFormat): AnyAsset {
  const { file, columns } = format;
  return defineAsset({
    key: `bronze_${dataset}`,
    group: 'bronze',
    description: `The ${dataset} extract of one day as landed in the object store, with ingestion metadata (object key, version, sha256, line).`,
    deps: { landing: s3RawLanding },
    partitions: shopflowDays,
    schema: z.object({
      ...format.shape,
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
        // NOTE: the file is copied into the session here (a temp table), so the download can be removed.
        await duckdb.run(`CREATE OR REPLACE TEMP TABLE bronze_${dataset}_load AS ${format.read(local)}`);
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

export const bronzeCustomers = bronzeAsset('customers', csvFormat('customers'));
export const bronzeProducts = bronzeAsset('products', csvFormat('products'));
export const bronzeTransactions = bronzeAsset('transactions', csvFormat('transactions'));
export const bronzeClickstream = bronzeAsset('clickstream', clickstreamFormat);

/** The bronze layer, read from the landing zone. */
export const bronzeAssets: AnyAsset[] = [
  bronzeCustomers,
  bronzeProducts,
  bronzeTransactions,
  bronzeClickstream,
];
