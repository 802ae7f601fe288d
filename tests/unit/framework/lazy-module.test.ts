import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lazyModule } from '../../../framework/modules/lazy-module.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('lazyModule', () => {
  it('loads the module on the first call only, and returns the same module every time', () => {
    const folder = mkdtempSync(join(tmpdir(), 'shopflow-lazy-'));
    folders.push(folder);
    const file = join(folder, 'heavy.cjs');
    writeFileSync(
      file,
      'globalThis.__heavyLoads = (globalThis.__heavyLoads ?? 0) + 1; module.exports = { answer: 42 };',
    );
    const cache = createRequire(import.meta.url).cache;
    const load = lazyModule<{ answer: number }>(file);
    expect(cache[file]).toBeUndefined();
    const first = load();
    expect(first.answer).toBe(42);
    expect(cache[file]).toBeDefined();
    expect(load()).toBe(first);
    expect((globalThis as { __heavyLoads?: number }).__heavyLoads).toBe(1);
  });

  it('throws the loader error for a package that is not installed, on the call', () => {
    const load = lazyModule('shopflow-no-such-package');
    expect(() => load()).toThrow(/Cannot find module 'shopflow-no-such-package'/);
  });
});
