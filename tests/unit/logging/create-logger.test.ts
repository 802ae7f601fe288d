import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../framework/logging/create-logger.js';

const SECRET = 'hunter2-s3cret';
const folder = mkdtempSync(join(tmpdir(), 'shopflow-logging-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function capture(): { stream: Writable; text: () => string; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, text, lines };
}

function logEverywhere(logger: ReturnType<typeof createLogger>): void {
  logger.info(`connecting with ${SECRET}`);
  logger.info({ dsn: `host=db password=${SECRET}`, nested: { deeper: { value: SECRET } } }, 'object fields');
  logger.error(new Error(`login failed for ${SECRET}`));
  logger.error({ err: new Error('outer', { cause: new Error(`inner ${SECRET}`) }) }, 'with cause');
  logger.warn({ error: new Error(`boom ${SECRET}`) }, 'error under another key');
  logger.info({ url: `postgres://app:${SECRET}@db:5432/shop` }, 'url field');
}

describe('createLogger', () => {
  it('writes JSON lines at or above the level', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', pretty: false, destination: out.stream });
    logger.debug('hidden');
    logger.info({ asset: 'silver_customers' }, 'materialized');
    logger.warn('careful');
    expect(out.lines().map((line) => [line.level, line.msg])).toEqual([
      [30, 'materialized'],
      [40, 'careful'],
    ]);
    expect(out.lines()[0]).toMatchObject({ asset: 'silver_customers' });
  });

  it('never writes a known secret: in messages, object fields, errors and causes', () => {
    const out = capture();
    logEverywhere(createLogger({ level: 'info', pretty: false, secrets: [SECRET], destination: out.stream }));
    const text = out.text();
    expect(text).not.toContain(SECRET);
    const lines = out.lines();
    expect(lines).toHaveLength(6);
    expect(lines[0].msg).toBe('connecting with [REDACTED]');
    expect(lines[1]).toMatchObject({
      dsn: 'host=db password=[REDACTED]',
      nested: { deeper: { value: '[REDACTED]' } },
    });
    expect(lines[2]).toMatchObject({
      msg: 'login failed for [REDACTED]',
      err: { message: 'login failed for [REDACTED]' },
    });
    expect(JSON.stringify(lines[3])).toContain('inner [REDACTED]');
    expect(lines[4]).toMatchObject({ error: { type: 'Error', message: 'boom [REDACTED]' } });
    expect(lines[5]).toMatchObject({ url: 'postgres://app:[REDACTED]@db:5432/shop' });
  });

  it('censors secret-named fields and URL passwords even when the secret is not known', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', pretty: false, destination: out.stream });
    logger.info(
      {
        password: 'p1',
        token: 't1',
        db: { password: 'p2', connectionString: 'c2', host: 'db' },
        headers: { authorization: 'Bearer a1' },
        target: 'https://deploy:p3@registry.example.com/repo',
      },
      'connecting to postgres://svc:p4@db/x',
    );
    const [line] = out.lines();
    expect(line).toMatchObject({
      password: '[REDACTED]',
      token: '[REDACTED]',
      db: { password: '[REDACTED]', connectionString: '[REDACTED]', host: 'db' },
      headers: { authorization: '[REDACTED]' },
      target: 'https://deploy:[REDACTED]@registry.example.com/repo',
      msg: 'connecting to postgres://svc:[REDACTED]@db/x',
    });
    for (const secret of ['p1', 't1', 'p2', 'c2', 'a1', 'p3', 'p4'])
      expect(out.text()).not.toContain(`"${secret}`);
  });

  it('redacts secrets that JSON escapes or URLs percent-encode', () => {
    const out = capture();
    const tricky = 'pa"ss\\wo/rd@1';
    const logger = createLogger({ level: 'info', pretty: false, secrets: [tricky], destination: out.stream });
    logger.info({ raw: tricky, encoded: encodeURIComponent(tricky) }, `said ${tricky}`);
    expect(out.lines()[0]).toMatchObject({
      raw: '[REDACTED]',
      encoded: '[REDACTED]',
      msg: 'said [REDACTED]',
    });
    expect(out.text()).not.toContain('wo/rd');
  });

  it('writes readable lines when pretty, still redacted', () => {
    const out = capture();
    logEverywhere(createLogger({ level: 'info', pretty: true, secrets: [SECRET], destination: out.stream }));
    const text = out.text();
    expect(text).toContain('connecting with [REDACTED]');
    expect(text).toContain('INFO');
    expect(text).toContain('login failed for [REDACTED]');
    expect(text).not.toContain(SECRET);
    expect(() => JSON.parse(text.split('\n')[0])).toThrow();
  });

  it('appends JSON lines to a file while the console is pretty, redacting both', () => {
    const file = join(folder, 'nested', 'shopflow.log');
    const out = capture();
    logEverywhere(
      createLogger({ level: 'info', pretty: true, file, secrets: [SECRET], destination: out.stream }),
    );
    createLogger({ level: 'info', pretty: false, file, destination: capture().stream }).info('second logger');
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(7);
    expect(JSON.parse(lines[0]).msg).toBe('connecting with [REDACTED]');
    expect(JSON.parse(lines[6]).msg).toBe('second logger');
    expect(readFileSync(file, 'utf8')).not.toContain(SECRET);
  });

  it('writes to stderr, never stdout, and loses nothing when the process exits at once', () => {
    const module = fileURLToPath(new URL('../../../framework/logging/create-logger.ts', import.meta.url));
    const script = [
      `const { createLogger } = await import(${JSON.stringify(module)});`,
      `const logger = createLogger({ level: 'info', secrets: ['${SECRET}'] });`,
      `for (let i = 0; i < 200; i++) logger.info({ i }, 'line ${SECRET}');`,
      'process.exit(0);',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(child.status).toBe(0);
    expect(child.stdout).toBe('');
    const lines = child.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(200);
    expect(JSON.parse(lines[199])).toMatchObject({ i: 199, msg: 'line [REDACTED]' });
    expect(child.stderr).not.toContain(SECRET);
  });
});
