import { didYouMean } from '../errors/did-you-mean.js';
import { ShopflowError } from '../errors/error-catalog.js';
import type { Partition, PartitionsDefinition } from './partitions-definition.js';

// NOTE: keys are written as `asset[key]` and listed with commas in selections and ranges.
const FORBIDDEN = /[[\],\s]/;
const SHOWN_KEYS = 10;

/**
 * A fixed, ordered set of partition keys (regions, tenants, sources). Keys never depend on time;
 * `now` arguments are accepted for the interface and ignored.
 *
 * @example
 * const regions = staticPartitions(['eu-west', 'us-east', 'ap-south']);
 * regions.range('eu-west', 'us-east'); // ['eu-west', 'us-east']
 * regions.validate('eu-wset'); // throws SF_BAD_PARTITION: … did you mean `eu-west`?
 */
export class StaticPartitions implements PartitionsDefinition {
  readonly kind = 'static' as const;
  readonly description: string;
  private readonly list: readonly string[];
  private readonly positions: ReadonlyMap<string, number>;

  constructor(keys: readonly string[]) {
    this.positions = checkKeys(keys);
    this.list = [...keys];
    const shown = this.list.length <= SHOWN_KEYS ? this.list : [...this.list.slice(0, SHOWN_KEYS - 1), '…'];
    const count = this.list.length <= SHOWN_KEYS ? '' : ` (${this.list.length} keys)`;
    this.description = `static [${shown.join(', ')}]${count}`;
  }

  keys(_now?: Date): string[] {
    return [...this.list];
  }

  has(key: string, _now?: Date): boolean {
    return this.positions.has(key);
  }

  validate(key: string, _now?: Date): void {
    this.position(key);
  }

  range(from: string, to: string, _now?: Date): string[] {
    const first = this.position(from);
    const last = this.position(to);
    if (first > last) {
      throw new ShopflowError(
        'SF_BAD_PARTITION_RANGE',
        `partition range \`${from}\` to \`${to}\` of ${this.description} is reversed: \`${from}\` comes after \`${to}\``,
        { hint: `swap the ends: from \`${to}\` to \`${from}\``, details: { from, to } },
      );
    }
    return this.list.slice(first, last + 1);
  }

  partition(key: string): Partition {
    this.position(key);
    return { key };
  }

  private position(key: string): number {
    const position = this.positions.get(key);
    if (position !== undefined) return position;
    const text = String(key);
    const listed = this.list
      .slice(0, SHOWN_KEYS)
      .map((k) => `\`${k}\``)
      .join(', ');
    const more = this.list.length > SHOWN_KEYS ? ` and ${this.list.length - SHOWN_KEYS} more` : '';
    throw new ShopflowError(
      'SF_BAD_PARTITION',
      `partition key \`${text}\` is not one of ${this.description}`,
      {
        hint: didYouMean(text, this.list) ?? `valid keys are ${listed}${more}`,
        details: { key: text, partitions: this.description },
      },
    );
  }
}

function checkKeys(keys: readonly string[]): Map<string, number> {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new ShopflowError('SF_INVALID_ASSET', 'static partitions need at least one key', {
      hint: "list the keys, e.g. staticPartitions(['eu-west', 'us-east'])",
    });
  }
  const positions = new Map<string, number>();
  keys.forEach((key, position) => {
    if (typeof key !== 'string' || key.length === 0) {
      throw new ShopflowError(
        'SF_INVALID_ASSET',
        `static partitions key ${position + 1} of ${keys.length} is ${typeof key === 'string' ? 'empty' : `\`${String(key)}\`, not a string`}`,
        { hint: 'every key must be a non-empty string' },
      );
    }
    if (FORBIDDEN.test(key)) {
      throw new ShopflowError(
        'SF_INVALID_ASSET',
        `static partitions key \`${key}\` contains whitespace, a bracket or a comma (keys are written as \`asset[key]\` and separated by commas)`,
        { hint: `use \`${key.trim().replace(/[[\],\s]+/g, '_')}\`` },
      );
    }
    const earlier = positions.get(key);
    if (earlier !== undefined) {
      throw new ShopflowError(
        'SF_INVALID_ASSET',
        `static partitions key \`${key}\` is listed twice (positions ${earlier + 1} and ${position + 1})`,
        { hint: 'remove the duplicate' },
      );
    }
    positions.set(key, position);
  });
  return positions;
}

/**
 * Static partitions with these keys, in this order. Keys must be unique, non-empty and free of
 * whitespace, brackets and commas.
 *
 * @example
 * const regions = staticPartitions(['eu-west', 'us-east']);
 * regions.keys(); // ['eu-west', 'us-east']
 */
export function staticPartitions(keys: readonly string[]): StaticPartitions {
  return new StaticPartitions(keys);
}
