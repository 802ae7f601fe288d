import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
export const BIN = join(REPO, 'bin', 'shopflow.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A config file for CLI tests in `home`, using the example graph. */
export function writeTestConfig(home: string, extra = ''): string {
  mkdirSync(home, { recursive: true });
  const file = join(home, 'test.yaml');
  writeFileSync(
    file,
    `env: test\nhome: ${home}\ndefinitions: ${join(REPO, 'tests/fixtures/example-graph.ts')}\nexecutor:\n  concurrency: 2\n  lockWaitSeconds: 2\n  heartbeatSeconds: 1\n  deadAfterSeconds: 30\nlogging:\n  level: warn\n${extra}`,
  );
  return file;
}

/** Starts `shopflow ARGS` in a child process. */
export function spawnShopflow(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: { ...process.env, SHOPFLOW_ENV: '', SHOPFLOW_HOME: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `shopflow ARGS` to completion. */
export async function runShopflow(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawnShopflow(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

/** Parses JSON lines. */
export function jsonLines(text: string): Array<Record<string, any>> {
  return text
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line));
}
