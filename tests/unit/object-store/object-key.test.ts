import { describe, expect, it } from 'vitest';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
import {
  isVersionsPath,
  manifestPath,
  validateObjectKey,
  validateObjectPrefix,
  versionsFolder,
} from '../../../resources/object-store/object-key.js';

function problem(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(isShopflowError(error, 'SF_INPUT_INVALID')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected SF_INPUT_INVALID');
}

describe('validateObjectKey', () => {
  it('accepts relative slash-separated keys', () => {
    for (const key of [
      'a',
      'raw/year=2024/month=01/day=15/customers/customers.csv',
      'x/.hidden',
      'a b/c+d.csv',
    ]) {
      expect(validateObjectKey(key)).toBe(key);
    }
  });

  it.each([
    ['', 'is empty'],
    ['/etc/passwd', 'starts with `/`'],
    ['a//b', 'empty segment'],
    ['a/b/', 'empty segment'],
    ['../secrets', '`..` segment'],
    ['a/./b', '`.` segment'],
    ['a\\b', 'contains `\\`'],
    ['a\nb', 'control character'],
    ['_versions/a.csv', 'reserved for versions'],
    ['a.csv.versions/x', 'reserved for versions'],
    ['a.manifest.json', 'reserved for versions'],
    ['x'.repeat(1025), 'longer than 1024 bytes'],
  ])('rejects %j (%s)', (key, reason) => {
    expect(problem(() => validateObjectKey(key))).toContain(reason);
  });
});

describe('validateObjectPrefix', () => {
  it('accepts the empty prefix, folders and partial segments', () => {
    for (const prefix of ['', 'raw/', 'raw/year=2024/mon', '_vers'])
      expect(validateObjectPrefix(prefix)).toBe(prefix);
  });

  it('rejects absolute, empty-segment, `..` and versions prefixes', () => {
    for (const prefix of ['/raw', 'raw//x', '../', 'raw/..', '_versions/'])
      problem(() => validateObjectPrefix(prefix));
  });
});

describe('sidecar paths', () => {
  it('keep versions and manifests under _versions/ with reserved suffixes', () => {
    expect(manifestPath('raw/a.csv')).toBe('_versions/raw/a.csv.manifest.json');
    expect(versionsFolder('raw/a.csv')).toBe('_versions/raw/a.csv.versions/');
    expect(isVersionsPath('_versions/raw/a.csv.manifest.json')).toBe(true);
    expect(isVersionsPath('_versionsx/a')).toBe(false);
  });
});
