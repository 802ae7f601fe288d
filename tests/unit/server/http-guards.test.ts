import { describe, expect, test } from 'vitest';
import { assertStrongToken } from '../../../framework/http/token-strength.js';
import { isShopflowError } from '../../../framework/index.js';
import { AllowedHosts, hostName } from '../../../server/http/allowed-hosts.js';
import { isLoopbackAddress } from '../../../server/http/client-address.js';
import { FailedAttempts } from '../../../server/http/failed-attempts.js';
import { createPathScrubber } from '../../../server/http/path-scrubber.js';
import { SessionStore } from '../../../server/http/session-store.js';

describe('hostName and AllowedHosts', () => {
  test('host names are read without port and brackets, lower case', () => {
    expect(hostName('[::1]:3000')).toBe('::1');
    expect(hostName('ShopFlow.Internal:80')).toBe('shopflow.internal');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
    expect(hostName('evil.example.')).toBe('evil.example');
    for (const bad of ['', 'a b', 'x:y', '[::1', 'http://x', '[::1]x']) expect(hostName(bad)).toBeNull();
  });

  test('loopback, the listen name unless a wildcard, and the extra names', () => {
    const hosts = AllowedHosts.from({ listenHost: '10.0.0.5', names: ['Shopflow.Internal'] });
    for (const host of [
      'localhost:1',
      '127.0.0.9',
      '[::1]:2',
      'a.localhost',
      '10.0.0.5:3000',
      'shopflow.internal',
    ])
      expect(hosts.allows(host), host).toBe(true);
    for (const host of [
      '',
      undefined,
      '10.0.0.6',
      'evil.example',
      'shopflow.internal.evil.example',
      '0.0.0.0',
    ])
      expect(hosts.allows(host), String(host)).toBe(false);
    expect(hosts.extra).toEqual(['10.0.0.5', 'shopflow.internal']);
    expect(AllowedHosts.from({ listenHost: '0.0.0.0' }).extra).toEqual([]);
    expect(AllowedHosts.from({ listenHost: '::' }).extra).toEqual([]);
  });

  test('a name with a scheme, a port or a wildcard is refused, quoted', () => {
    for (const name of ['https://a.example', 'a.example:443', '*.example', 'a/b']) {
      let caught: unknown;
      try {
        AllowedHosts.from({ listenHost: '127.0.0.1', names: [name] });
      } catch (error) {
        caught = error;
      }
      expect(isShopflowError(caught, 'SF_BAD_USAGE')).toBe(true);
      expect((caught as Error).message).toContain(`\`${name}\``);
    }
  });
});

test('loopback client addresses', () => {
  expect(isLoopbackAddress('127.0.0.1')).toBe(true);
  expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
  expect(isLoopbackAddress('::1')).toBe(true);
  expect(isLoopbackAddress('10.0.0.1')).toBe(false);
  expect(isLoopbackAddress('::ffff:10.0.0.1')).toBe(false);
});

test('token strength', () => {
  expect(() => assertStrongToken('e2e-token-0123456789abcdef')).not.toThrow();
  expect(() => assertStrongToken(' '.repeat(40))).toThrow(/only whitespace/);
  expect(() => assertStrongToken('z'.repeat(40))).toThrow(/one character repeated/);
  expect(() => assertStrongToken('abcabcabcabcabcabc')).toThrow(/only 3 different characters/);
  expect(() => assertStrongToken('short-token')).toThrow(/fewer than 16/);
  expect(() => assertStrongToken('0123456789abcdef\n')).toThrow(/starts or ends with whitespace/);
});

test('failed attempts are limited per client within a minute', () => {
  let now = 1_000_000;
  const attempts = new FailedAttempts(() => now);
  for (let i = 0; i < 4; i++) attempts.record('a');
  expect(attempts.retryAfterSeconds('a')).toBe(0);
  attempts.record('a');
  expect(attempts.retryAfterSeconds('a')).toBe(60);
  expect(attempts.retryAfterSeconds('b')).toBe(0);
  now += 30_000;
  expect(attempts.retryAfterSeconds('a')).toBe(30);
  now += 30_001;
  expect(attempts.retryAfterSeconds('a')).toBe(0);
});

test('sessions expire and end', () => {
  let now = 0;
  const sessions = new SessionStore(1000, () => now);
  const id = sessions.create();
  expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(sessions.isValid(id)).toBe(true);
  expect(sessions.isValid(`${id}x`)).toBe(false);
  expect(sessions.isValid(undefined)).toBe(false);
  now = 1000;
  expect(sessions.isValid(id)).toBe(false);
  const other = sessions.create();
  sessions.end(other);
  expect(sessions.isValid(other)).toBe(false);
});

describe('createPathScrubber', () => {
  const scrub = createPathScrubber({ projectRoot: '/srv/shop', home: '/var/lib/shopflow' });

  test('project paths become relative, the home <home>, others their last segment', () => {
    expect(scrub('cannot read /srv/shop/.shopflow/lake/a.parquet now')).toBe(
      'cannot read .shopflow/lake/a.parquet now',
    );
    expect(scrub('in /var/lib/shopflow/lake/x.parquet')).toBe('in <home>/lake/x.parquet');
    expect(scrub('at f (file:///srv/shop/dist/a.js:10:5)')).toBe('at f (dist/a.js:10:5)');
    expect(scrub('at f (/usr/lib/node_modules/x/y.js:1:2)')).toBe('at f (…/y.js:1:2)');
    expect(scrub('folder `/srv/shop`')).toBe('folder `.`');
    expect(scrub('C:\\Users\\bob\\x.ts failed')).toBe('…\\x.ts failed');
    expect(scrub('/srv/shopping/x')).toBe('…/x');
    // in JSON text, after an escaped line break or tab
    expect(scrub(JSON.stringify({ message: 'cannot open\n/opt/data/secret.csv\t/etc/app/x.conf' }))).toBe(
      '{"message":"cannot open\\n…/secret.csv\\t…/x.conf"}',
    );
  });

  test('URLs, API paths, dates and relative paths stay', () => {
    for (const text of [
      'no page or API endpoint at GET /api/nope',
      'see http://127.0.0.1:3000/api/x and s3://bucket/a/b',
      'on 2024/01/02, 3/4 of it',
      'wrote data/raw/x.csv',
    ])
      expect(scrub(text)).toBe(text);
  });
});
