import { describe, expect, it } from 'vitest';
import { type ErrorCode, ShopflowError } from '../../../framework/errors/error-catalog.js';
import { StaticPartitions, staticPartitions } from '../../../framework/partitions/index.js';

function thrown(action: () => unknown, code: ErrorCode): ShopflowError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ShopflowError);
    expect((error as ShopflowError).code).toBe(code);
    return error as ShopflowError;
  }
  throw new Error('expected an error');
}

describe('static partitions', () => {
  const regions = staticPartitions(['eu-west', 'us-east', 'ap-south']);

  it('lists, checks and describes its keys in declared order', () => {
    expect(regions).toBeInstanceOf(StaticPartitions);
    expect(regions.kind).toBe('static');
    expect(regions.keys()).toEqual(['eu-west', 'us-east', 'ap-south']);
    expect(regions.has('us-east')).toBe(true);
    expect(regions.has('us-west')).toBe(false);
    expect(regions.partition('ap-south')).toEqual({ key: 'ap-south' });
    expect(regions.description).toBe('static [eu-west, us-east, ap-south]');
    expect(() => regions.validate('eu-west')).not.toThrow();
  });

  it('returns a copy of its keys', () => {
    regions.keys().push('changed');
    expect(regions.keys()).toHaveLength(3);
  });

  it('shortens the description of long key lists', () => {
    const many = staticPartitions(Array.from({ length: 25 }, (_, i) => `k${i}`));
    expect(many.description).toBe('static [k0, k1, k2, k3, k4, k5, k6, k7, k8, …] (25 keys)');
  });

  it('lists ranges in declared order, both ends included', () => {
    expect(regions.range('eu-west', 'us-east')).toEqual(['eu-west', 'us-east']);
    expect(regions.range('us-east', 'us-east')).toEqual(['us-east']);
    expect(regions.range('eu-west', 'ap-south')).toEqual(['eu-west', 'us-east', 'ap-south']);
  });

  it('rejects a reversed range', () => {
    const error = thrown(() => regions.range('ap-south', 'eu-west'), 'SF_BAD_PARTITION_RANGE');
    expect(error.message).toContain('`ap-south`');
    expect(error.message).toContain('from `eu-west` to `ap-south`');
  });

  it('rejects unknown keys with did-you-mean', () => {
    const error = thrown(() => regions.validate('eu-wset'), 'SF_BAD_PARTITION');
    expect(error.message).toContain('`eu-wset`');
    expect(error.message).toContain('did you mean `eu-west`?');
    expect(error.details).toEqual({ key: 'eu-wset', partitions: 'static [eu-west, us-east, ap-south]' });
    expect(thrown(() => regions.partition('us-est'), 'SF_BAD_PARTITION').message).toContain('`us-east`');
    expect(thrown(() => regions.range('eu-west', 'ap-suoth'), 'SF_BAD_PARTITION').message).toContain(
      '`ap-south`',
    );
  });

  it('lists the valid keys when nothing is close', () => {
    const error = thrown(() => regions.validate('antarctica'), 'SF_BAD_PARTITION');
    expect(error.message).toContain('`antarctica`');
    expect(error.message).toContain('valid keys are `eu-west`, `us-east`, `ap-south`');
    const many = staticPartitions(Array.from({ length: 12 }, (_, i) => `key${i}`));
    expect(thrown(() => many.validate('completely-different'), 'SF_BAD_PARTITION').message).toContain(
      'and 2 more',
    );
  });
});

describe('static partition definition errors (SF_INVALID_ASSET)', () => {
  it('rejects an empty list', () => {
    expect(thrown(() => staticPartitions([]), 'SF_INVALID_ASSET').message).toContain('at least one key');
  });

  it('rejects empty and non-string keys', () => {
    expect(thrown(() => staticPartitions(['a', '']), 'SF_INVALID_ASSET').message).toContain(
      'key 2 of 2 is empty',
    );
    expect(
      thrown(() => staticPartitions(['a', 7 as unknown as string]), 'SF_INVALID_ASSET').message,
    ).toContain('`7`');
  });

  it('rejects duplicates, naming both positions', () => {
    const error = thrown(() => staticPartitions(['a', 'b', 'a']), 'SF_INVALID_ASSET');
    expect(error.message).toContain('`a` is listed twice (positions 1 and 3)');
  });

  it('rejects whitespace, brackets and commas and suggests a clean key', () => {
    for (const [bad, fixed] of [
      ['eu west', 'eu_west'],
      ['eu[1]', 'eu_1_'],
      ['a,b', 'a_b'],
      ['tab\there', 'tab_here'],
    ]) {
      const error = thrown(() => staticPartitions(['ok', bad]), 'SF_INVALID_ASSET');
      expect(error.message).toContain(`\`${bad}\``);
      expect(error.message).toContain(`use \`${fixed}\``);
    }
  });
});
