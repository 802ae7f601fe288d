import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  defineAsset,
  type InputHandle,
  type IoTarget,
  materialized,
  quoteLiteral,
} from '../../framework/index.js';
import { type GeneratorSettings, generatorSettings } from '../resources/generator-settings.js';
import { shopflowDays } from '../shopflow-calendar.js';
import {
  CSV_HEADERS,
  formatCustomerRow,
  formatProductRow,
  formatTransactionRow,
} from './simulator/raw-file-formats.js';
import type { ShopflowSimulator } from './simulator/shopflow-simulator.js';

type CsvFile = keyof typeof CSV_HEADERS;

const CLICK_COLUMNS =
  "{'event_id': 'VARCHAR', 'session_id': 'VARCHAR', 'customer_id': 'BIGINT', 'event_type': 'VARCHAR', 'page': 'VARCHAR', 'product_id': 'BIGINT', 'timestamp': 'VARCHAR'}";

/** The folder of one day's extract. */
export function extractDir(rawDir: string, day: string): string {
  return join(rawDir, 'daily', day);
}

/** The daily extracts handed to the raw assets. */
export class SourceFilesInput implements InputHandle {
  readonly assetKey = 'source_files';
  constructor(
    readonly rawDir: string,
    readonly partitionKeys: Array<string | null>,
  ) {}

  /** Paths of one file of every extract in this handle that exists. */
  files(file: string): string[] {
    return this.partitionKeys
      .map((day) => join(extractDir(this.rawDir, day as string), file))
      .filter((path) => existsSync(path));
  }

  /** DuckDB relation over one CSV of every extract in this handle, every column as text. */
  csv(file: CsvFile): string {
    const files = this.files(file);
    const columns = CSV_HEADERS[file].split(',');
    if (files.length === 0)
      return `(SELECT ${columns.map((c) => `NULL::VARCHAR AS ${c}`).join(', ')} WHERE FALSE)`;
    const spec = columns.map((c) => `${quoteLiteral(c)}: 'VARCHAR'`).join(', ');
    return `read_csv([${files.map(quoteLiteral).join(', ')}], header = true, columns = {${spec}}, quote = '"', escape = '"')`;
  }

  /** DuckDB relation over the clickstream JSON lines of every extract in this handle. */
  clickstream(): string {
    const files = this.files('clickstream.jsonl');
    if (files.length === 0) {
      return '(SELECT NULL::VARCHAR AS event_id, NULL::VARCHAR AS session_id, NULL::BIGINT AS customer_id, NULL::VARCHAR AS event_type, NULL::VARCHAR AS page, NULL::BIGINT AS product_id, NULL::VARCHAR AS timestamp WHERE FALSE)';
    }
    return `read_json([${files.map(quoteLiteral).join(', ')}], format = 'newline_delimited', columns = ${CLICK_COLUMNS})`;
  }

  toSql(): string {
    return this.csv('transactions.csv');
  }
}

const simulators = new Map<string, ShopflowSimulator>();

/**
 * One open-ended simulator per option set per process: its shared state is built once for all
 * days. A day's rows depend on the seed, scale, defect rate, epoch and the day only, never on the
 * configured range or on today's date, so a day's extract never changes once produced.
 */
async function simulatorFor(settings: GeneratorSettings): Promise<ShopflowSimulator> {
  const options = {
    seed: settings.seed,
    scale: settings.scale,
    start: settings.start,
    days: null,
    defectRate: settings.defectRate,
  };
  const key = JSON.stringify(options);
  let simulator = simulators.get(key);
  if (!simulator) {
    // NOTE: the simulator (and Faker) load on the first day generated, not with the definitions.
    const { ShopflowSimulator } = await import('./simulator/shopflow-simulator.js');
    simulator = new ShopflowSimulator(options, 'source_files');
    simulators.set(key, simulator);
  }
  return simulator;
}

function writeAtomically(file: string, text: string | Uint8Array): string {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
  return createHash('sha256').update(text).digest('hex');
}

const sourceFilesIo: IoTarget<unknown, SourceFilesInput> = {
  kind: 'source-files',
  supportsQuarantine: false,
  location: (_asset, partitionKey) => `<data.rawDir>/daily/${partitionKey}/`,
  write: async () => {
    throw new Error('source_files writes its files itself');
  },
  input: async (context, partitionKeys) =>
    new SourceFilesInput((await context.resource(generatorSettings)).rawDir, partitionKeys),
  preview: async (context, partitionKey) => {
    const dir = extractDir((await context.resource(generatorSettings)).rawDir, partitionKey!);
    const manifest = existsSync(join(dir, '_manifest.json'))
      ? (JSON.parse(readFileSync(join(dir, '_manifest.json'), 'utf8')) as {
          files: Record<string, { rows: number; sha256: string }>;
        })
      : { files: {} };
    return {
      columns: [
        { name: 'file', type: 'VARCHAR' },
        { name: 'rows', type: 'BIGINT' },
        { name: 'sha256', type: 'VARCHAR' },
      ],
      rows: Object.entries(manifest.files).map(([file, f]) => ({
        file: join(dir, file),
        rows: f.rows,
        sha256: f.sha256,
      })),
    };
  },
};

/**
 * The daily extract of ShopFlow's operational systems, straight from the seeded simulator
 * (`resources.generator`): the customer and product versions that changed that day (all of them on
 * a snapshot day), the transactions delivered that day (late ones included) and the day's
 * clickstream, as CSV and JSON lines in `<data.rawDir>/daily/<day>/` (under the home by default),
 * with `_defects.json` listing the defects injected into them. Nothing downstream reads these
 * files but the landing zone: they are the source system's side of the hand-over. A day's extract
 * never changes when other days are added or as time goes by, so only new days flow downstream.
 */
export const sourceFiles = defineAsset({
  key: 'source_files',
  group: 'source',
  classification: 'internal',
  description:
    'Daily extract (CSV and JSON lines) of the seeded ShopFlow simulator, in <data.rawDir>/daily/<day>/ under the home.',
  schema: z.object({ file: z.string(), rows: z.int(), sha256: z.string() }),
  partitions: shopflowDays,
  io: sourceFilesIo,
  tags: ['source'],
  owners: ['data-platform'],
  async materialize({ resource, partitionKey }) {
    const settings = await resource(generatorSettings);
    const day = (await simulatorFor(settings)).extract(partitionKey!);
    const dir = extractDir(settings.rawDir, partitionKey!);
    mkdirSync(dir, { recursive: true });
    const lines = (header: string, rows: string[]) => `${[header, ...rows].join('\n')}\n`;
    const files: Record<string, { rows: number; sha256: string }> = {
      'customers.csv': {
        rows: day.customers.length,
        sha256: writeAtomically(
          join(dir, 'customers.csv'),
          lines(CSV_HEADERS['customers.csv'], day.customers.map(formatCustomerRow)),
        ),
      },
      'products.csv': {
        rows: day.products.length,
        sha256: writeAtomically(
          join(dir, 'products.csv'),
          lines(CSV_HEADERS['products.csv'], day.products.map(formatProductRow)),
        ),
      },
      'transactions.csv': {
        rows: day.transactions.length,
        sha256: writeAtomically(
          join(dir, 'transactions.csv'),
          lines(CSV_HEADERS['transactions.csv'], day.transactions.map(formatTransactionRow)),
        ),
      },
      'clickstream.jsonl': {
        rows: day.clickstream.rows,
        sha256: writeAtomically(join(dir, 'clickstream.jsonl'), day.clickstream.bytes),
      },
    };
    const counts: Record<string, Record<string, number>> = {};
    for (const defect of day.defects) {
      counts[defect.file] ??= {};
      counts[defect.file][defect.kind] = (counts[defect.file][defect.kind] ?? 0) + 1;
    }
    writeAtomically(join(dir, '_defects.json'), JSON.stringify({ counts, defects: day.defects }, null, 1));
    writeAtomically(join(dir, '_manifest.json'), JSON.stringify({ day: partitionKey, files }, null, 1));
    const rows = Object.values(files).reduce((sum, f) => sum + f.rows, 0);
    return materialized({
      rowCount: rows,
      dataVersion: createHash('sha256')
        .update(
          Object.values(files)
            .map((f) => f.sha256)
            .join(','),
        )
        .digest('hex')
        .slice(0, 20),
      metadata: { dir, files, defects: counts },
    });
  },
});
