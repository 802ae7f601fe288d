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
    ['shopflow:SECRETpw@127.0.0.1', 'shopflow:[REDACTED]@127.0.0.1'],
    ['the URL `wh:WhS3cretPw99@db:5432/shop` is bad', 'the URL `wh:[REDACTED]@db:5432/shop` is bad'],
    ['postgres://shopflow:ab/cdS3cret@db:5432/shop', 'postgres://shopflow:[REDACTED]@db:5432/shop'],
    ['postgres://shopflow:ab#cdS3cret@db/shop', 'postgres://shopflow:[REDACTED]@db/shop'],
    ['postgres://shopflow:ab?cd/e#f@g@db/shop', 'postgres://shopflow:[REDACTED]@db/shop'],
    ['shopflow:a/b?c#d@db/shop', 'shopflow:[REDACTED]@db/shop'],
    ['postgres:/app:pw@db/shop', 'postgres:[REDACTED]@db/shop'],
    ['{"url":"postgres://u:x/y@h/db"}', '{"url":"postgres://u:[REDACTED]@h/db"}'],
  ])('hides the password in %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it.each([
    'postgres://app@db:5432/shop',
    'https://example.com:8443/path',
    'postgres://app:@db/shop',
    'time 12:30:00 at host:5432',
    'shopflow:@db/shop',
    'see https://example.com:8443/a and ops@example.com',
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

  it('finds the password of a URL without a scheme or with unencoded reserved characters', () => {
    expect(findUrlPasswords('wh:WhS3cretPw99@db/shop')).toEqual(['WhS3cretPw99']);
    expect(findUrlPasswords('postgres://app:ab/cd%23e@db/shop')).toEqual(['ab/cd%23e', 'ab/cd#e']);
  });
});
