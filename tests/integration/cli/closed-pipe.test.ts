import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tempHome } from '../../support/example-runtime.js';
import { BIN, REPO, runShopflow, writeTestConfig } from '../../support/run-shopflow.js';

// Every listing command, piped into a reader that goes away, must stop quietly: exit 0 (or the
// conventional SIGPIPE status), nothing on stderr, no stack trace.
const start = new Date(Date.now() - 4 * 86_400_000).toISOString().slice(0, 10);
let home: string;
let cleanup: () => void;
let config: string;
let env: Record<string, string>;

const LISTINGS: string[][] = [
  ['assets'],
  ['assets', '--json'],
  ['plan', '--force'],
  ['plan', '--force', '--json'],
  ['runs'],
  ['runs', '--json'],
  ['checks'],
  ['checks', '--json'],
  ['lineage', 'station_summary'],
  ['show', 'readings', '--partition', start],
  ['schedules'],
  ['schedules', '--json'],
];

beforeAll(async () => {
  ({ home, cleanup } = tempHome('shopflow-pipe-'));
  config = writeTestConfig(home);
  writeFileSync(
    config,
    readFileSync(config, 'utf8').replace(
      'tests/fixtures/example-graph.ts',
      'tests/fixtures/scheduled-example-graph.ts',
    ),
  );
  const optionsFile = join(home, 'example-options.json');
  writeFileSync(optionsFile, JSON.stringify({ start }));
  env = { EXAMPLE_OPTIONS_FILE: optionsFile };
  const first = await runShopflow(['--config', config, 'materialize', '--json'], env);
  expect(first.code).toBe(0);
}, 60_000);
afterAll(() => cleanup());

/** Runs the command with a reader that has already gone away. */
function runPipedClosed(args: string[]) {
  const child = spawn(process.execPath, [BIN, '--config', config, ...args], {
    cwd: REPO,
    env: { ...process.env, SHOPFLOW_ENV: '', SHOPFLOW_HOME: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  // NOTE: closed before the command has loaded, so its very first write meets a closed pipe.
  child.stdout!.destroy();
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
}

describe('a reader that goes away', () => {
  test.each(LISTINGS)(
    '`shopflow %s …` stops quietly when the pipe closes before any output',
    async (...args) => {
      const result = await runPipedClosed(args);
      expect(result.stderr).toBe('');
      expect(result.signal === 'SIGPIPE' || result.code === 0).toBe(true);
    },
  );

  test('the real shell pipe `shopflow runs --json | head -1` ends with status 0', async () => {
    const child = spawn(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${BIN}" --config "${config}" runs --json | head -1; echo "status=\${PIPESTATUS[0]}" >&2`,
      ],
      { cwd: REPO, env: { ...process.env, SHOPFLOW_ENV: '', SHOPFLOW_HOME: '', ...env } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    await new Promise((resolve) => child.on('close', resolve));
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(stdout).status).toBe('success');
    expect(stderr.trim()).toBe('status=0');
  });
});
