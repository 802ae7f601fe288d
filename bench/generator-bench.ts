/**
 * Throughput and memory of the ShopFlow simulator.
 *
 *   npx tsx bench/generator-bench.ts [scale] [runs]     (defaults: scale 200 = 1 M transactions, 1 run)
 *
 * Each run generates into a fresh temporary folder in its own child process, so every peak RSS is
 * that of one generation (sampled every 100 ms). Files are produced side by side (the CSV files day
 * by day in the main thread, the clickstream in a worker thread), so the per-file rates are that
 * file's rows over the whole generation's wall time. As a baseline measured
 * in the same child, the same number of bytes is written through the same sink (buffering, sha256,
 * backpressure) with no generation at all: the ratio tells what simulating costs over plain IO.
 * With several runs, the median run (by overall rate) is reported, along with every run.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateShopflowData, RAW_DATA_FILES } from '../assets/raw/simulator/index.js';
import { LineSink } from '../assets/raw/simulator/line-sink.js';

interface RunResult {
  scale: number;
  seconds: number;
  rows: Record<string, number>;
  bytes: number;
  peakRssMb: number;
  baselineRssMb: number;
  ioBaselineSeconds: number;
}

const MB = 1024 * 1024;

async function measureOneRun(scale: number): Promise<RunResult> {
  const root = mkdtempSync(join(tmpdir(), 'shopflow-bench-'));
  const baselineRssMb = process.memoryUsage().rss / MB;
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  try {
    const started = performance.now();
    const summary = await generateShopflowData({ out: join(root, 'raw'), scale });
    const seconds = (performance.now() - started) / 1000;
    peak = Math.max(peak, process.memoryUsage().rss);
    clearInterval(sampler);
    const rows = Object.fromEntries(
      RAW_DATA_FILES.map((file) => [file, summary.manifest.files[file].rows ?? 0]),
    );
    const bytes = RAW_DATA_FILES.reduce((sum, file) => sum + summary.manifest.files[file].bytes, 0);
    rmSync(join(root, 'raw'), { recursive: true, force: true });
    const ioBaselineSeconds = await writePlainBytes(join(root, 'baseline.txt'), bytes);
    return { scale, seconds, rows, bytes, peakRssMb: peak / MB, baselineRssMb, ioBaselineSeconds };
  } finally {
    clearInterval(sampler);
    rmSync(root, { recursive: true, force: true });
  }
}

/** Writes `bytes` bytes of fixed lines through a LineSink; returns the seconds it took. */
async function writePlainBytes(path: string, bytes: number): Promise<number> {
  const line = 'x'.repeat(187);
  const started = performance.now();
  const sink = new LineSink(path);
  for (let written = 0; written < bytes; written += line.length + 1) if (sink.push(line)) await sink.flush();
  await sink.close();
  return (performance.now() - started) / 1000;
}

function runInChild(scale: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', String(scale)], {
      execArgv: process.execArgv,
    });
    child.once('message', (message) => resolve(message as RunResult));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`benchmark child exited with code ${code}`));
    });
  });
}

function rate(rows: number, seconds: number): string {
  return `${Math.round(rows / seconds).toLocaleString('en-US')} rows/s`;
}

function report(results: RunResult[]): void {
  const sorted = [...results].sort((a, b) => total(a) / a.seconds - total(b) / b.seconds);
  const median = sorted[Math.floor(sorted.length / 2)];
  const { scale, seconds } = median;
  console.log(`ShopFlow simulator, scale ${scale}: ${results.length} run(s), median run below`);
  for (const file of RAW_DATA_FILES) {
    console.log(
      `  ${file.padEnd(18)} ${median.rows[file].toLocaleString('en-US').padStart(12)} rows  ${rate(median.rows[file], seconds)}`,
    );
  }
  console.log(
    `  ${'overall'.padEnd(18)} ${total(median).toLocaleString('en-US').padStart(12)} rows  ${rate(total(median), seconds)}`,
  );
  console.log(
    `  wall time          ${seconds.toFixed(2)} s, ${(median.bytes / MB).toFixed(0)} MB written (${(median.bytes / MB / seconds).toFixed(1)} MB/s)`,
  );
  console.log(
    `  peak RSS           ${median.peakRssMb.toFixed(0)} MB (process at start: ${median.baselineRssMb.toFixed(0)} MB)`,
  );
  console.log(
    `  baseline           writing the same bytes with no generation: ${median.ioBaselineSeconds.toFixed(2)} s ` +
      `(generation costs ${(seconds / median.ioBaselineSeconds).toFixed(1)}x plain IO)`,
  );
  if (results.length > 1) {
    for (const run of results) {
      console.log(
        `  run: ${run.seconds.toFixed(2)} s, ${rate(total(run), run.seconds)}, peak RSS ${run.peakRssMb.toFixed(0)} MB`,
      );
    }
  }
  console.log(JSON.stringify({ benchmark: 'generator', median, runs: results }));
}

function total(result: RunResult): number {
  return Object.values(result.rows).reduce((a, b) => a + b, 0);
}

if (process.argv[2] === '--child') {
  const result = await measureOneRun(Number(process.argv[3]));
  process.send!(result);
} else {
  const scale = Number(process.argv[2] ?? 200);
  const runs = Number(process.argv[3] ?? 1);
  if (!(scale > 0) || !Number.isInteger(runs) || runs < 1) {
    console.error('usage: npx tsx bench/generator-bench.ts [scale > 0] [runs ≥ 1]');
    process.exit(2);
  }
  const results: RunResult[] = [];
  for (let run = 0; run < runs; run++) results.push(await runInChild(scale));
  report(results);
}
