import { describe, expect, it } from 'vitest';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
import {
  absorbedTableOf,
  type Scd2Spec,
  validateScd2Spec,
} from '../../../resources/postgres/scd2/scd2-spec.js';
import { versionValidAt } from '../../../resources/postgres/scd2/version-valid-at.js';

const spec: Scd2Spec = {
  table: 'dw.dim_thing',
  surrogateKey: 'thing_sk',
  naturalKey: 'thing_id',
  tracked: ['label', 'colour'],
  changedAt: 'updated_at',
  facts: [{ table: 'dw.fact_use', foreignKey: 'thing_sk', at: 'used_at' }],
};

function rejection(bad: Scd2Spec): string {
  try {
    validateScd2Spec(bad);
  } catch (error) {
    if (isShopflowError(error, 'SF_INPUT_INVALID')) return error.message;
    throw error;
  }
  throw new Error('expected the spec to be rejected');
}

describe('validateScd2Spec', () => {
  it('accepts a valid spec; absorbed changes default to the dimension schema', () => {
    expect(() => validateScd2Spec(spec)).not.toThrow();
    expect(absorbedTableOf(spec)).toBe('dw.scd2_absorbed_changes');
    expect(absorbedTableOf({ ...spec, absorbedTable: 'audit.absorbed' })).toBe('audit.absorbed');
  });

  it('rejects unqualified tables, reserved, repeated or invalid names and empty tracked lists', () => {
    expect(rejection({ ...spec, table: 'dim_thing' })).toMatch(/schema-qualified/);
    expect(rejection({ ...spec, tracked: [] })).toMatch(/no tracked attributes/);
    expect(rejection({ ...spec, tracked: ['label', 'valid_from'] })).toMatch(
      /`valid_from` is maintained by the merge/,
    );
    expect(rejection({ ...spec, tracked: ['label', 'label'] })).toMatch(/`label` is named twice/);
    expect(rejection({ ...spec, changedAt: '_at' })).toMatch(/reserved for the merge/);
    expect(rejection({ ...spec, naturalKey: 'Thing Id' })).toMatch(/not a valid SQL name/);
    expect(
      rejection({ ...spec, facts: [{ table: 'fact_use', foreignKey: 'thing_sk', at: 'used_at' }] }),
    ).toMatch(/fact table `fact_use` must be schema-qualified/);
  });
});

describe('versionValidAt', () => {
  it('matches the version containing the time, the first version also covering earlier times', () => {
    expect(versionValidAt('d', 'f.at')).toBe(
      'f.at < d."valid_to" and (f.at >= d."valid_from" or d."version" = 1)',
    );
  });
});
