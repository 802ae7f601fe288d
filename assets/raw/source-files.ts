import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
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
import { type GenerationManifest, generateShopflowData, MANIFEST_FILE } from './simulator/index.js';

/** The generated source files, handed to the raw assets. */
export class SourceFilesInput implements InputHandle {
  readonly assetKey = 'source_files';
  readonly partitionKeys = [null];
  constructor(readonly dir: string) {}

  /** DuckDB relation over a CSV file of the extract, every column as text. */
  csv(file: 'customers.csv' | 'products.csv' | 'transactions.csv'): string {
    return `read_csv(${quoteLiteral(join(this.dir, file))}, header = true, all_varchar = true, auto_detect = true)`;
  }

  /** DuckDB relation over the clickstream JSON lines. */
  jsonl(file: 'clickstream.jsonl'): string {
    return `read_json(${quoteLiteral(join(this.dir, file))}, format = 'newline_delimited')`;
  }

  toSql(): string {
    return quoteLiteral(this.dir);
  }
}

function sameOptions(manifest: GenerationManifest, settings: GeneratorSettings): boolean {
  return (
    manifest.seed === settings.seed &&
    manifest.scale === settings.scale &&
    manifest.start === settings.start &&
    manifest.days === settings.days &&
    manifest.defectRate === settings.defectRate
  );
}

function readManifest(dir: string): GenerationManifest | undefined {
  const file = join(dir, MANIFEST_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as GenerationManifest) : undefined;
}

const sourceFilesIo: IoTarget<unknown, SourceFilesInput> = {
  kind: 'source-files',
  supportsQuarantine: false,
  location: () => 'data.rawDir',
  write: async () => {
    throw new Error('source_files writes its files itself');
  },
  input: async (context) => new SourceFilesInput((await context.resource(generatorSettings)).rawDir),
  preview: async (context) => {
    const dir = (await context.resource(generatorSettings)).rawDir;
    const manifest = readManifest(dir);
    return {
      columns: [
        { name: 'file', type: 'VARCHAR' },
        { name: 'rows', type: 'BIGINT' },
        { name: 'bytes', type: 'BIGINT' },
        { name: 'sha256', type: 'VARCHAR' },
      ],
      rows: Object.entries(manifest?.files ?? {}).map(([file, f]) => ({
        file: join(dir, file),
        rows: f.rows ?? null,
        bytes: f.bytes,
        sha256: f.sha256,
      })),
    };
  },
};

/**
 * The extract of ShopFlow's operational systems: customers, products, transactions and clickstream
 * files from the seeded simulator (`resources.generator`), in `data.rawDir`. Files generated earlier
 * with the same options (by `shopflow generate` or a previous run) are reused; the data version is
 * the hash of the files' hashes, so an identical extract leaves everything downstream fresh.
 */
export const sourceFiles = defineAsset({
  key: 'source_files',
  group: 'raw',
  description: 'Source extract (CSV and JSON lines) from the seeded ShopFlow simulator, in data/raw.',
  schema: z.object({ file: z.string(), rows: z.int().nullable(), bytes: z.int(), sha256: z.string() }),
  io: sourceFilesIo,
  tags: ['source'],
  owners: ['data-platform'],
  async materialize({ resource, log }) {
    const settings = await resource(generatorSettings);
    let manifest = readManifest(settings.rawDir);
    let generated = false;
    if (!manifest || !sameOptions(manifest, settings)) {
      log.info({ dir: settings.rawDir, scale: settings.scale }, 'generating the source extract');
      const summary = await generateShopflowData({
        out: settings.rawDir,
        seed: settings.seed,
        scale: settings.scale,
        start: settings.start,
        days: settings.days,
        defectRate: settings.defectRate,
      });
      manifest = summary.manifest;
      generated = true;
    }
    const files = Object.fromEntries(Object.entries(manifest.files).sort(([a], [b]) => a.localeCompare(b)));
    const rows = Object.values(files).reduce((sum, f) => sum + (f.rows ?? 0), 0);
    return materialized({
      rowCount: rows,
      dataVersion: createHash('sha256').update(JSON.stringify(files)).digest('hex').slice(0, 20),
      metadata: {
        dir: settings.rawDir,
        generated,
        seed: manifest.seed,
        scale: manifest.scale,
        entities: manifest.entities,
        files,
      },
    });
  },
});
