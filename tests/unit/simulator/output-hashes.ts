import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every file a generation writes into its output folder. */
export const GENERATED_FILES = [
  'customers.csv',
  'products.csv',
  'transactions.csv',
  'clickstream.jsonl',
  '_defects.json',
  '_manifest.json',
] as const;

/** The sha256 of the file at `path`, in hex. */
export function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The sha256 of each generated file in `dir`, by file name. */
export function outputHashes(dir: string): Record<string, string> {
  return Object.fromEntries(GENERATED_FILES.map((file) => [file, sha256Of(join(dir, file))]));
}
