import { describe, expect, it } from 'vitest';
import { findUrlPasswords, redactSecrets, redactUrl } from '../../../framework/logging/redact-secrets.js';

describe('redactUrl', () => {
  it.each([
    ['postgres://app:s3cret@db:5432/shop', 'postgres://app:[REDACTED]@db:5432/shop'],
    ['redis://:only-pw@cache:6379', 'redis://:[REDACTED]@cache:6379'],
    ['https://user:p%40ss@host/x?y=1', 'https://user:[REDACTED]@host/x?y=1'],
    ['postgresql://app:p@ss@db/shop', 'postgresql://app:[REDACTED]@db/shop'],
    [
      'see postgres://a:b@h1/x and mysql://c:d@h2/y.',
      'see postgres://a:[REDACTED]@h1/x and mysql://c:[REDACTED]@h2/y.',
    ],
  ])('hides the password in %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it.each([
    'postgres://app@db:5432/shop',
    'https://example.com:8443/path',
    'postgres://app:@db/shop',
    'time 12:30:00 at host:5432',
  ])('leaves %s unchanged', (input) => {
    expect(redactUrl(input)).toBe(input);
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence of every secret, longest first', () => {
    expect(redactSecrets('abc and abcdef and abc', ['abc', 'abcdef'])).toBe(
      '[REDACTED] and [REDACTED] and [REDACTED]',
    );
  });

  it('treats secrets literally, ignores empty ones and still hides URL passwords', () => {
    expect(redactSecrets('a.b*c (x) postgres://u:pw@h', ['a.b*c', '', '(x)'])).toBe(
      '[REDACTED] [REDACTED] postgres://u:[REDACTED]@h',
    );
  });
});

describe('findUrlPasswords', () => {
  it('returns the written and decoded passwords', () => {
    expect(findUrlPasswords('postgres://app:p%40ss@db/shop and https://x.com')).toEqual(['p%40ss', 'p@ss']);
    expect(findUrlPasswords('postgres://app@db/shop')).toEqual([]);
  });
});
