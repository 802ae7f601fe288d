import { createHash } from 'node:crypto';
import { z } from 'zod';
import { appendValidationLog, rowsKept, withValidationLog } from '../../checks/index.js';
import {
  type AnyAsset,
  type ColumnPiiKind,
  defineAsset,
  type ExternalInput,
  hashFile,
  isShopflowError,
  quoteLiteral,
  rowCheck,
  scratchFiles,
  sql,
} from '../../framework/index.js';
import { type LandingDataset, landingKey } from '../../resources/object-store/landing-keys.js';
import { listedFingerprints } from '../../resources/object-store/listed-fingerprints.js';
import type { ObjectStore } from '../../resources/object-store/object-store.js';
import { s3RawLanding } from '../landing/s3-raw-landing.js';
import { CSV_HEADERS } from '../raw/simulator/raw-file-formats.js';
import { validationLogFile } from '../raw/validation-log-file.js';
import { landingStore } from '../resources/landing-store.js';
import { shopflowDays } from '../shopflow-calendar.js';
import { readLandedCsv } from './landed-csv.js';
import type { LandedFileReport } from './landed-file-report.js';
import { type JsonFieldType, readLandedJsonLines } from './landed-json-lines.js';

type CsvDataset = 'customers' | 'products' | 'transactions';

/** The columns every bronze table adds to what landed. */
const LOAD_COLUMNS = "'source_line': 'BIGINT', 'load_error': 'VARCHAR'";

/** How a landed file is read: its columns in the lake, and how the local copy is checked and loaded. */
interface LandedFormat {
  file: string;
  shape: Record<string, z.ZodType>;
  columns: string[];
  /**
   * Checks the downloaded file (`path`) against the declared columns into a clean file beside it;
   * `relation` reads that file in DuckDB with `source_line` and `load_error` (the file must stay
   * until the step's statements ran). Throws `SF_INPUT_INVALID` naming `key` when the file cannot
   * be read at all.
   */
  read(path: string, key: string): Promise<{ report: LandedFileReport; relation: string }>;
}

/** The personal columns of each landed CSV extract, by kind (the rest are internal). */
const PERSONAL_COLUMNS: Record<CsvDataset, Record<string, ColumnPiiKind>> = {
  customers: { name: 'name', email: 'email' },
  products: {},
  transactions: {},
};

function csvFormat(dataset: CsvDataset): LandedFormat {
  const file = `${dataset}.csv` as const;
  const columns = CSV_HEADERS[file].split(',');
  const spec = columns.map((c) => `${quoteLiteral(c)}: 'VARCHAR'`).join(', ');
  return {
    file,
    columns,
    shape: Object.fromEntries(
      columns.map((c) => {
        const kind = PERSONAL_COLUMNS[dataset][c];
        return [c, kind ? z.string().nullable().meta({ pii: kind }) : z.string().nullable()];
      }),
    ),
    async read(path, key) {
      const clean = `${path}.checked.csv`;
      const report = readLandedCsv(path, clean, { columns, source: key });
      return {
        report,
        relation: `read_csv(${quoteLiteral(clean)}, header = true, auto_detect = false, delim = ',',
           quote = '"', escape = '"', columns = {${spec}, ${LOAD_COLUMNS}})`,
      };
    },
  };
}

/** The fields of a landed clickstream event and their JSON types. */
export const CLICK_FIELDS: Record<string, JsonFieldType> = {
  event_id: 'string',
  session_id: 'string',
  customer_id: 'integer',
  event_type: 'string',
  page: 'string',
  product_id: 'integer',
  timestamp: 'string',
};

const CLICK_SPEC = Object.entries(CLICK_FIELDS)
  .map(([name, type]) => `${quoteLiteral(name)}: '${type === 'integer' ? 'BIGINT' : 'VARCHAR'}'`)
  .join(', ');

const clickstreamFormat: LandedFormat = {
  file: 'clickstream.jsonl',
  columns: Object.keys(CLICK_FIELDS),
  shape: {
    event_id: z.string().nullable(),
    session_id: z.string().nullable(),
    customer_id: z.int().nullable(),
    event_type: z.string().nullable(),
    page: z.string().nullable(),
    product_id: z.int().nullable(),
    timestamp: z.string().nullable(),
  },
  async read(path, key) {
    const clean = `${path}.checked.jsonl`;
    const report = await readLandedJsonLines(path, clean, { fields: CLICK_FIELDS, source: key });
    return {
      report,
      relation: `read_json(${quoteLiteral(clean)}, format = 'newline_delimited',
         columns = {${CLICK_SPEC}, ${LOAD_COLUMNS}})`,
    };
  },
};

/** The month of landing keys an object's key belongs to (`raw/year=2024/month=01/`), the unit a plan lists. */
const LANDING_MONTH = /^raw\/year=\d{4}\/month=\d{2}\//;

/**
 * The SHA-256 of a landed object as it is now: the recorded one while its version is the one read,
 * otherwise hashed from its bytes (a version's recorded hash may predate an edit behind the
 * store's back); null when the object is gone. `listed` is the month's listing (see
 * {@link listedFingerprints}): an object whose current bytes are still those recorded when it was
 * read needs no request of its own.
 */
async function objectFingerprint(
  store: ObjectStore,
  input: ExternalInput,
  listed: ReadonlyMap<string, string> | undefined,
): Promise<string | null> {
  const read = input.probe?.fingerprint;
  if (listed && typeof read === 'string') {
    const current = listed.get(input.name);
    if (current === read) return input.fingerprint;
  }
  const info = await store.head(input.name);
  if (!info) return null;
  if (info.versionId !== undefined && info.versionId === input.probe?.versionId) return input.fingerprint;
  const hash = createHash('sha256');
  for await (const chunk of await store.getStream(input.name)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Where the read of a landed file is logged: one line per read, with its counts. */
function logRead(
  logFile: string,
  where: { assetKey: string; partitionKey: string },
  key: string,
  outcome: { report: LandedFileReport } | { error: string },
): void {
  if ('error' in outcome) {
    appendValidationLog(logFile, { ...where, name: 'read', outcome: 'FAIL', message: outcome.error });
    return;
  }
  const { report } = outcome;
  const examples = report.rejected.slice(0, 3).map((r) => `line ${r.line}: ${r.reason}`);
  appendValidationLog(logFile, {
    ...where,
    name: 'read',
    outcome: report.rejected.length > 0 ? 'WARN' : 'PASS',
    counts: `records=${report.records} rows=${report.rows} rejected=${report.rejected.length}`,
    message: [
      key,
      report.reordered ? 'columns in another order, read by name' : '',
      examples.length ? `rejected ${examples.join('; ')}` : '',
    ]
      .filter(Boolean)
      .join('; '),
  });
}

/**
 * The bronze layer of the lake: one day of one dataset exactly as landed in the object store (CSV
 * columns as text, clickstream events with the JSON types), plus ingestion metadata — the object
 * key, the version read and its content hash, and the line it came from — so any row downstream
 * can be traced back to the landed object version. It reads the newest version: a re-delivered
 * object replaces the day's rows when the day is re-read (the `landing_arrivals` sensor does so).
 *
 * Every landed file is checked against its declared columns by name (a CSV header in another
 * order is read by name). A line that cannot be read (wrong number of fields, broken quoting,
 * not UTF-8, not a JSON object of the declared fields) is quarantined by the `line_readable`
 * rule with its line and the reason in `load_error`; a file that cannot be read at all (empty,
 * binary, a header that lacks, adds or repeats a column) fails the step with `SF_INPUT_INVALID`
 * naming the landing key. Every read is logged to `validation.log` with its counts.
 */
function bronzeAsset(dataset: LandingDataset, format: LandedFormat): AnyAsset {
  const { file, columns } = format;
  return defineAsset({
    key: `bronze_${dataset}`,
    group: 'bronze',
    codeVersion: '2',
    description: `The ${dataset} extract of one day as landed in the object store, with ingestion metadata (object key, version, sha256, line).`,
    deps: { landing: s3RawLanding },
    resources: [landingStore],
    classification: 'internal',
    partitions: shopflowDays,
    schema: z.object({
      ...format.shape,
      landing_key: z.string().describe('Object key in the landing zone'),
      landing_version: z.string().describe('Object version that was read'),
      landing_sha256: z.string().describe('Content hash of that object version'),
      source_line: z.int().describe('Line of the landed file'),
      load_error: z
        .string()
        .nullable()
        .describe('Why the line could not be read (set on quarantined lines only)'),
    }),
    owners: ['data-platform'],
    tags: ['landing'],
    checks: withValidationLog(
      [
        rowCheck({
          name: 'line_readable',
          description: 'every line of the landed file is a well-formed record of the declared columns',
          validWhen: 'load_error IS NULL',
          quarantine: true,
        }),
        rowsKept(),
      ],
      validationLogFile,
    ),
    observeInputs: async ({ recorded, resource, shared }) => {
      const store = await resource(landingStore);
      // NOTE: one listing per month of landed days, shared by the four bronze assets and every day
      // a plan observes, instead of a request per landed object (two in a bucket without versioning).
      return await Promise.all(
        recorded.map(async (input) => {
          // NOTE: an input recorded without the object's fingerprint (before it was) is asked by key.
          const month =
            typeof input.probe?.fingerprint === 'string' ? LANDING_MONTH.exec(input.name)?.[0] : undefined;
          // NOTE: a listing the store refuses (a role allowed to read objects but not to list
          // them) leaves every object to be asked for by key, as before.
          const listed = month
            ? await shared(`landing-fingerprints:${month}`, () =>
                listedFingerprints(store, month).catch(() => undefined),
              )
            : undefined;
          return { name: input.name, fingerprint: await objectFingerprint(store, input, listed) };
        }),
      );
    },
    async materialize(context) {
      const { partitionKey, resource, duckdb } = context;
      const store = await resource(landingStore);
      const key = landingKey({ date: partitionKey!, dataset, file });
      const info = await store.head(key);
      const [version] = await store.listVersions(key);
      const scratch = scratchFiles();
      // NOTE: the step's statements read the checked file where it is (one statement less than
      // copying it into a temporary table first); it goes when the step's session closes.
      duckdb.onClose(() => scratch.dispose());
      const local = scratch.path(file);
      const logFile = await validationLogFile(context);
      const where = { assetKey: `bronze_${dataset}`, partitionKey: partitionKey! };
      let relation: string;
      try {
        await store.download(key, local, {
          ...(version ? { versionId: version.versionId } : {}),
          readOnly: true,
        });
        const versionId = version?.versionId ?? info?.versionId;
        // NOTE: the current bytes' fingerprint is recorded only when they are the version read, so
        // a later listing that shows it proves the object unchanged.
        const current =
          info?.fingerprint !== undefined && info.versionId === versionId ? info.fingerprint : undefined;
        context.recordInput({
          name: key,
          fingerprint: (await hashFile(local)).sha256,
          ...(versionId ? { probe: { versionId, ...(current ? { fingerprint: current } : {}) } } : {}),
        });
        const read = await format.read(local, key);
        relation = read.relation;
        const { report } = read;
        logRead(logFile, where, key, { report });
        context.addMetadata({
          read: { records: report.records, rows: report.rows, rejected: report.rejected.length },
        });
      } catch (error) {
        if (isShopflowError(error, 'SF_INPUT_INVALID'))
          logRead(logFile, where, key, { error: error.message });
        throw error;
      }
      return sql`select ${sql.raw(columns.join(', '))},
          ${key} as landing_key, ${version?.versionId ?? info?.versionId ?? 'unversioned'} as landing_version,
          ${version?.sha256 ?? info?.sha256 ?? ''} as landing_sha256, source_line, load_error
        from ${sql.raw(relation)}
        order by source_line`;
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
