import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateShopflowData, ShopflowSimulator } from '../../../assets/raw/simulator/index.js';

// NOTE: these hashes were computed before the simulator was optimised and pin its output: the same
// seed gives the same bytes across releases, so a day's extract never changes once produced and data
// versions downstream stay what they were. A change to them is a change of the simulator's output,
// which needs a new code version of `source_files`, not a new hash here.
const PINNED_FILES = {
  'customers.csv': '1e90f720b7cd6f8a0a72907e3c9143ac31fccf92bbfc9c7a481711f534afbb97',
  'products.csv': 'bbfd212007f9ece20eb5b582e9a662224040e6e1dc81cc7d96d52852c5b93942',
  'transactions.csv': 'e794a45ad6f4521c1960438a58bc5997b914c6ff4f8f7d9ff7d2779322470590',
  'clickstream.jsonl': '227867f14434aec4471017959687f9c8d78f11864276a898121b21a2cd7e0eeb',
  '_defects.json': '5197f4b2b599651e957d92fdb124ff20f83a00effcdb3c71ebb2b0473a420493',
  '_manifest.json': '15309ae78655ba0fc14f8df6ecdf032547f1ab71189b6191258a7eaf9c55fc38',
};
const PINNED_DAYS = 'a36f1ec71275357251b4b91f940a77ef133d688114485ea2d859d16e3affd05c';

const root = mkdtempSync(join(tmpdir(), 'shopflow-sim-pinned-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

describe('simulator output is pinned', () => {
  it('writes the same bytes as ever for seed 42, scale 2, 120 days (a snapshot day and a second period)', async () => {
    const out = join(root, 'files');
    await generateShopflowData({ out, seed: 42, scale: 2, days: 120, defectRate: 0.02 });
    const hashes = Object.fromEntries(
      Object.keys(PINNED_FILES).map((file) => [file, sha256(readFileSync(join(out, file)))]),
    );
    expect(hashes).toEqual(PINNED_FILES);
  });

  it('gives the same rows as ever for single days of an open-ended simulation', () => {
    const simulator = new ShopflowSimulator({ seed: 42, scale: 2, days: null, defectRate: 0.02 });
    const days = ['2024-01-01', '2024-02-15', '2024-03-31', '2024-04-01', '2024-06-03', '2025-02-10'];
    expect(sha256(days.map((day) => JSON.stringify(simulator.day(day))).join(''))).toBe(PINNED_DAYS);
  });
});
