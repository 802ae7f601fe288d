import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  defineAsset,
  type ExternalInput,
  type InputHandle,
  type IoTarget,
  materialized,
  READ_WHOLE_BYTES,
  ShopflowError,
} from '../../framework/index.js';
import { landingKey, landingPrefix } from '../../resources/object-store/landing-keys.js';
import { extractDir, sourceFiles } from '../raw/source-files.js';
import { generatorSettings } from '../resources/generator-settings.js';
import { landingStore } from '../resources/landing-store.js';
import { shopflowDays } from '../shopflow-calendar.js';

/** The files of a day's extract that land, one landing dataset each. */
export const LANDED_FILES = [
  { dataset: 'customers', file: 'customers.csv', contentType: 'text/csv' },
  { dataset: 'products', file: 'products.csv', contentType: 'text/csv' },
  { dataset: 'transactions', file: 'transactions.csv', contentType: 'text/csv' },
  { dataset: 'clickstream', file: 'clickstream.jsonl', contentType: 'application/x-ndjson' },
] as const;

/**
 * The SHA-256 of a file as it is now; the recorded one while its size and modification time are
 * those recorded; null when it is gone.
 */
async function fileFingerprint(path: string, recorded: ExternalInput): Promise<string | null> {
  const now = await stat(path).catch(() => undefined);
  if (!now) return null;
  if (now.size === recorded.probe?.size && now.mtimeMs === recorded.probe?.mtimeMs)
    return recorded.fingerprint;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Lines of a file that hold records: every line, less a CSV header (0 for an empty file). */
async function countRecordLines(file: string, header: boolean): Promise<number> {
  let lines = 0;
  let last = 0x0a;
  // NOTE: a day's extract is small: one read, not a stream's open, reads and close in the thread pool.
  const chunks = statSync(file).size <= READ_WHOLE_BYTES ? [readFileSync(file)] : createReadStream(file);
  for await (const chunk of chunks) {
    const bytes = chunk as Buffer;
    for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) lines++;
    if (bytes.length > 0) last = bytes[bytes.length - 1];
  }
  if (last !== 0x0a) lines++;
  return Math.max(0, lines - (header ? 1 : 0));
}

/**
 * User metadata on the objects this asset lands: an object without it was delivered by someone
 * else (a re-delivery by the source system), which the `landing_arrivals` sensor re-ingests.
 */
export const LANDED_BY_PIPELINE = { 'landed-by': 's3_raw_landing' } as const;

/**
 * The landed days a downstream step depends on. It holds no table: a step reads the objects it needs
 * from the landing store itself (see `bronze_*`), so handing it over costs no request.
 */
export class LandingZoneInput implements InputHandle {
  readonly assetKey = 's3_raw_landing';
  constructor(readonly partitionKeys: Array<string | null>) {}

  toSql(): string {
    throw new ShopflowError(
      'SF_USER_CODE',
      's3_raw_landing is a set of objects in the landing store, not a table a query can read',
      { hint: 'read the landed objects from the landing store (landingKey, landingStore)' },
    );
  }
}

/** Where a landed day lives: `<store>/raw/year=YYYY/month=MM/day=DD/` (`{partition}`: every day). */
function landingLocation(partitionKey: string | null): string {
  const prefix =
    partitionKey === null || partitionKey === '{partition}'
      ? 'raw/year={yyyy}/month={MM}/day={dd}/'
      : landingPrefix({ date: partitionKey });
  return `<resources.objectStore>/${prefix}`;
}

/**
 * The landing zone as an IO target: the asset puts its objects into the landing store itself
 * (`materialize` returns `materialized(…)`), so nothing is written to the lake, and compaction,
 * sweeps, the lake's integrity checks and the Glue export leave it alone.
 */
const landingZoneIo: IoTarget<unknown, LandingZoneInput> = {
  kind: 'object-store',
  supportsQuarantine: false,
  location: (_asset, partitionKey) => landingLocation(partitionKey),
  write: async () => {
    throw new Error('s3_raw_landing puts its objects into the landing store itself');
  },
  input: async (_context, partitionKeys) => new LandingZoneInput(partitionKeys),
  preview: async (context, partitionKey, limit) => {
    const store = await context.resource(landingStore);
    const rows: Record<string, unknown>[] = [];
    for await (const object of store.list(landingPrefix({ date: partitionKey! }))) {
      if (rows.length >= limit) break;
      rows.push({ key: object.key, size: object.size, last_modified: object.lastModified.toISOString() });
    }
    return {
      columns: [
        { name: 'key', type: 'VARCHAR' },
        { name: 'size', type: 'BIGINT' },
        { name: 'last_modified', type: 'VARCHAR' },
      ],
      rows,
    };
  },
};

/**
 * The raw landing zone, where every environment hands data over: each day's source extract
 * (customer and product versions that changed that day, transactions delivered that day, the
 * day's clickstream) under `raw/year=YYYY/month=MM/day=DD/{customers,products,transactions,clickstream}/`,
 * in the object store (local folder under the home, or S3). Re-landing identical bytes creates no
 * new object version; changed bytes create one and keep the old. Uploads retry transient failures
 * and never leave a partial object. Everything downstream reads what landed (`bronze_*`), never
 * the local extract; an object re-delivered by the source system is picked up by the
 * `landing_arrivals` sensor.
 */
export const s3RawLanding = defineAsset({
  key: 's3_raw_landing',
  group: 'landing',
  classification: 'internal',
  codeVersion: '2',
  description:
    'Daily slices of the source extract (CSV, JSON lines) in the object-store landing zone, versioned.',
  deps: { source: sourceFiles },
  resources: [landingStore],
  io: landingZoneIo,
  partitions: shopflowDays,
  schema: z.object({
    key: z.string().describe('Object key'),
    version_id: z.string().describe('Object version'),
    sha256: z.string(),
    rows: z.int(),
  }),
  owners: ['data-platform'],
  observeInputs: async ({ partitionKey, recorded, resource }) => {
    const dir = extractDir((await resource(generatorSettings)).rawDir, partitionKey!);
    return await Promise.all(
      recorded.map(async (input) => ({
        name: input.name,
        fingerprint: await fileFingerprint(join(dir, input.name), input),
      })),
    );
  },
  async materialize({ deps, partitionKey, resource, addMetadata, recordInput }) {
    const store = await resource(landingStore);
    const objects = [];
    let rows = 0;
    for (const { dataset, file, contentType } of LANDED_FILES) {
      const [local] = deps.source.files(file);
      if (!local) {
        throw new ShopflowError(
          'SF_INPUT_INVALID',
          `the extract of ${partitionKey} has no ${file} (in ${deps.source.rawDir})`,
          { hint: `materialize source_files for ${partitionKey} again, or deliver the file` },
        );
      }
      // NOTE: the landing zone takes the bytes as delivered; bronze checks what they hold.
      const n = await countRecordLines(local, file.endsWith('.csv'));
      const key = landingKey({ date: partitionKey!, dataset, file });
      const { size, mtimeMs } = await stat(local);
      const put = await store.put(key, { file: local }, { contentType, metadata: LANDED_BY_PIPELINE });
      recordInput({ name: file, fingerprint: put.sha256, probe: { size, mtimeMs } });
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
