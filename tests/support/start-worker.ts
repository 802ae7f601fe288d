import type { ChildProcess } from 'node:child_process';
import { jsonLines, spawnShopflow } from './run-shopflow.js';

/**
 * Starts `shopflow worker` on `config` and resolves with its name once it takes steps; the process
 * is pushed to `children`, which the caller stops.
 *
 * @example
 * const name = await startWorker(children, configFile, env, ['--concurrency', '2']);
 */
export function startWorker(
  children: ChildProcess[],
  config: string,
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<string> {
  const child = spawnShopflow(['--config', config, 'worker', '--json', ...args], env);
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const ready = jsonLines(out).find((l) => l.type === 'worker_ready');
      if (ready) resolve(String(ready.worker));
    });
    child.on('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready: ${err}`)));
  });
}
