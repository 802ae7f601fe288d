import type { RawDataFile } from './raw-file-formats.js';
import { hashFloat, RandomStream, seedFrom } from './seeded-random.js';
import type { ResolvedSimulationOptions } from './simulator-options.js';

/** Kinds of defects the simulator injects into the raw files. */
export type DefectKind =
  | 'null_email'
  | 'malformed_email'
  | 'malformed_date'
  | 'non_positive_price'
  | 'duplicate_id'
  | 'orphan_fk';

/** The files that receive defects (clickstream is kept clean). */
export type DefectFile = 'customers.csv' | 'products.csv' | 'transactions.csv';

/**
 * One injected defect. For `duplicate_id` the row named is an EXTRA row written right after the
 * original, repeating its key (`customer_id`/`product_id` + `updated_at`, or `transaction_id`) with
 * different content; every other kind alters the one row it names, in `column`.
 */
export interface DefectRecord {
  file: RawDataFile;
  id: number;
  kind: DefectKind;
  column: string;
}

/** Which defect kinds each file can receive (a defective row gets one kind, uniformly). */
export const DEFECT_KINDS_BY_FILE: Readonly<Record<DefectFile, readonly DefectKind[]>> = {
  'customers.csv': ['null_email', 'malformed_email', 'malformed_date', 'duplicate_id'],
  'products.csv': ['non_positive_price', 'duplicate_id'],
  'transactions.csv': ['malformed_date', 'non_positive_price', 'duplicate_id', 'orphan_fk'],
};

/** Orphan foreign keys are drawn from `ORPHAN_ID_BASE + [0, 100000)`, an id range no entity ever has. */
export const ORPHAN_ID_BASE = 900_000_000;

const FILE_CODES: Record<DefectFile, number> = {
  'customers.csv': 1,
  'products.csv': 2,
  'transactions.csv': 3,
};

/** A row's defect decision and the number that picks how it is malformed. */
export interface DefectDraw {
  kind: DefectKind;
  variant: number;
}

/**
 * Whether the row `(file, id, version)` carries a defect, and which. Keyed by the row, not by its
 * position, so any day regenerated alone gets the same defects.
 *
 * @example
 * drawDefect(options, 'customers.csv', 17, 0); // undefined for most rows
 */
export function drawDefect(
  options: ResolvedSimulationOptions,
  file: DefectFile,
  id: number,
  version: number,
): DefectDraw | undefined {
  const rate = options.defectRate;
  if (rate === 0) return undefined;
  const u = hashFloat(options.seed, RandomStream.defect, FILE_CODES[file], id, version);
  if (u >= rate) return undefined;
  const kinds = DEFECT_KINDS_BY_FILE[file];
  const kind = kinds[Math.min(kinds.length - 1, Math.floor((u / rate) * kinds.length))];
  return { kind, variant: seedFrom(options.seed, RandomStream.defectVariant, FILE_CODES[file], id, version) };
}

/** An email that fails `^[^@\s]+@[^@\s]+\.[^@\s]+$`. */
export function malformEmail(email: string, variant: number): string {
  const [local, domain] = email.split('@');
  switch (variant % 5) {
    case 0:
      return `${local}${domain}`;
    case 1:
      return `${local}@@${domain}`;
    case 2:
      return `${local}@${domain.split('.')[0]}`;
    case 3:
      return `${local} ${local}@${domain}`;
    default:
      return `@${domain}`;
  }
}

/** A registration date that is not a real `YYYY-MM-DD` date. */
export function malformDate(isoDate: string, variant: number): string {
  const [yyyy, mm, dd] = isoDate.split('-');
  switch (variant % 5) {
    case 0:
      return `${dd}/${mm}/${yyyy}`;
    case 1:
      return `${yyyy}-02-30`;
    case 2:
      return `${yyyy}-13-${dd}`;
    case 3:
      return 'unknown';
    default:
      return `${yyyy}/${mm}/${dd}`;
  }
}

/** A timestamp that is not a valid `YYYY-MM-DDTHH:MM:SSZ` instant. */
export function malformTimestamp(timestamp: string, variant: number): string {
  const [date, rest] = timestamp.split('T');
  const [yyyy, mm, dd] = date.split('-');
  const time = rest.slice(0, 8);
  switch (variant % 4) {
    case 0:
      return `${dd}/${mm}/${yyyy} ${time}`;
    case 1:
      return `${date}T25${time.slice(2)}Z`;
    case 2:
      return `${yyyy}-${mm}-32T${time}Z`;
    default:
      return 'not-a-timestamp';
  }
}

/** A price that is zero or negative (a third are zero). */
export function nonPositivePrice(price: number, variant: number): number {
  return variant % 3 === 0 ? 0 : -price;
}

/** An id that no customer or product ever has. */
export function orphanId(variant: number): number {
  return ORPHAN_ID_BASE + (variant % 100_000);
}
