import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINER_ENTRY_POINT } from '../lib/container-entry-point.js';

// The entry point is run by a real `sh` with a stand-in `shopflow` that prints what it was given.
describe('container entry point', () => {
  let bin: string;
  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'shopflow-entry-'));
    const fake = join(bin, 'shopflow');
    writeFileSync(
      fake,
      [
        '#!/bin/sh',
        'printf "args=%s\\n" "$*"',
        'printf "DATABASE_URL=%s\\n" "$DATABASE_URL"',
        'printf "SHOPFLOW_INSTANCE_URL=%s\\n" "$SHOPFLOW_INSTANCE_URL"',
        'if env | grep -q "^SHOPFLOW_DB_PASSWORD="; then echo password=exported; else echo password=unset; fi',
      ].join('\n'),
    );
    chmodSync(fake, 0o755);
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  const baseEnv = () => ({
    PATH: `${bin}:${process.env.PATH}`,
    SHOPFLOW_DB_USERNAME: 'shopflow',
    SHOPFLOW_DB_PASSWORD: 'Zx81QpR7ab',
    SHOPFLOW_DB_HOST: 'shopflow-dev.abc.eu-west-1.rds.amazonaws.com',
    SHOPFLOW_DB_PORT: '5432',
    SHOPFLOW_DB_NAME: 'shopflow',
    SHOPFLOW_DB_CA_BUNDLE: '/etc/ssl/certs/rds-global-bundle.pem',
  });
  const [shell, ...args] = CONTAINER_ENTRY_POINT;

  it('builds both PostgreSQL URLs with full TLS verification and passes the command to shopflow', () => {
    const output = execFileSync(shell, [...args, 'runs', 'show', '5f0c2a9e'], {
      env: baseEnv(),
      encoding: 'utf8',
    });
    const url =
      'postgres://shopflow:Zx81QpR7ab@shopflow-dev.abc.eu-west-1.rds.amazonaws.com:5432/shopflow' +
      '?sslmode=verify-full&sslrootcert=/etc/ssl/certs/rds-global-bundle.pem';
    expect(output.split('\n')).toEqual([
      'args=runs show 5f0c2a9e',
      `DATABASE_URL=${url}`,
      `SHOPFLOW_INSTANCE_URL=${url}`,
      'password=unset',
      '',
    ]);
    const parsed = new URL(url);
    expect([parsed.username, parsed.password, parsed.pathname]).toEqual([
      'shopflow',
      'Zx81QpR7ab',
      '/shopflow',
    ]);
  });

  it('refuses to start when a database variable is missing', () => {
    const env: Record<string, string> = baseEnv();
    delete env.SHOPFLOW_DB_PASSWORD;
    const result = spawnSync(shell, [...args, 'daemon'], { env, encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('SHOPFLOW_DB_PASSWORD');
    expect(result.stdout).toBe('');
  });
});
