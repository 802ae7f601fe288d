// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are configuration text with `${VAR}` references.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../framework/config/load-config.js';
import { ShopflowError } from '../../../framework/errors/error-catalog.js';
import { tempProject } from './temp-project.js';

const projects: Array<{ remove: () => void }> = [];
afterEach(() => {
  for (const project of projects.splice(0)) project.remove();
});

function project(files: Record<string, string>): string {
  const created = tempProject(files);
  projects.push(created);
  return created.dir;
}

function thrown(run: () => unknown): ShopflowError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ShopflowError);
    return error as ShopflowError;
  }
  throw new Error('expected an error');
}

/** Loads `yaml` as config/dev.yaml in a fresh project and returns the error it raises. */
function invalid(yaml: string, environment: NodeJS.ProcessEnv = {}): ShopflowError {
  const cwd = project({ 'config/dev.yaml': yaml });
  const error = thrown(() => loadConfig({ cwd, environment }));
  expect(error.code).toBe('SF_CONFIG_INVALID');
  expect(error.exitCode).toBe(2);
  return error;
}

describe('loadConfig: choosing the file', () => {
  it('loads config/dev.yaml by default, fills env from the file name and applies defaults', () => {
    const cwd = project({ 'config/dev.yaml': 'executor:\n  concurrency: 3\n' });
    const config = loadConfig({ cwd, environment: {} });
    expect(config.env).toBe('dev');
    expect(config.source).toBe(join(cwd, 'config/dev.yaml'));
    expect(config.secrets).toEqual([]);
    expect(config.executor).toEqual({
      type: 'in-process',
      queue: 'steps',
      queues: {},
      leaseSeconds: 30,
      concurrency: 3,
      retry: { maxRetries: 0, delayMs: 1000, backoff: 2, maxDelayMs: 60_000 },
      heartbeatSeconds: 5,
      deadAfterSeconds: 60,
      lockWaitSeconds: 30,
    });
    expect(config.logging).toEqual({ level: 'info' });
    expect(config.resources).toEqual({});
  });

  it('picks config/<env>.yaml from options.env, then SHOPFLOW_ENV', () => {
    const cwd = project({ 'config/dev.yaml': '', 'config/stage.yaml': '', 'config/qa.yaml': '' });
    expect(loadConfig({ cwd, environment: { SHOPFLOW_ENV: 'qa' } }).env).toBe('qa');
    expect(loadConfig({ cwd, env: 'stage', environment: { SHOPFLOW_ENV: 'qa' } }).env).toBe('stage');
  });

  it('loads an explicit file relative to cwd and keeps an env written in the file', () => {
    const cwd = project({ 'elsewhere/custom.yml': 'env: staging\n', 'other.yaml': '' });
    const config = loadConfig({ cwd, file: 'elsewhere/custom.yml', env: 'prod', environment: {} });
    expect(config.env).toBe('staging');
    expect(config.source).toBe(join(cwd, 'elsewhere/custom.yml'));
    expect(loadConfig({ cwd, file: 'other.yaml', environment: {} }).env).toBe('other');
  });

  it('reports a missing file with the files available in config/ and a near match', () => {
    const cwd = project({ 'config/dev.yaml': '', 'config/prod.yaml': '', 'config/test.yaml': '' });
    const error = thrown(() => loadConfig({ cwd, environment: { SHOPFLOW_ENV: 'prd' } }));
    expect(error.code).toBe('SF_CONFIG_NOT_FOUND');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('config/prd.yaml does not exist');
    expect(error.message).toContain('dev.yaml, prod.yaml, test.yaml');
    expect(error.message).toContain('did you mean `prod`?');
    expect(error.message).toContain('SHOPFLOW_ENV');
    expect(error.message).toContain('--config FILE');
    expect(error.details).toMatchObject({ available: ['dev.yaml', 'prod.yaml', 'test.yaml'] });
  });

  it('reports a missing explicit file and a folder without config/', () => {
    const cwd = project({});
    const error = thrown(() => loadConfig({ cwd, file: 'nope.yaml', environment: {} }));
    expect(error.code).toBe('SF_CONFIG_NOT_FOUND');
    expect(error.message).toContain('nope.yaml does not exist');
    expect(error.message).toContain('no config/ folder');
  });

  it('reports a folder given as the configuration file', () => {
    const cwd = project({ 'config/dev.yaml/inner.txt': '' });
    const error = thrown(() => loadConfig({ cwd, environment: {} }));
    expect(error.code).toBe('SF_CONFIG_NOT_FOUND');
    expect(error.message).toContain('config/dev.yaml is a folder');
  });

  it('rejects an environment name that is not a plain name', () => {
    const cwd = project({ 'config/dev.yaml': '' });
    const error = thrown(() => loadConfig({ cwd, environment: { SHOPFLOW_ENV: '../secrets' } }));
    expect(error.code).toBe('SF_CONFIG_INVALID');
    expect(error.message).toContain('"../secrets"');
    expect(error.message).toContain('SHOPFLOW_ENV');
  });
});

describe('loadConfig: paths and home', () => {
  it('resolves relative paths against cwd and derives instance and lake paths from home', () => {
    const cwd = project({
      'config/dev.yaml': [
        'home: state',
        'logging: { file: logs/app.log }',
        'data: { rawDir: in/raw }',
        'definitions: ./dist/my-defs.js',
      ].join('\n'),
    });
    const config = loadConfig({ cwd, environment: {} });
    expect(config.home).toBe(join(cwd, 'state'));
    expect(config.instance).toEqual({ type: 'sqlite', path: join(cwd, 'state/instance.db') });
    expect(config.lake).toEqual({ type: 'local', path: join(cwd, 'state/lake') });
    expect(config.logging.file).toBe(join(cwd, 'logs/app.log'));
    // A data folder that is set is resolved against cwd; one that is not lives under the home.
    expect(config.data).toEqual({ rawDir: join(cwd, 'in/raw'), logsDir: join(cwd, 'state/logs') });
    expect(config.definitions).toBe(join(cwd, 'dist/my-defs.js'));
  });

  it('keeps explicit instance and lake paths, and a package name as definitions', () => {
    const cwd = project({
      'config/dev.yaml':
        'instance: { type: sqlite, path: db/i.db }\nlake: { type: local, path: /abs/lake }\ndefinitions: my-pipeline\n',
    });
    const config = loadConfig({ cwd, environment: {} });
    expect(config.instance).toEqual({ type: 'sqlite', path: join(cwd, 'db/i.db') });
    expect(config.lake).toEqual({ type: 'local', path: '/abs/lake' });
    expect(config.definitions).toBe('my-pipeline');
  });

  it('takes home from options.home, then SHOPFLOW_HOME, then the file', () => {
    const cwd = project({ 'config/dev.yaml': 'home: from-file\n' });
    expect(loadConfig({ cwd, environment: {} }).home).toBe(join(cwd, 'from-file'));
    expect(loadConfig({ cwd, environment: { SHOPFLOW_HOME: 'from-env' } }).home).toBe(join(cwd, 'from-env'));
    const config = loadConfig({ cwd, home: 'from-option', environment: { SHOPFLOW_HOME: 'from-env' } });
    expect(config.home).toBe(join(cwd, 'from-option'));
    expect(config.instance).toEqual({ type: 'sqlite', path: join(cwd, 'from-option/instance.db') });
  });

  it('resolves the S3 lake cache folder and leaves postgres instances untouched', () => {
    const cwd = project({
      'config/dev.yaml':
        'instance: { type: postgres, url: "postgres://u@db/x", schema: sf }\nlake: { type: s3, bucket: lake-b, cacheDir: cache, forcePathStyle: "true", cacheSizeMb: "512" }\n',
    });
    const config = loadConfig({ cwd, environment: {} });
    expect(config.instance).toEqual({ type: 'postgres', url: 'postgres://u@db/x', schema: 'sf' });
    expect(config.lake).toEqual({
      type: 's3',
      bucket: 'lake-b',
      prefix: '',
      cacheDir: join(cwd, 'cache'),
      cacheSizeMb: 512,
      read: 'auto',
      orphanGraceMinutes: 60,
      symlinks: false,
      conditionalWrites: true,
      forcePathStyle: true,
    });
    const defaults = loadConfig({
      cwd: project({ 'config/dev.yaml': 'lake: { type: s3, bucket: lake-b, prefix: lake/ }\n' }),
      home: 'h',
      environment: {},
    });
    expect(defaults.lake).toMatchObject({ prefix: 'lake/', cacheDir: join(defaults.home, 'cache', 'lake') });
  });
});

describe('loadConfig: environment variables and .env', () => {
  it('interpolates variables and accepts numbers written through them', () => {
    const cwd = project({
      'config/dev.yaml': 'executor:\n  concurrency: ${WORKERS:-3}\n  retry: { backoff: "${BACKOFF}" }\n',
    });
    const config = loadConfig({ cwd, environment: { BACKOFF: '1.5' } });
    expect(config.executor.concurrency).toBe(3);
    expect(config.executor.retry.backoff).toBe(1.5);
  });

  it('reads .env in cwd without overriding variables that are already set', () => {
    const cwd = project({
      'config/dev.yaml': 'resources:\n  a: ${FROM_FILE}\n  b: ${BOTH}\n  c: ${QUOTED}\n  d: ${EXPORTED}\n',
      '.env': [
        '# comment',
        '',
        'FROM_FILE=file-value # trailing comment',
        'BOTH=file-loses',
        'QUOTED="two words # kept"',
        "export EXPORTED='x=y'",
        'SHOPFLOW_ENV=dev',
      ].join('\n'),
    });
    const environment = { BOTH: 'real-wins' };
    const config = loadConfig({ cwd, environment });
    expect(config.resources).toEqual({ a: 'file-value', b: 'real-wins', c: 'two words # kept', d: 'x=y' });
    expect(environment).toEqual({ BOTH: 'real-wins' });
  });

  it('lets .env choose the environment', () => {
    const cwd = project({ 'config/dev.yaml': '', 'config/qa.yaml': '', '.env': 'SHOPFLOW_ENV=qa\n' });
    expect(loadConfig({ cwd, environment: {} }).env).toBe('qa');
  });

  it('reports a malformed .env line by number without quoting it', () => {
    const cwd = project({ 'config/dev.yaml': '', '.env': 'GOOD=1\nthis is hunter2 not an assignment\n' });
    const error = thrown(() => loadConfig({ cwd, environment: {} }));
    expect(error.code).toBe('SF_CONFIG_INVALID');
    expect(error.message).toContain('.env:2');
    expect(error.message).toContain('NAME=value');
    expect(error.message).not.toContain('hunter2');
  });

  it('reports a missing variable with the file, line and field', () => {
    const cwd = project({ 'config/dev.yaml': 'instance:\n  type: postgres\n  url: ${INSTANCE_URL}\n' });
    const error = thrown(() => loadConfig({ cwd, environment: {} }));
    expect(error.code).toBe('SF_CONFIG_MISSING_ENV');
    expect(error.message).toContain('INSTANCE_URL');
    expect(error.message).toContain('`instance.url` (config/dev.yaml:3:3)');
    expect(error.message).toContain('export INSTANCE_URL=… or add it to .env');
  });

  it('returns the secrets found while interpolating', () => {
    const cwd = project({ 'config/dev.yaml': 'instance: { type: postgres, url: "${PG_URL}" }\n' });
    const config = loadConfig({ cwd, environment: { PG_URL: 'postgres://app:s3cr3t@db/shop' } });
    expect(config.secrets).toEqual(['s3cr3t']);
  });
});

describe('loadConfig: invalid files', () => {
  it('reports a YAML syntax error with file:line:column', () => {
    const error = invalid('executor:\n  concurrency: 2\n  retry: [1, 2\nlogging: {}\n');
    expect(error.message).toMatch(/YAML syntax error at config\/dev\.yaml:\d+:\d+/);
    expect(error.message).toContain('fix:');
  });

  it('reports a duplicated key and several documents', () => {
    expect(invalid('home: a\nhome: b\n').message).toContain('config/dev.yaml:2:1');
    expect(invalid('home: a\n---\nhome: b\n').message).toContain('more than one YAML document');
  });

  it('reports a top level that is not a mapping', () => {
    expect(invalid('- a\n- b\n').message).toContain('a list at the top level');
  });

  it('reports an out-of-range value with file:line, field path, value, expectation and fix', () => {
    const error = invalid('executor:\n  concurrency: 0\n');
    expect(error.message).toContain('config/dev.yaml:2:3');
    expect(error.message).toContain('`executor.concurrency`');
    expect(error.message).toContain('is 0');
    expect(error.message).toContain('expected an integer >= 1');
    expect(error.message).toContain('fix: set `executor.concurrency` to an integer >= 1 in config/dev.yaml');
    expect(error.details).toMatchObject({
      file: 'config/dev.yaml',
      problems: [{ path: 'executor.concurrency', value: '0', location: 'config/dev.yaml:2:3' }],
    });
  });

  it('names the environment variable a bad value came from', () => {
    const error = invalid('executor:\n  concurrency: ${SHOPFLOW_CONCURRENCY:-4}\n', {
      SHOPFLOW_CONCURRENCY: 'abc',
    });
    expect(error.message).toContain(
      'config/dev.yaml:2:3, from the environment variable SHOPFLOW_CONCURRENCY: `executor.concurrency` is "abc"',
    );
    // The value is fixed where it came from: the variable, not the file.
    expect(error.hint).toBe('fix: set the environment variable SHOPFLOW_CONCURRENCY to a number');
    expect(error.details).toMatchObject({ problems: [{ variables: ['SHOPFLOW_CONCURRENCY'] }] });
    // The default written in the file is the file's value: no variable to name.
    const fromFile = invalid('executor:\n  concurrency: ${SHOPFLOW_CONCURRENCY:-0}\n');
    expect(fromFile.message).toContain('config/dev.yaml:2:3: `executor.concurrency` is "0"');
    expect(fromFile.hint).toBe('fix: set `executor.concurrency` to an integer >= 1 in config/dev.yaml');
  });

  it('reports a wrong type with the value quoted', () => {
    const error = invalid('executor:\n  retry:\n    delayMs: soon\n');
    expect(error.message).toContain('`executor.retry.delayMs` is "soon", expected a number');
    expect(error.message).toContain('config/dev.yaml:3:5');
    expect(error.message).toContain('fix: set `executor.retry.delayMs` to a number');
  });

  it('reports a non-integer where an integer is required', () => {
    const error = invalid('executor: { retry: { maxRetries: 1.5 } }\n');
    expect(error.message).toContain('`executor.retry.maxRetries` is 1.5, expected an integer');
  });

  it('reports an unknown key with a did-you-mean', () => {
    const error = invalid('executor:\n  concurency: 2\n');
    expect(error.message).toContain('config/dev.yaml:2:3');
    expect(error.message).toContain('`executor.concurency` is not a known field');
    expect(error.message).toContain('did you mean `concurrency`?');
  });

  it('reports an unknown top-level key listing the allowed ones when nothing is close', () => {
    const error = invalid('colour: blue\n');
    expect(error.message).toContain('`colour` is not a known field');
    expect(error.message).toContain('`executor`');
    expect(error.message).toContain('`resources`');
  });

  it('suggests keys of the chosen variant of a union', () => {
    const error = invalid('lake:\n  type: s3\n  bucket: b\n  regoin: eu-west-1\n');
    expect(error.message).toContain('`lake.regoin` is not a known field');
    expect(error.message).toContain('did you mean `region`?');
  });

  it('reports a bad enum value with the allowed values and a near match', () => {
    const error = invalid('logging:\n  level: inf\n');
    expect(error.message).toContain('`logging.level` is "inf"');
    expect(error.message).toContain('one of "trace", "debug", "info", "warn", "error"');
    expect(error.message).toContain('did you mean `info`?');
  });

  it('reports an unknown variant type', () => {
    const error = invalid('instance:\n  type: mysql\n');
    expect(error.message).toContain('config/dev.yaml:2:3');
    expect(error.message).toContain('`instance.type` is "mysql", expected one of "sqlite", "postgres"');
  });

  it('reports a missing required field and where to add it', () => {
    const error = invalid('instance:\n  type: postgres\n');
    expect(error.message).toContain('`instance.url` is missing, expected a string');
    expect(error.message).toContain('fix: add `url: …` under `instance`');
  });

  it('reports an empty value and a bad URL', () => {
    expect(invalid('home:\n').message).toContain('`home` is empty, expected a string');
    expect(invalid('lake: { type: s3, bucket: b, endpoint: "not a url" }\n').message).toContain(
      '`lake.endpoint` is "not a url", expected a URL',
    );
  });

  it('reports a cross-field rule', () => {
    const error = invalid('executor:\n  heartbeatSeconds: 30\n  deadAfterSeconds: 10\n');
    expect(error.message).toContain('`executor.deadAfterSeconds` is 10');
    expect(error.message).toContain('`executor.heartbeatSeconds` (30)');
  });

  it('lists every problem, each with its location and fix', () => {
    const error = invalid('executor:\n  concurrency: -1\nlogging:\n  level: loud\n  colour: red\n');
    expect(error.message).toContain('config/dev.yaml (3 problems)');
    expect(error.message).toContain('config/dev.yaml:2:3: `executor.concurrency` is -1');
    expect(error.message).toContain('config/dev.yaml:4:3: `logging.level` is "loud"');
    expect(error.message).toContain(
      'config/dev.yaml:5:3: `logging.colour` is not a known field; fix: remove it',
    );
  });

  it('never quotes a secret in a validation error', () => {
    const error = invalid('executor:\n  concurrency: ${WORKER_TOKEN}\n', { WORKER_TOKEN: 'tok-abc123' });
    expect(error.message).toContain('`executor.concurrency` is "[REDACTED]"');
    expect(error.message).not.toContain('tok-abc123');
    expect(JSON.stringify(error.details)).not.toContain('tok-abc123');
  });
});
