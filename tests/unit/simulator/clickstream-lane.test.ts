import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClickstreamLane } from '../../../assets/raw/simulator/clickstream-lane.js';
import { generateShopflowFiles } from '../../../assets/raw/simulator/generate-shopflow-data.js';
import { resolveSimulationOptions } from '../../../assets/raw/simulator/simulator-options.js';
import { outputHashes, sha256Of } from './output-hashes.js';

const root = mkdtempSync(join(tmpdir(), 'shopflow-sim-lane-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const OPTIONS = { seed: 5, scale: 0.3, days: 40, defectRate: 0.02 };
const JOB_OPTIONS = resolveSimulationOptions(OPTIONS, 'test');
const FAILING_WORKER = new URL('./failing-clickstream-worker.ts', import.meta.url);

describe('the clickstream lane', () => {
  it('writes the same bytes in a worker thread, in this thread, and after falling back to this thread', async () => {
    const run = async (name: string, options: Parameters<typeof ClickstreamLane.start>[1]) => {
      const path = join(root, `${name}.jsonl`);
      const { file, thread } = await ClickstreamLane.start({ options: JOB_OPTIONS, days: 40, path }, options)
        .done;
      expect(file.sha256).toBe(sha256Of(path));
      return { file, thread };
    };
    const worker = await run('worker', {});
    const main = await run('main', { thread: 'main' });
    const fallback = await run('fallback', { workerEntry: new URL('./no-such-worker.js', import.meta.url) });
    expect([worker.thread, main.thread, fallback.thread]).toEqual(['worker', 'main', 'main']);
    expect(main.file).toEqual(worker.file);
    expect(fallback.file).toEqual(worker.file);
    expect(worker.file.rows).toBeGreaterThan(5_000);
  });

  it('gives generateShopflowData the same files whichever thread writes the clickstream', async () => {
    const inWorker = join(root, 'files-worker');
    const inMain = join(root, 'files-main');
    await generateShopflowFiles({ ...OPTIONS, out: inWorker }, { thread: 'worker' });
    await generateShopflowFiles({ ...OPTIONS, out: inMain }, { thread: 'main' });
    expect(outputHashes(inMain)).toEqual(outputHashes(inWorker));
  });

  it('reports progress with the clickstream rows of each day, as in this thread', async () => {
    const progress = async (thread: 'worker' | 'main') => {
      const reports: string[] = [];
      await generateShopflowFiles(
        {
          ...OPTIONS,
          out: join(root, `progress-${thread}`),
          onProgress: (p) => reports.push(`${p.file}:${p.rows}`),
        },
        { thread },
      );
      return reports;
    };
    const inWorker = await progress('worker');
    expect(inWorker).toHaveLength(40 * 4);
    expect(inWorker).toEqual(await progress('main'));
  });

  it('surfaces an IO failure in the worker as that IO error, naming the file', async () => {
    const path = join(root, 'missing-folder', 'clickstream.jsonl');
    const lane = ClickstreamLane.start({ options: JOB_OPTIONS, days: 40, path });
    await expect(lane.done).rejects.toMatchObject({
      code: 'ENOENT',
      message: expect.stringMatching(/^writing clickstream\.jsonl in a worker thread failed: ENOENT/),
    });
  });

  it('fails the generation when the worker crashes, leaving the previous files and no staging folder', async () => {
    const parent = join(root, 'crash');
    const out = join(parent, 'raw');
    await generateShopflowFiles({ ...OPTIONS, out }, {});
    const before = outputHashes(out);
    await expect(
      generateShopflowFiles({ ...OPTIONS, seed: 6, out }, { workerEntry: FAILING_WORKER }),
    ).rejects.toThrow(/clickstream worker thread failed: the clickstream fixture crashed on purpose/);
    expect(outputHashes(out)).toEqual(before);
    expect(readdirSync(parent)).toEqual(['raw']);
  });

  it('stops the worker and closes the file when cancelled', async () => {
    const path = join(root, 'cancelled.jsonl');
    const lane = ClickstreamLane.start({
      options: resolveSimulationOptions({ scale: 5 }, 'test'),
      days: 90,
      path,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await lane.cancel();
    await expect(lane.done).rejects.toThrow();
    rmSync(path);
    expect(existsSync(path)).toBe(false);
  });
});
