import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { processIsAlive } from '../../../framework/index.js';
import {
  embeddedPostgresState,
  embeddedSharedBuffers,
  ensureEmbeddedPostgres,
  stopEmbeddedPostgres,
} from '../../../resources/postgres/embedded-postgres-server.js';
import { pgDriver } from '../../../resources/postgres/pg-driver.js';
import { runShopflow } from '../../support/run-shopflow.js';

// NOTE: the embedded server runs as `postgres` when tests run as root; it must reach the folder.
const parent = mkdtempSync(join(tmpdir(), 'shopflow-pg-liveness-'));
chmodSync(parent, 0o777);
const dir = join(parent, 'pg');
const home = join(parent, 'home');
mkdirSync(home);
const config = join(parent, 'shopflow.yaml');
writeFileSync(
  config,
  `env: test\nhome: ${home}\nlogging: { level: warn }\nresources:\n  postgres: { mode: embedded, dir: ${dir} }\n`,
);
afterAll(async () => {
  await stopEmbeddedPostgres(dir).catch(() => false);
  rmSync(parent, { recursive: true, force: true });
});

async function status() {
  const result = await runShopflow(['--config', config, 'db', 'status', '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { running: boolean; pid?: number; note?: string };
}

describe('db status and db stop judge the embedded server by its process', () => {
  test('a killed server is reported stopped, with the stale pid file named; the next start works', async () => {
    await ensureEmbeddedPostgres(dir);
    const up = await status();
    expect(up.running).toBe(true);
    const pid = Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(up.pid).toBe(pid);

    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && processIsAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(embeddedPostgresState(dir)).toMatchObject({ running: false, stalePidFile: true, pid });
    const down = await status();
    expect(down.running).toBe(false);
    expect(down.note).toBe(
      `the server of pid ${pid} was killed; its stale postmaster.pid is replaced at the next start`,
    );
    const stop = await runShopflow(['--config', config, 'db', 'stop']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain(`the server of pid ${pid} was killed and left its postmaster.pid`);

    await ensureEmbeddedPostgres(dir);
    expect((await status()).running).toBe(true);
  }, 120_000);

  test('the server starts with the buffer cache sized for this machine', async () => {
    const server = await ensureEmbeddedPostgres(dir);
    const client = new (pgDriver().Client)({ connectionString: server.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `select (setting::bigint * 8192 / 1048576)::int as mb from pg_settings where name = 'shared_buffers'`,
      );
      expect(`${rows[0].mb}MB`).toBe(embeddedSharedBuffers(totalmem()));
    } finally {
      await client.end();
    }
  }, 120_000);
});

describe('one server per folder, however many processes start it', () => {
  test('three processes setting up a fresh folder at once all succeed on one server', async () => {
    const shared = join(parent, 'pg-shared');
    const sharedConfig = join(parent, 'shared.yaml');
    writeFileSync(
      sharedConfig,
      `env: test\nhome: ${home}\nlogging: { level: warn }\nresources:\n  postgres: { mode: embedded, dir: ${shared} }\n`,
    );
    try {
      const results = await Promise.all(
        [1, 2, 3].map(() => runShopflow(['--config', sharedConfig, 'db', 'setup'])),
      );
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      expect(embeddedPostgresState(shared).running).toBe(true);
      // NOTE: the lock goes with the start that took it.
      expect(readdirSync(shared).filter((name) => name.startsWith('start.lock'))).toEqual([]);
    } finally {
      await stopEmbeddedPostgres(shared).catch(() => false);
    }
  }, 180_000);

  test('a start lock left by a process that died is taken over', async () => {
    const abandoned = join(parent, 'pg-abandoned');
    mkdirSync(abandoned, { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(abandoned, 'start.lock'), String(dead));
    try {
      const server = await ensureEmbeddedPostgres(abandoned);
      expect(server.started).toBe(true);
      expect(existsSync(join(abandoned, 'start.lock'))).toBe(false);
    } finally {
      await stopEmbeddedPostgres(abandoned).catch(() => false);
    }
  }, 120_000);
});
