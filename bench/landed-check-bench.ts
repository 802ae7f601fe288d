/**
 * What checking a landed clickstream file costs (`readLandedJsonLines`, the read of
 * `bronze_clickstream`), side by side in one process with copying the same bytes through the same
 * 64 KiB reads and one write per MiB:
 *
 *   npx tsx bench/landed-check-bench.ts [lines=130000] [--runs N]
 *
 * The file is a day of events in the simulator's form (one object per line, the declared fields in
 * order); 130,000 lines is about a day at scale 200. Runs alternate which side goes first; the
 * figures are medians.
 */
import { closeSync, createReadStream, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLICK_FIELDS } from '../assets/bronze/bronze-from-landing.js';
import { readLandedJsonLines } from '../assets/bronze/landed-json-lines.js';
import { benchArgs, machine, median, removeWhenDone } from './benchmark-report.js';

const args = benchArgs(process.argv.slice(2));
const lines = args.positional(130_000);
const runs = args.option('--runs', 7);

const TYPES = ['page_view', 'product_view', 'add_to_cart', 'search', 'checkout'];

function event(i: number): string {
  const product = i % 3 === 0 ? null : (i * 7_919) % 5_000;
  return JSON.stringify({
    event_id: `e20240115-${String(i).padStart(7, '0')}`,
    session_id: `s20240115-${String(Math.floor(i / 9)).padStart(6, '0')}`,
    customer_id: i % 11 === 0 ? null : (i * 104_729) % 20_000,
    event_type: TYPES[i % TYPES.length],
    page: product === null ? `/category/${TYPES[i % 4]}` : `/product/${product}`,
    product_id: product,
    timestamp: new Date(Date.UTC(2024, 0, 15) + i * 600).toISOString(),
  });
}

/** Copies `input` to `output` in the reads and writes the check makes, without looking at a byte. */
async function copyBytes(input: string, output: string): Promise<void> {
  const fd = openSync(output, 'w');
  try {
    const held: Buffer[] = [];
    let size = 0;
    for await (const chunk of createReadStream(input, { highWaterMark: 1 << 16 })) {
      held.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= 1 << 20) {
        writeSync(fd, Buffer.concat(held));
        held.length = 0;
        size = 0;
      }
    }
    if (held.length > 0) writeSync(fd, Buffer.concat(held));
  } finally {
    closeSync(fd);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'shopflow-landed-check-'));
removeWhenDone(dir);
const input = join(dir, 'clickstream.jsonl');
writeFileSync(input, `${Array.from({ length: lines }, (_, i) => event(i + 1)).join('\n')}\n`);

// NOTE: every run writes a new file, as a step does: writing over a file just written would make
// ext4 flush the old bytes first (its replace-by-truncate safeguard), which no step pays.
const seconds = { check: [] as number[], copy: [] as number[] };
let written = 0;
const sides = {
  check: async () => {
    const report = await readLandedJsonLines(input, join(dir, `checked-${++written}.jsonl`), {
      fields: CLICK_FIELDS,
      source: 'clickstream.jsonl',
    });
    if (report.rows !== lines) throw new Error(`the check kept ${report.rows} of ${lines} lines`);
  },
  copy: () => copyBytes(input, join(dir, `copied-${++written}.jsonl`)),
};
for (let run = 0; run < runs; run++) {
  const order: Array<keyof typeof sides> = run % 2 === 0 ? ['check', 'copy'] : ['copy', 'check'];
  for (const side of order) {
    const started = performance.now();
    await sides[side]();
    seconds[side].push((performance.now() - started) / 1000);
  }
}
const check = median(seconds.check);
const copy = median(seconds.copy);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`${machine()}; ${fmt(lines)} lines, medians of ${runs} runs`);
console.log('');
console.log('| measure | median | lines/s |');
console.log('|---|---:|---:|');
console.log(
  `| checking the file (\`readLandedJsonLines\`) | ${(check * 1000).toFixed(0)} ms | ${fmt(lines / check)} |`,
);
console.log(`| copying the same bytes | ${(copy * 1000).toFixed(0)} ms | ${fmt(lines / copy)} |`);
console.log(`| check ÷ copy | ${(check / copy).toFixed(2)} | |`);
console.log(
  JSON.stringify({
    bench: 'landed-check',
    lines,
    checkMs: Math.round(check * 1000),
    copyMs: Math.round(copy * 1000),
    ratio: Number((check / copy).toFixed(2)),
    runs: {
      check: seconds.check.map((s) => Math.round(s * 1000)),
      copy: seconds.copy.map((s) => Math.round(s * 1000)),
    },
  }),
);
