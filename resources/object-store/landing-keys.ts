import { didYouMean } from '../../framework/errors/did-you-mean.js';
import { ShopflowError } from '../../framework/errors/error-catalog.js';
import { validateObjectKey } from './object-key.js';

/** The datasets that land in the raw zone. */
export const LANDING_DATASETS = ['customers', 'products', 'transactions', 'clickstream'] as const;

export type LandingDataset = (typeof LANDING_DATASETS)[number];

/** The parts a landing key is made of. */
export interface LandingKeyParts {
  /** The partition day, `YYYY-MM-DD`. */
  date: string;
  dataset: LandingDataset;
  /** The file name: one segment, no `/`. */
  file: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LANDING_KEY = /^raw\/year=(\d{4})\/month=(\d{2})\/day=(\d{2})\/([^/]+)\/([^/]+)$/;
const LANDING_EXAMPLE = 'raw/year=2024/month=01/day=15/customers/customers.csv';

function checkDate(date: string, source: string): [string, string, string] {
  const match = DATE.exec(date);
  const parsed = match ? new Date(`${date}T00:00:00Z`) : undefined;
  if (!match || !parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
    throw new ShopflowError(
      'SF_INPUT_INVALID',
      `landing date \`${date}\` (${source}) is not a real YYYY-MM-DD day`,
      {
        hint: 'write the day as e.g. `2024-01-15`',
      },
    );
  }
  return [match[1], match[2], match[3]];
}

function checkDataset(dataset: string, source: string): LandingDataset {
  if ((LANDING_DATASETS as readonly string[]).includes(dataset)) return dataset as LandingDataset;
  throw new ShopflowError('SF_INPUT_INVALID', `unknown landing dataset \`${dataset}\` (${source})`, {
    hint:
      didYouMean(dataset, LANDING_DATASETS) ??
      `use one of ${LANDING_DATASETS.map((d) => `\`${d}\``).join(', ')}`,
  });
}

function checkFile(file: string, source: string): string {
  if (typeof file !== 'string' || file === '' || file.includes('/') || file === '.' || file === '..') {
    throw new ShopflowError(
      'SF_INPUT_INVALID',
      `landing file name ${JSON.stringify(file)} (${source}) is not one segment`,
      {
        hint: 'pass a bare file name such as `customers.csv`, without folders',
      },
    );
  }
  return file;
}

/**
 * The object key of a landed raw file: `raw/year=YYYY/month=MM/day=DD/<dataset>/<file>`.
 *
 * @example
 * landingKey({ date: '2024-01-15', dataset: 'customers', file: 'customers.csv' });
 * // 'raw/year=2024/month=01/day=15/customers/customers.csv'
 */
export function landingKey(parts: LandingKeyParts): string {
  const [year, month, day] = checkDate(parts.date, 'landing key date');
  const dataset = checkDataset(parts.dataset, 'landing key dataset');
  const file = checkFile(parts.file, 'landing key file');
  return validateObjectKey(`raw/year=${year}/month=${month}/day=${day}/${dataset}/${file}`);
}

/**
 * The listing prefix of one landing day, optionally narrowed to one dataset (ends with `/`).
 *
 * @example
 * landingPrefix({ date: '2024-01-15' }); // 'raw/year=2024/month=01/day=15/'
 * landingPrefix({ date: '2024-01-15', dataset: 'products' }); // 'raw/year=2024/month=01/day=15/products/'
 */
export function landingPrefix(parts: { date: string; dataset?: LandingDataset }): string {
  const [year, month, day] = checkDate(parts.date, 'landing prefix date');
  const base = `raw/year=${year}/month=${month}/day=${day}/`;
  return parts.dataset === undefined
    ? base
    : `${base}${checkDataset(parts.dataset, 'landing prefix dataset')}/`;
}

/**
 * Parses a landing key back into its parts; throws `SF_INPUT_INVALID` for anything else.
 *
 * @example
 * parseLandingKey('raw/year=2024/month=01/day=15/customers/customers.csv');
 * // { date: '2024-01-15', dataset: 'customers', file: 'customers.csv' }
 */
export function parseLandingKey(key: string): LandingKeyParts {
  const match = typeof key === 'string' ? LANDING_KEY.exec(key) : null;
  if (!match) {
    throw new ShopflowError('SF_INPUT_INVALID', `\`${key}\` is not a landing key`, {
      hint: `landing keys look like \`${LANDING_EXAMPLE}\``,
    });
  }
  const [, year, month, day, dataset, file] = match;
  const date = `${year}-${month}-${day}`;
  checkDate(date, `in landing key \`${key}\``);
  return {
    date,
    dataset: checkDataset(dataset, `in landing key \`${key}\``),
    file: checkFile(file, `in landing key \`${key}\``),
  };
}

/**
 * A DuckDB expression for the landing day (a DATE) of the landing key in `column`: the
 * `year=…/month=…/day=…` of {@link landingKey}, NULL for a text that is not a landing key.
 *
 * @example
 * `select ${landingDaySql('landing_key')} as landed_on from bronze`
 */
export function landingDaySql(column: string): string {
  const pattern = `'^raw/year=(\\d{4})/month=(\\d{2})/day=(\\d{2})/[^/]+/[^/]+$'`;
  return `(CASE WHEN regexp_matches(${column}, ${pattern}) THEN try_cast(regexp_replace(${column}, ${pattern}, '\\1-\\2-\\3') AS DATE) END)`;
}
