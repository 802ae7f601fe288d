// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are configuration text with `${VAR}` references.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../framework/config/load-config.js';
import { validateSection } from '../../../framework/config/validate-section.js';
import { isShopflowError, type ShopflowError } from '../../../framework/errors/error-catalog.js';
import { PostgresConfigSchema } from '../../../resources/postgres/postgres-config.js';
import { tempProject } from '../config/temp-project.js';

const projects: Array<{ remove: () => void }> = [];
afterEach(() => {
  for (const project of projects.splice(0)) project.remove();
});

/** The error of validating `resources.postgres.url: ${DATABASE_URL}` with `url` in the environment. */
function databaseUrlError(url: string): ShopflowError {
  const project = tempProject({
    'config/prod.yaml': 'resources:\n  postgres:\n    mode: url\n    url: ${DATABASE_URL}\n',
  });
  projects.push(project);
  const config = loadConfig({
    cwd: project.dir,
    file: 'config/prod.yaml',
    environment: { DATABASE_URL: url },
  });
  try {
    validateSection(config, 'postgres', PostgresConfigSchema);
  } catch (error) {
    expect(isShopflowError(error, 'SF_CONFIG_INVALID')).toBe(true);
    return error as ShopflowError;
  }
  throw new Error('expected an error');
}

describe('PostgresConfigSchema', () => {
  it('accepts an embedded server with or without a folder', () => {
    expect(PostgresConfigSchema.parse({ mode: 'embedded' })).toEqual({ mode: 'embedded' });
    expect(PostgresConfigSchema.parse({ mode: 'embedded', dir: 'pg' })).toEqual({
      mode: 'embedded',
      dir: 'pg',
    });
  });

  it('accepts a connection URL', () => {
    const config = { mode: 'url', url: 'postgresql://u:pw@h:5432/db' };
    expect(PostgresConfigSchema.parse(config)).toEqual(config);
  });

  it('rejects an unknown mode, a URL that is not postgres:// and unknown keys', () => {
    expect(PostgresConfigSchema.safeParse({ mode: 'cloud' }).success).toBe(false);
    expect(PostgresConfigSchema.safeParse({ mode: 'url', url: 'mysql://u:pw@h/db' }).success).toBe(false);
    expect(PostgresConfigSchema.safeParse({ mode: 'url' }).success).toBe(false);
    expect(PostgresConfigSchema.safeParse({ mode: 'embedded', url: 'postgres://h/db' }).success).toBe(false);
  });

  it('does not repeat a rejected URL (and its password) in the issues', () => {
    const result = PostgresConfigSchema.safeParse({ mode: 'url', url: 'mysql://u:topsecret@h/db' });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).not.toContain('topsecret');
  });

  it('rejects a URL that does not parse or whose password spills out of the authority', () => {
    for (const url of [
      'postgres://shopflow:ab#cdS3cret@db:5432/shop',
      'postgres://shopflow:ab/cdS3cret@db:5432/shop',
      'postgres://shopflow:5432/cdS3cret@db/shop',
      'postgres://shopflow:ab?cdS3cret@db/shop',
    ]) {
      const result = PostgresConfigSchema.safeParse({ mode: 'url', url });
      expect(result.success, url).toBe(false);
      expect(result.error?.issues[0].message).toContain('must be percent-encoded (e.g. `#` as `%23`');
    }
    expect(
      PostgresConfigSchema.safeParse({ mode: 'url', url: 'postgres://shopflow:ab%23cd@db/shop' }).success,
    ).toBe(true);
  });

  it('names DATABASE_URL and its fix in the error, never the password', () => {
    for (const url of ['wh:WhS3cretPw99@db:5432/shop', 'postgres://wh:ab#cdWhS3cretPw99@db:5432/shop']) {
      const error = databaseUrlError(url);
      const shown = `${error.message}\n${error.hint}\n${JSON.stringify(error.details)}`;
      expect(shown).not.toContain('WhS3cretPw99');
      expect(error.message).toContain(
        'from the environment variable DATABASE_URL: `resources.postgres.url` is "',
      );
      expect(error.hint).toBe('fix: correct the environment variable DATABASE_URL');
    }
    expect(databaseUrlError('postgres://wh:ab#cdWhS3cretPw99@db:5432/shop').message).toContain(
      'must be a valid URL; a password with reserved characters must be percent-encoded',
    );
  });

  it('does not leave the head of a long password when the quoted value is clipped', () => {
    const error = databaseUrlError(
      `mysql://shopflow:${'x'.repeat(70)}WhS3cretPw99@db.example.com:5432/shopflow`,
    );
    expect(`${error.message}\n${JSON.stringify(error.details)}`).not.toContain('xxxx');
  });
});
