/**
 * The ShopFlow business simulator: writes the raw source files of the pipeline.
 *
 * Design
 * ------
 * Determinism without replay. Every random draw comes from a small generator keyed by coordinates
 * (`seedFrom(seed, stream, ...)` in seeded-random.ts), never from one long sequence, so any part can
 * be regenerated on its own:
 *   - time runs from the epoch (`start`) in periods of 90 days; the calendar of a period (how many
 *     customers register, products appear and transactions happen on each of its days) is drawn
 *     from `(seed, 'calendar', period)` in O(days); its prefix sums are the cumulative state: ids are
 *     dense and given in order of appearance, so the customers that exist before day d are simply
 *     ids 1..customersBefore(d) (likewise products and transaction ids). Period 0 holds the
 *     exercise's sizes; the simulation is open-ended, and `days` only bounds what is generated,
 *     never what a day contains;
 *   - an entity's life in the period it appears in is drawn from `(seed, entity, id)`, and in each
 *     later period from `(seed, entity-period, id, period)`: registration time, country and profile
 *     changes of a customer; creation, category and price/category changes of a product. Text
 *     (names, emails, suppliers) comes from Faker reseeded with `(seed, entity-text, id)`. Building
 *     a period's change index and price index is one cheap numeric pass over the ids
 *     (shopflow-world.ts), with no Faker and no replay of earlier days;
 *   - a day's transactions are drawn hour by hour from `(seed, day, hour)`, its clickstream from
 *     `(seed, day, hour)` of another stream, and a row's defect from `(seed, file, id, version)`.
 * So `simulateDay(options, date)` builds the index and generates that day (plus the three days before
 * it, for late-arriving transactions), and its rows equal the day's rows in the full files.
 *
 * Day slices. customers.csv / products.csv: rows whose `updated_at` is on the day, after a full
 * snapshot on day 0 (entities that exist before the start, as of its midnight) and every 30 days
 * from day 90 (every entity, in its version current at midnight, repeating rows delivered before);
 * transactions.csv: rows whose `delivery_date` is the day (a late arrival happened 1–3 days before);
 * clickstream.jsonl: events whose timestamp is on the day (sessions never cross midnight).
 *
 * Counting. Each entity id appears once per version; a `duplicate_id` defect adds an extra row
 * repeating an existing key, and an `orphan_fk` defect replaces a key of an existing transaction
 * with an id from 900,000,000 up that no entity has. So the distinct `customer_id`s of
 * customers.csv, `product_id`s of products.csv and `transaction_id`s of transactions.csv are exactly
 * the entity counts (1,000 / 500 / 5,000 at scale 1 over the first 90 days). Late deliveries never
 * cross the end of a period.
 *
 * Threads. The clickstream (nine rows in ten) is drawn from the calendar and each hour's
 * transactions alone — no Faker, no customer or product index — so a worker thread rebuilds what
 * it needs from the options and writes clickstream.jsonl beside the CSV files written here, on
 * the other core (clickstream-lane.ts). Where no worker starts it is written in this thread, with
 * the same bytes.
 *
 * Memory. Rows stream to the files with backpressure; what is held is the per-entity indexes
 * (a few bytes per product, one entry per changing customer), one hour of transactions and
 * clickstream events (the events' lines of an hour too, in the worker), and the transactions
 * waiting for their late delivery day.
 */
import { setImmediate } from 'node:timers/promises';
import { ShopflowError } from '../../../framework/errors/error-catalog.js';
import { AtomicOutputFolder } from './atomic-output-folder.js';
import { ClickstreamLane, type LaneOptions } from './clickstream-lane.js';
import { customerRowsOfDay } from './customer-day-rows.js';
import { DefectLedger, type DefectReport } from './defect-ledger.js';
import type { EmittedRow } from './emitted-row.js';
import { LineSink, type WrittenFile } from './line-sink.js';
import { productRowsOfDay } from './product-day-rows.js';
import {
  CSV_HEADERS,
  formatCustomerRow,
  formatProductRow,
  formatTransactionRow,
  RAW_DATA_FILES,
} from './raw-file-formats.js';
import type { EntityCounts } from './shopflow-simulator.js';
import { ShopflowWorld } from './shopflow-world.js';
import {
  type GenerateOptions,
  type ResolvedSimulationOptions,
  resolveSimulationOptions,
} from './simulator-options.js';
import { type TransactionDraft, transactionHoursOfDay } from './transaction-drafts.js';
import { transactionRows } from './transaction-rows.js';

/** Name of the defect report written beside the data files. */
export const DEFECTS_FILE = '_defects.json';
/** Name of the manifest written beside the data files (renamed into place last). */
export const MANIFEST_FILE = '_manifest.json';

/** Content of `_manifest.json`. */
export interface GenerationManifest {
  seed: number;
  scale: number;
  start: string;
  days: number;
  defectRate: number;
  entities: EntityCounts;
  /** Per file: data rows (CSV header excluded; absent for the JSON reports), bytes and sha256. */
  files: Record<string, { rows?: number; bytes: number; sha256: string }>;
}

/** What {@link generateShopflowData} wrote. */
export interface GenerateSummary {
  /** Absolute path of the output folder. */
  out: string;
  options: ResolvedSimulationOptions;
  manifest: GenerationManifest;
  defects: Pick<DefectReport, 'total' | 'counts' | 'truncated'>;
  elapsedMs: number;
}

type CsvFile = keyof typeof CSV_HEADERS;
type Sinks = Record<CsvFile, LineSink>;
const CSV_FILES = Object.keys(CSV_HEADERS) as CsvFile[];

/**
 * Generates the raw ShopFlow files (customers.csv, products.csv, transactions.csv,
 * clickstream.jsonl, _defects.json, _manifest.json) into `options.out`. The same options always give
 * byte-identical files. Files are written to a temporary folder beside `out` and renamed into it
 * only when all are complete, so a failure leaves the previous files intact.
 *
 * @example
 * const summary = await generateShopflowData({ out: 'data/raw', scale: 0.1, seed: 7 });
 * summary.manifest.files['transactions.csv'].rows; // 500 (plus injected duplicates)
 */
export function generateShopflowData(options: GenerateOptions): Promise<GenerateSummary> {
  return generateShopflowFiles(options, {});
}

/**
 * {@link generateShopflowData}, choosing where clickstream.jsonl is written (see
 * {@link ClickstreamLane}): every choice writes the same bytes, which the tests check.
 */
export async function generateShopflowFiles(
  options: GenerateOptions,
  lane: Omit<LaneOptions, 'trackDays'>,
): Promise<GenerateSummary> {
  const started = performance.now();
  if (typeof options?.out !== 'string' || options.out.trim() === '') {
    throw new ShopflowError(
      'SF_BAD_USAGE',
      `option \`out\` of generateShopflowData is ${String(options?.out)}`,
      {
        hint: 'pass the folder to write the files into, e.g. data/raw',
        details: { option: 'out' },
      },
    );
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new ShopflowError('SF_BAD_USAGE', 'option `onProgress` of generateShopflowData is not a function', {
      hint: 'pass a function ({ file, rows }) => void, or leave it out',
      details: { option: 'onProgress' },
    });
  }
  const resolved = resolveSimulationOptions(options, 'generateShopflowData');
  if (resolved.days === null) {
    throw new ShopflowError('SF_BAD_USAGE', 'option `days` of generateShopflowData is null', {
      hint: 'pass the number of days to write, e.g. 90',
      details: { option: 'days' },
    });
  }
  const days = resolved.days;
  const world = new ShopflowWorld(resolved);
  const folder = await AtomicOutputFolder.create(options.out).catch((error: unknown) => {
    throw ioError(error, options.out);
  });
  // NOTE: the clickstream starts first: it is most of the rows, and its worker takes a moment to start.
  const clicks = ClickstreamLane.start(
    { options: resolved, days, path: folder.pathOf('clickstream.jsonl') },
    { ...lane, trackDays: options.onProgress !== undefined },
  );
  const sinks = Object.fromEntries(
    CSV_FILES.map((file) => [file, new LineSink(folder.pathOf(file))]),
  ) as Sinks;
  try {
    const ledger = new DefectLedger();
    const undelivered = await writeDays(world, days, sinks, clicks, ledger, options.onProgress);
    const files: GenerationManifest['files'] = {};
    for (const file of RAW_DATA_FILES) {
      files[file] = file === 'clickstream.jsonl' ? (await clicks.done).file : await sinks[file].close();
    }
    const report = ledger.report(resolved);
    files[DEFECTS_FILE] = await writeJson(folder.pathOf(DEFECTS_FILE), report);
    const { calendar } = world;
    const manifest: GenerationManifest = {
      seed: resolved.seed,
      scale: resolved.scale,
      start: resolved.start,
      days,
      defectRate: resolved.defectRate,
      entities: {
        customers: calendar.customersBefore(days),
        products: calendar.productsBefore(days),
        transactions: calendar.transactionsBefore(days) - undelivered,
      },
      files,
    };
    await writeJson(folder.pathOf(MANIFEST_FILE), manifest);
    await folder.commit([...RAW_DATA_FILES, DEFECTS_FILE, MANIFEST_FILE]);
    return {
      out: folder.target,
      options: resolved,
      manifest,
      defects: { total: report.total, counts: report.counts, truncated: report.truncated },
      elapsedMs: performance.now() - started,
    };
  } catch (error) {
    await Promise.all([clicks.cancel(), ...Object.values(sinks).map((sink) => sink.destroy())]);
    await folder.discard();
    throw ioError(error, options.out);
  }
}

/**
 * Writes the CSV files for days `[0, days)` while `clicks` writes the clickstream; returns how many
 * transactions of the range are delivered after it.
 */
async function writeDays(
  world: ShopflowWorld,
  days: number,
  sinks: Sinks,
  clicks: ClickstreamLane,
  ledger: DefectLedger,
  onProgress: GenerateOptions['onProgress'],
): Promise<number> {
  for (const file of CSV_FILES) sinks[file].header(CSV_HEADERS[file]);
  const waiting = new Map<number, TransactionDraft[]>();
  for (let day = 0; day < days; day++) {
    // NOTE: the sinks rarely make this thread wait, so it yields once a day: the worker's messages
    // (a failure, the rows for a progress report) are read while the CSV files are still written.
    await setImmediate();
    clicks.throwIfFailed();
    await writeRows(sinks['customers.csv'], customerRowsOfDay(world, day), formatCustomerRow, ledger);
    await writeRows(sinks['products.csv'], productRowsOfDay(world, day), formatProductRow, ledger);
    for (const draft of waiting.get(day) ?? []) {
      await writeRows(sinks['transactions.csv'], transactionRows(world, draft), formatTransactionRow, ledger);
    }
    waiting.delete(day);
    for (const { drafts } of transactionHoursOfDay(world, day)) {
      for (const draft of drafts) {
        if (draft.deliveryDay > day) {
          const later = waiting.get(draft.deliveryDay) ?? [];
          later.push(draft);
          waiting.set(draft.deliveryDay, later);
        } else {
          await writeRows(
            sinks['transactions.csv'],
            transactionRows(world, draft),
            formatTransactionRow,
            ledger,
          );
        }
      }
    }
    if (onProgress) {
      for (const file of RAW_DATA_FILES) {
        const rows = file === 'clickstream.jsonl' ? await clicks.rowsAfterDay(day) : sinks[file].rowCount;
        onProgress({ file, rows });
      }
    }
  }
  let undelivered = 0;
  for (const drafts of waiting.values()) undelivered += drafts.length;
  return undelivered;
}

async function writeRows<T>(
  sink: LineSink,
  rows: Iterable<EmittedRow<T>>,
  format: (row: T) => string,
  ledger: DefectLedger,
): Promise<void> {
  for (const { row, defect } of rows) {
    if (defect) ledger.record(defect);
    if (sink.push(format(row))) await sink.flush();
  }
}

async function writeJson(path: string, value: unknown): Promise<Omit<WrittenFile, 'rows'>> {
  const sink = new LineSink(path);
  sink.header(JSON.stringify(value, null, 2));
  const { bytes, sha256 } = await sink.close();
  return { bytes, sha256 };
}

function ioError(error: unknown, out: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (error instanceof ShopflowError || typeof code !== 'string' || !(error instanceof Error)) return error;
  return new ShopflowError(
    'SF_IO',
    `writing the simulator files to ${JSON.stringify(out)} failed: ${error.message}`,
    {
      hint: 'check that the folder and its parent are writable and the disk has room; the previous files were left as they were',
      cause: error,
      details: { out, code },
    },
  );
}
