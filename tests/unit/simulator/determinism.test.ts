import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateShopflowData } from '../../../assets/raw/simulator/index.js';
import { detectDefects } from './detect-defects.js';
import { GENERATED_FILES, outputHashes } from './output-hashes.js';

const root = mkdtempSync(join(tmpdir(), 'shopflow-sim-det-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('generateShopflowData determinism', () => {
  it('writes byte-identical files for the same seed and options', async () => {
    await generateShopflowData({ out: join(root, 'a'), seed: 7, scale: 0.1 });
    await generateShopflowData({ out: join(root, 'b'), seed: 7, scale: 0.1 });
    expect(outputHashes(join(root, 'b'))).toEqual(outputHashes(join(root, 'a')));
  });

  it('writes different bytes for a different seed', async () => {
    await generateShopflowData({ out: join(root, 'c'), seed: 8, scale: 0.1 });
    const a = outputHashes(join(root, 'a'));
    const c = outputHashes(join(root, 'c'));
    for (const file of GENERATED_FILES) expect(c[file], file).not.toBe(a[file]);
  });

  it('scales the counts, also by a fractional factor', async () => {
    const summary = await generateShopflowData({ out: join(root, 'a'), seed: 7, scale: 0.1 });
    expect(summary.manifest.entities).toEqual({ customers: 100, products: 50, transactions: 500 });
  });

  it('injects no defect at defectRate 0', async () => {
    const out = join(root, 'clean');
    const summary = await generateShopflowData({ out, seed: 7, scale: 0.2, defectRate: 0 });
    expect(summary.defects.total).toBe(0);
    const report = JSON.parse(readFileSync(join(out, '_defects.json'), 'utf8'));
    expect(report.defects).toEqual([]);
    for (const kinds of Object.values<Record<string, number>>(report.counts)) {
      for (const n of Object.values(kinds)) expect(n).toBe(0);
    }
    expect(detectDefects(out)).toEqual([]);
  });

  it('injects defects at about the requested rate', async () => {
    const out = join(root, 'dirty');
    const summary = await generateShopflowData({ out, seed: 7, scale: 0.2, defectRate: 0.1 });
    const rows = ['customers.csv', 'products.csv', 'transactions.csv']
      .map((file) => summary.manifest.files[file].rows!)
      .reduce((a, b) => a + b, 0);
    expect(summary.defects.total / rows).toBeGreaterThan(0.07);
    expect(summary.defects.total / rows).toBeLessThan(0.13);
    expect(detectDefects(out).length).toBe(summary.defects.total);
  });
});
