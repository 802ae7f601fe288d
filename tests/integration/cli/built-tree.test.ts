import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { REPO } from '../../support/run-shopflow.js';

const PRODUCT: string[] = JSON.parse(readFileSync(join(REPO, 'scripts', 'product-folders.json'), 'utf8'));

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

describe('the built tree (scripts/build.mjs bundles the product into entry points and chunks)', () => {
  test('every file the code finds by path at run time has its twin under dist/', () => {
    const wanted = new Set<string>();
    for (const file of PRODUCT.flatMap((root) => sources(join(REPO, root)))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/packageFile\('([^']+)'\)/g))
        wanted.add(match[1]);
    }
    // The clickstream worker's module and the web page's folder, at least.
    expect([...wanted]).toEqual(
      expect.arrayContaining(['assets/raw/simulator/clickstream-worker.ts', 'server/public']),
    );
    const missing = [...wanted]
      .map((path) => join('dist', path.replace(/\.ts$/, '.js')))
      .filter((path) => !existsSync(join(REPO, path)));
    expect(missing).toEqual([]);
  });

  test('the built clickstream worker starts in a worker thread and loads its chunks', () => {
    const entry = pathToFileURL(join(REPO, 'dist/assets/raw/simulator/clickstream-worker.js')).href;
    const script = `
      import { Worker } from 'node:worker_threads';
      const worker = new Worker(new URL(${JSON.stringify(entry)}), { workerData: null, execArgv: [] });
      worker.on('message', (message) => console.log(JSON.stringify(message.type)));
      worker.on('error', (error) => console.log(JSON.stringify(error.message)));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: REPO,
      encoding: 'utf8',
    });
    // Without a job it reports a failure from its own code: the module and its chunks loaded.
    const messages = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(messages).toEqual(['started', 'failed']);
  });

  test('a product module that is not an entry point is not built on its own', () => {
    // Importing it by path would load a second copy of the framework beside the CLI's.
    expect(existsSync(join(REPO, 'dist/framework/index.js'))).toBe(true);
    expect(existsSync(join(REPO, 'dist/framework/executor/run-step.js'))).toBe(false);
  });
});
