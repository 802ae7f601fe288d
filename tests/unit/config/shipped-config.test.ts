import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../framework/config/load-config.js';
import { ShopflowError } from '../../../framework/errors/error-catalog.js';
import { tempProject } from './temp-project.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const shipped = readdirSync(join(root, 'config')).filter((name) => name.endsWith('.yaml'));

// NOTE: the shipped files are copied to a fresh folder so a developer's own .env cannot change the outcome.
const project = tempProject();
mkdirSync(join(project.dir, 'config'));
for (const name of shipped) copyFileSync(join(root, 'config', name), join(project.dir, 'config', name));
afterAll(() => project.remove());
const cwd = project.dir;

const PROD_ENVIRONMENT = {
  SHOPFLOW_INSTANCE_URL: 'postgres://shopflow:instance-pw@instance-db:5432/shopflow',
  SHOPFLOW_LAKE_BUCKET: 'acme-lake',
  SHOPFLOW_LANDING_BUCKET: 'acme-landing',
  DATABASE_URL: 'postgres://warehouse:warehouse-pw@warehouse-db:5432/shop',
  SHOPFLOW_WEBHOOK_URL: 'https://hooks.example.com/services/T0/B0/abc',
};

describe('shipped configuration files', () => {
  it('ships dev, prod and test', () => {
    expect(shipped.sort()).toEqual(['dev.yaml', 'prod.yaml', 'test.yaml']);
  });

  it('loads dev with an empty environment: SQLite, local lake, embedded PostgreSQL', () => {
    const config = loadConfig({ cwd, environment: {} });
    expect(config.env).toBe('dev');
    expect(config.home).toBe(join(cwd, '.shopflow'));
    expect(config.instance).toEqual({ type: 'sqlite', path: join(cwd, '.shopflow/instance.db') });
    expect(config.lake).toEqual({ type: 'local', path: join(cwd, '.shopflow/lake') });
    expect(config.executor.concurrency).toBe(4);
    expect(config.resources).toEqual({
      postgres: { mode: 'embedded' },
      objectStore: { type: 'local' },
      notifier: { webhookUrl: '' },
      // The live calendar: every day up to yesterday, at least 90 days back.
      generator: { seed: 42, scale: 1, start: '2024-01-01', historyDays: 90, defectRate: 0.003 },
      stream: {
        mode: 'local',
        name: 'shopflow-clickstream',
        shards: 2,
        watermarkBoundSeconds: 10,
        allowedLatenessSeconds: 30,
        sessionGapMinutes: 30,
        consumeInDaemon: false,
      },
    });
    // Everything the home writes lives under it.
    expect(config.data).toEqual({ rawDir: join(cwd, '.shopflow/raw'), logsDir: join(cwd, '.shopflow/logs') });
    expect(loadConfig({ cwd, home: 'elsewhere', environment: {} }).data).toEqual({
      rawDir: join(cwd, 'elsewhere/raw'),
      logsDir: join(cwd, 'elsewhere/logs'),
    });
    expect(config.secrets).toEqual([]);
  });

  it('loads test with its own home and concurrency 2', () => {
    const config = loadConfig({ cwd, env: 'test', environment: {} });
    expect(config.env).toBe('test');
    expect(config.home).toBe(join(cwd, '.shopflow-test'));
    expect(config.instance).toEqual({ type: 'sqlite', path: join(cwd, '.shopflow-test/instance.db') });
    expect(config.executor.concurrency).toBe(2);
    expect(config.resources.postgres).toEqual({ mode: 'embedded' });
    // Tests and benchmarks run on the fixed 2024 quarter.
    expect(config.resources.generator).toMatchObject({ start: '2024-01-01', days: 90 });
    expect(config.resources.objectStore).toEqual({ type: 'local' });
    expect(config.data.rawDir).toBe(join(cwd, '.shopflow-test/raw'));
  });

  it('loads prod with the required variables, tracking the secrets', () => {
    const config = loadConfig({ cwd, environment: { SHOPFLOW_ENV: 'prod', ...PROD_ENVIRONMENT } });
    expect(config.env).toBe('prod');
    expect(config.instance).toEqual({
      type: 'postgres',
      url: PROD_ENVIRONMENT.SHOPFLOW_INSTANCE_URL,
      schema: 'shopflow',
    });
    expect(config.lake).toMatchObject({ type: 's3', bucket: 'acme-lake', region: 'eu-west-1' });
    expect(config.executor).toMatchObject({ type: 'queue', queue: 'steps' });
    expect(config.logging.pretty).toBe(false);
    expect(config.resources).toMatchObject({
      postgres: { mode: 'url', url: PROD_ENVIRONMENT.DATABASE_URL },
      objectStore: { type: 's3', bucket: 'acme-landing', region: 'eu-west-1' },
      notifier: { webhookUrl: PROD_ENVIRONMENT.SHOPFLOW_WEBHOOK_URL },
      stream: { mode: 'aws', name: 'shopflow-clickstream', region: 'eu-west-1', consumeInDaemon: true },
    });
    expect(config.secrets).toEqual(
      expect.arrayContaining(['instance-pw', 'warehouse-pw', PROD_ENVIRONMENT.SHOPFLOW_WEBHOOK_URL]),
    );
  });

  it('lets prod take the region, concurrency and log level from the environment', () => {
    const config = loadConfig({
      cwd,
      env: 'prod',
      environment: {
        ...PROD_ENVIRONMENT,
        AWS_REGION: 'us-east-2',
        SHOPFLOW_CONCURRENCY: '8',
        SHOPFLOW_LOG_LEVEL: 'debug',
      },
    });
    expect(config.lake).toMatchObject({ region: 'us-east-2' });
    expect(config.executor.concurrency).toBe(8);
    expect(config.logging.level).toBe('debug');
  });

  it('fails prod without DATABASE_URL, naming the variable, the field and the file', () => {
    const { DATABASE_URL: _, ...withoutDatabase } = PROD_ENVIRONMENT;
    let error: unknown;
    try {
      loadConfig({ cwd, env: 'prod', environment: withoutDatabase });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ShopflowError);
    const failure = error as ShopflowError;
    expect(failure.code).toBe('SF_CONFIG_MISSING_ENV');
    expect(failure.exitCode).toBe(2);
    expect(failure.message).toContain('environment variable DATABASE_URL is not set');
    expect(failure.message).toContain('`resources.postgres.url`');
    expect(failure.message).toContain('config/prod.yaml');
    expect(failure.message).toContain('export DATABASE_URL=… or add it to .env');
    expect(failure.message).not.toContain('instance-pw');
  });

  it('documents every variable used in config/ in .env.example, with a comment and no value', () => {
    const used = new Set<string>();
    for (const name of shipped) {
      const text = readFileSync(join(root, 'config', name), 'utf8')
        .split('\n')
        .map((line) => line.replace(/(^|\s)#.*$/, ''))
        .join('\n');
      for (const match of text.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) used.add(match[1]);
    }
    const lines = readFileSync(join(root, '.env.example'), 'utf8').split('\n');
    const documented = new Map<string, { value: string; comment: string }>();
    lines.forEach((line, index) => {
      const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
      if (match) documented.set(match[1], { value: match[2], comment: lines[index - 1] ?? '' });
    });
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) {
      expect(documented.has(name), `${name} is missing from .env.example`).toBe(true);
    }
    for (const [name, { value, comment }] of documented) {
      expect(value, `${name} has a value in .env.example`).toBe('');
      expect(comment.startsWith('#'), `${name} has no comment above it`).toBe(true);
    }
  });

  it('documents the variables of commented-out sections (runLauncher, openlineage) in .env.example too', () => {
    const mentioned = new Set<string>();
    for (const name of shipped) {
      const text = readFileSync(join(root, 'config', name), 'utf8');
      // NOTE: `${VAR}` in the header comments is the syntax, not a variable.
      for (const match of text.matchAll(/(?<!\$)\$\{([A-Z_][A-Z0-9_]*)/g))
        if (match[1] !== 'VAR') mentioned.add(match[1]);
    }
    const documented = new Set(
      readFileSync(join(root, '.env.example'), 'utf8')
        .split('\n')
        .map((line) => /^([A-Z_][A-Z0-9_]*)=/.exec(line)?.[1])
        .filter((name): name is string => !!name),
    );
    expect(mentioned).toContain('SHOPFLOW_ECS_CLUSTER');
    expect([...mentioned].filter((name) => !documented.has(name))).toEqual([]);
  });

  it('comments every field of the shipped files', () => {
    for (const name of shipped) {
      const lines = readFileSync(join(root, 'config', name), 'utf8').split('\n');
      const uncommented = lines.filter((line) => /^\s*[A-Za-z]+:/.test(line) && !line.includes('#'));
      expect(uncommented, `${name} has fields without a comment`).toEqual([]);
    }
  });
});
