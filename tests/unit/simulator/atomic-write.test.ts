import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateShopflowData } from '../../../assets/raw/simulator/index.js';
import { outputHashes } from './output-hashes.js';

const root = mkdtempSync(join(tmpdir(), 'shopflow-sim-atomic-'));
const out = join(root, 'raw');
let before: Record<string, string>;

beforeAll(async () => {
  await generateShopflowData({ out, seed: 1, scale: 0.05 });
  before = outputHashes(out);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('generateShopflowData writes atomically', () => {
  it('leaves the previous files intact when the generation fails mid-way', async () => {
    const failure = new Error('stop at day 10');
    let calls = 0;
    await expect(
      generateShopflowData({
        out,
        seed: 2,
        scale: 0.05,
        onProgress: () => {
          calls += 1;
          if (calls === 40) throw failure;
        },
      }),
    ).rejects.toBe(failure);
    expect(outputHashes(out)).toEqual(before);
    expect(readdirSync(root)).toEqual(['raw']);
  });

  it('leaves the previous files intact when the staging folder disappears (a real IO fault)', async () => {
    let removed = false;
    const attempt = generateShopflowData({
      out,
      seed: 3,
      scale: 0.05,
      onProgress: () => {
        if (removed) return;
        removed = true;
        for (const name of readdirSync(root))
          if (name.startsWith('.raw.tmp-')) rmSync(join(root, name), { recursive: true });
      },
    });
    await expect(attempt).rejects.toMatchObject({ code: 'SF_IO', message: expect.stringContaining(out) });
    expect(outputHashes(out)).toEqual(before);
    expect(readdirSync(root)).toEqual(['raw']);
  });

  it('replaces the files when the generation succeeds, leaving no staging folder', async () => {
    const other = join(root, 'other');
    await generateShopflowData({ out: other, seed: 4, scale: 0.05 });
    await generateShopflowData({ out, seed: 4, scale: 0.05 });
    expect(outputHashes(out)).toEqual(outputHashes(other));
    expect(outputHashes(out)).not.toEqual(before);
    expect(readdirSync(root).sort()).toEqual(['other', 'raw']);
    rmSync(other, { recursive: true });
  });

  it('refuses an output path that is a file', async () => {
    const file = join(root, 'not-a-folder');
    writeFileSync(file, 'keep me');
    await expect(generateShopflowData({ out: file, scale: 0.05 })).rejects.toMatchObject({
      code: 'SF_BAD_USAGE',
      message: expect.stringContaining('not-a-folder'),
    });
    await expect(generateShopflowData({ out: join(file, 'raw'), scale: 0.05 })).rejects.toMatchObject({
      code: 'SF_IO',
    });
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    rmSync(file);
  });
});
