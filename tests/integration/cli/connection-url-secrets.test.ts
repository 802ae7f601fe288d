// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the config text holds `${VAR}` references.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tempHome } from '../../support/example-runtime.js';
import { runShopflow } from '../../support/run-shopflow.js';

// NOTE: nothing listens on port 1, so every connection is refused at once.
const SECRET = 'S3cretPw99';
let home: string;
let cleanup: () => void;
let config: string;

const cli = (args: string[], env: Record<string, string>) =>
  runShopflow(['--config', config, ...args], {
    SHOPFLOW_INSTANCE_URL: `postgres://shopflow:${SECRET}@127.0.0.1:1/shopflow`,
    DATABASE_URL: `postgres://wh:${SECRET}@127.0.0.1:1/warehouse`,
    ...env,
  });

beforeAll(() => {
  ({ home, cleanup } = tempHome('shopflow-url-secrets-'));
  config = join(home, 'prod.yaml');
  writeFileSync(
    config,
    `env: prod\nhome: ${home}\nlogging: { level: warn }\ninstance:\n  type: postgres\n  url: \${SHOPFLOW_INSTANCE_URL}\nresources:\n  postgres:\n    mode: url\n    url: \${DATABASE_URL}\n`,
  );
});
afterAll(() => cleanup());

describe('connection URLs from the environment never show their password', () => {
  test.each([
    [`shopflow:${SECRET}@127.0.0.1`, 'is not a postgres:// URL'],
    [`postgres://shopflow:ab/cd${SECRET}@127.0.0.1:1/shopflow`, 'is not a URL'],
    [`postgres://shopflow:ab#cd${SECRET}@127.0.0.1:1/shopflow`, 'is not a URL'],
    [`postgres://shopflow:12/cd${SECRET}@127.0.0.1:1/shopflow`, 'is not a URL'],
  ])('a bad instance store URL %#', async (url, problem) => {
    const result = await cli(['runs'], { SHOPFLOW_INSTANCE_URL: url });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(problem);
    expect(result.stderr).toContain('from the environment variable SHOPFLOW_INSTANCE_URL');
    expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
  });

  test('an unreachable instance store names SHOPFLOW_INSTANCE_URL in the fix', async () => {
    const result = await cli(['runs'], {});
    expect(result.stderr).toContain('SF_UNREACHABLE');
    expect(result.stderr).toContain(
      'fix the host and port in the instance store URL (from the environment variable SHOPFLOW_INSTANCE_URL)',
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
  });

  test.each([
    `wh:${SECRET}@127.0.0.1/warehouse`,
    `postgres://wh:ab/cd${SECRET}@127.0.0.1:1/warehouse`,
    `postgres://wh:5432/cd${SECRET}@127.0.0.1:1/warehouse`,
  ])('db status rejects a bad warehouse URL %#, naming DATABASE_URL', async (url) => {
    const result = await cli(['db', 'status'], { DATABASE_URL: url });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SF_CONFIG_INVALID');
    expect(result.stderr).toContain('from the environment variable DATABASE_URL');
    expect(result.stderr).toContain('fix: correct the environment variable DATABASE_URL');
    expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
  });

  test('db status shows a percent-encoded warehouse URL without its password', async () => {
    const result = await cli(['db', 'status', '--json'], {
      DATABASE_URL: `postgres://wh:ab%2Fcd${SECRET}@127.0.0.1:1/warehouse`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      mode: 'url',
      url: 'postgres://wh:***@127.0.0.1:1/warehouse',
    });
  });

  test('db setup with an unencoded `#` is a config error naming DATABASE_URL, not a crash', async () => {
    const result = await cli(['db', 'setup'], {
      DATABASE_URL: `postgres://wh:ab#cd${SECRET}@127.0.0.1:1/warehouse`,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SF_CONFIG_INVALID');
    expect(result.stderr).toContain('DATABASE_URL');
    expect(result.stderr).toContain('percent-encoded (e.g. `#` as `%23`');
    expect(result.stderr).not.toMatch(/TypeError|Invalid URL|\n\s+at /);
    expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
  });

  test('db setup that cannot connect shows the warehouse URL without its password', async () => {
    const result = await cli(['db', 'setup'], {});
    expect(result.stderr).toContain('SF_UNREACHABLE');
    expect(result.stderr).toContain('postgres://wh:***@127.0.0.1:1/warehouse');
    expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
  });
});
