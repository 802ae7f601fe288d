import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const FILE = join(import.meta.dirname, '..', 'docs', 'benchmarks.md');

/** Median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const leftovers: string[] = [];

/**
 * Removes `path` (a run's home) when this process exits rather than now. On a file system without
 * a journal (ext4 mounted without one, as on the machine these figures come from) the kernel
 * skips, for every file it creates, each inode freed in the last minute or more: deleting one run's
 * ten thousand files just before the next run adds to that run's file creation a cost no user's
 * run pays (see "File creation after a deletion" in docs/benchmarks.md).
 *
 * @example
 * const home = mkdtempSync(join(tmpdir(), 'shopflow-bench-'));
 * removeWhenDone(home);
 */
export function removeWhenDone(path: string): void {
  if (leftovers.length === 0) {
    process.once('exit', () => {
      for (const left of leftovers) rmSync(left, { recursive: true, force: true });
    });
  }
  leftovers.push(path);
}

/** A one-line description of the machine a benchmark ran on. */
export function machine(): string {
  return `Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB`;
}

/**
 * Replaces (or appends) the section `name` of docs/benchmarks.md, between
 * `<!-- bench:name -->` and `<!-- /bench:name -->`, so each benchmark rewrites only its own figures.
 */
export function writeBenchmarkSection(name: string, markdown: string): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  let text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '# Benchmarks\n';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, text);
}

/**
 * The command line of a bench: a positional number (e.g. the scale), `--NAME N` options and
 * `--FLAG` switches.
 *
 * @example
 * const args = benchArgs(process.argv.slice(2));
 * const scale = args.positional(20); const runs = args.option('--runs', 3); const write = args.flag('--write');
 */
export function benchArgs(argv: string[]) {
  return {
    positional: (fallback: number) =>
      Number(argv.find((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--')) ?? fallback),
    option: (name: string, fallback: number) => {
      const i = argv.indexOf(name);
      return i >= 0 ? Number(argv[i + 1]) : fallback;
    },
    flag: (name: string) => argv.includes(name),
  };
}

/**
 * Whether an asset's data versions change from run to run of the same code, so a digest comparing
 * two versions of the code leaves them out: the bronze group's rows carry the landing object's
 * version id (new for every delivery) or the warehouse's update times, and the profile audit is
 * built from those captured changes.
 */
export function versionVariesByRun(assetKey: string): boolean {
  return assetKey.startsWith('bronze_') || RUN_DEPENDENT.has(assetKey);
}

const RUN_DEPENDENT = new Set(['operational_customer_changes', 'customer_profile_audit']);
