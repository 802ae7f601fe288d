/**
 * Start-up time of the compiled CLI, against a bare Node process.
 *
 *   node scripts/build.mjs && npx tsx bench/cli-startup-bench.ts [--runs 7] [--compare DIR [--label TEXT]] [--write]
 *
 * Times, per run and side by side: `node -e 0` (the baseline: what any Node command costs here),
 * `shopflow --help` (loads the definitions to list their commands) and `shopflow assets` (opens the
 * instance store and computes every asset's status) on a home created once before timing, with the
 * default (dev) configuration. Reports the median of each and its ratio to the baseline. With
 * `--compare DIR` (the root of another built checkout, e.g. an older commit), its `--help` and
 * `assets` are timed in the same rounds, for a before/after comparison (`--label` says what it is
 * in the table). `--write` puts the table into docs/benchmarks.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { machine, median, writeBenchmarkSection } from './benchmark-report.js';

const REPO = resolve(import.meta.dirname, '..');
const BIN = join(REPO, 'bin', 'shopflow.js');

function timeOnce(args: string[], env: NodeJS.ProcessEnv, cwd = REPO): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) {
    throw new Error(`node ${args.join(' ')} exited with ${result.status}: ${result.stderr.toString()}`);
  }
  return seconds;
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}
const runs = Number(option('--runs') ?? 7);
const compare = option('--compare');
const other = compare ? resolve(compare) : undefined;
const home = mkdtempSync(join(tmpdir(), 'shopflow-startup-bench-'));
const env = { ...process.env, SHOPFLOW_ENV: '', SHOPFLOW_HOME: home };
try {
  // The first `assets` creates the instance database; timing starts after it.
  timeOnce([BIN, 'assets'], env);
  const commands: Record<string, { args: string[]; cwd?: string }> = {
    'node -e 0': { args: ['-e', '0'] },
    'shopflow --help': { args: [BIN, '--help'] },
    'shopflow assets': { args: [BIN, 'assets'] },
  };
  if (other) {
    const otherBin = join(other, 'bin', 'shopflow.js');
    const otherHome = join(home, 'other');
    commands['shopflow --help (other checkout)'] = { args: [otherBin, '--help'], cwd: other };
    commands['shopflow assets (other checkout)'] = {
      args: [otherBin, 'assets', '--home', otherHome],
      cwd: other,
    };
    timeOnce([otherBin, 'assets', '--home', otherHome], env, other);
  }
  const times: Record<string, number[]> = {};
  for (let i = 0; i < runs; i++) {
    for (const [name, { args, cwd }] of Object.entries(commands)) {
      times[name] = [...(times[name] ?? []), timeOnce(args, env, cwd)];
    }
  }
  const baseline = median(times['node -e 0']);
  const rows = Object.entries(times).map(([name, values]) => {
    const m = median(values);
    return `| \`${name}\` | ${m.toFixed(3)} s | ${(m / baseline).toFixed(1)}× | ${(m - baseline).toFixed(3)} s | ${values.map((v) => v.toFixed(2)).join(', ')} |`;
  });
  const markdown = [
    '## CLI start-up (`bench/cli-startup-bench.ts`)',
    '',
    `${machine()}; ${runs} runs of each command, interleaved; medians. The machine is shared with other`,
    'work, so single runs vary; the medians and the ratio to a bare `node -e 0` are the figures to',
    'compare. `assets` runs on an existing home (default dev configuration, SQLite instance store).',
    ...(other
      ? [`"Other checkout": ${option('--label') ?? 'another build of the code'}, timed in the same rounds.`]
      : []),
    '',
    '| command | median | × `node -e 0` | beyond `node -e 0` | runs |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  console.log(markdown);
  if (process.argv.includes('--write')) writeBenchmarkSection('cli-startup', markdown);
} finally {
  rmSync(home, { recursive: true, force: true });
}
