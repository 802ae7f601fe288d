/**
 * What verifying the lake costs, side by side in one process on one materialized home (the ShopFlow
 * graph on a local lake, the warehouse on the home's embedded PostgreSQL):
 *
 *   npx tsx bench/lake-integrity-bench.ts [scale] [--days N] [--runs N] [--write]
 *
 * - a plan of everything as before (instance store and external inputs) against the same plan with
 *   the quick look at every lake file (a stat per file against its recorded size);
 * - `shopflow doctor`'s deep look (every file's SHA-256) against DuckDB reading every row of every
 *   lake file once;
 * - hashing every lake byte twice (once when written, once on its first read in a process: what
 *   verification adds to a materialization at most) against the materialization that wrote them.
 * Runs alternate which side goes first; the figures are medians.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import shopflow from '../assets/definitions.js';
import { quoteLiteral } from '../framework/duckdb/sql-template.js';
import { observeExternalInputs, planMaterialization, ShopflowRuntime } from '../framework/index.js';
import { hashStream } from '../framework/io/blob/staged-body.js';
import { createLocalLakeStorage } from '../framework/io/lake-storage/local/local-lake-storage.js';
import { AssetStateIndex } from '../framework/planner/asset-state-index.js';
import { loadChangeLogs } from '../framework/planner/change-log.js';
import { observeLakeIntegrity } from '../framework/planner/lake-integrity.js';
import { shopflowTestHome } from '../tests/support/shopflow-test-home.js';
import { benchArgs, machine, median, writeBenchmarkSection } from './benchmark-report.js';

const args = benchArgs(process.argv.slice(2));
const scale = args.positional(5);
const days = args.option('--days', 30);
const runs = args.option('--runs', 5);
const write = args.flag('--write');
const log = pino({ level: 'silent' }, new Writable({ write: (_c, _e, cb) => cb() }));
const now = new Date(Date.UTC(2024, 0, 1 + days, 6));

function lakeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...lakeFiles(path));
    else if (entry.name.endsWith('.parquet')) out.push(path);
  }
  return out;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function main() {
  const t = shopflowTestHome({ scale, defectRate: 0.003, calendar: { start: '2024-01-01', days } });
  try {
    const runtime = await ShopflowRuntime.open({
      config: t.config,
      definitions: shopflow,
      log,
      now: () => now,
    });
    try {
      const materializeMs = await timed(async () => {
        const result = await runtime.execute(await runtime.plan());
        if (result.status !== 'success') throw new Error(`the run failed: ${result.error}`);
      });
      const lakeRoot = runtime.lake.description;
      const files = lakeFiles(lakeRoot);
      const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
      const graph = runtime.graph;
      const planBefore = async () => {
        const states = new AssetStateIndex(await runtime.store.listPlannerStates());
        const changeLogs = await loadChangeLogs(runtime.store, graph);
        const observed = await observeExternalInputs({
          graph,
          store: runtime.store,
          states,
          now,
          resource: (d) => runtime.resources.get(d),
        });
        return planMaterialization({ graph, states, assetKeys: graph.keys, observed, changeLogs, now });
      };
      const planNow = () => runtime.plan();
      const deep = async () => {
        const states = await runtime.store.listPlannerStates();
        // NOTE: a fresh lake storage: a process remembers the files it hashed, and doctor starts cold.
        const { findings } = await observeLakeIntegrity({
          graph,
          store: runtime.store,
          lake: createLocalLakeStorage({ type: 'local', path: lakeRoot }),
          states,
          now,
          depth: 'deep',
        });
        if (findings.length) throw new Error(`unexpected damage: ${findings[0].location}`);
      };
      const duckdbScan = async () => {
        const duckdb = await runtime.engine.session();
        try {
          // NOTE: every column of every row, so DuckDB decodes every page (a count alone reads footers).
          for (const file of files) {
            await duckdb.query(
              `SELECT count(*) FROM (SELECT DISTINCT * FROM read_parquet(${quoteLiteral(file)}))`,
            );
          }
        } finally {
          duckdb.close();
        }
      };
      const hashTwice = async () => {
        for (let pass = 0; pass < 2; pass++) for (const f of files) await hashStream(createReadStream(f));
      };
      const steps = (await planBefore()).steps.length;
      if (steps !== 0 || (await planNow()).steps.length !== 0) throw new Error('the home is not up to date');

      const samples = {
        before: [] as number[],
        now: [] as number[],
        deep: [] as number[],
        scan: [] as number[],
        hash: [] as number[],
      };
      for (let run = 0; run < runs; run++) {
        const pairs: Array<[keyof typeof samples, () => Promise<unknown>]> = [
          ['before', planBefore],
          ['now', planNow],
          ['deep', deep],
          ['scan', duckdbScan],
          ['hash', hashTwice],
        ];
        const order = run % 2 === 0 ? pairs : [pairs[1], pairs[0], pairs[3], pairs[2], pairs[4]];
        for (const [name, fn] of order) samples[name].push(await timed(fn));
        console.error(
          `run ${run + 1}: plan ${Math.round(samples.before[run])} → ${Math.round(samples.now[run])} ms, deep ${Math.round(samples.deep[run])} ms, scan ${Math.round(samples.scan[run])} ms, hash×2 ${Math.round(samples.hash[run])} ms`,
        );
      }
      const m = (name: keyof typeof samples) => median(samples[name]);
      const ms = (v: number) => `${Math.round(v).toLocaleString('en-US')} ms`;
      const partitions = (await runtime.store.listPlannerStates()).filter(
        (s) => s.materializationId && graph.get(s.assetKey).io.kind === 'lake-table',
      ).length;
      const markdown = `
## Lake integrity (\`bench/lake-integrity-bench.ts\`)

\`npx tsx bench/lake-integrity-bench.ts ${scale} --days ${days} --runs ${runs}\` — the ShopFlow graph at
scale ${scale} over ${days} days on a local lake: ${partitions.toLocaleString('en-US')} materialized lake partitions,
${files.length.toLocaleString('en-US')} Parquet files, ${(bytes / 1048576).toFixed(1)} MiB. Medians of ${runs} runs in one
process, alternating which side goes first. ${machine()}

| what | baseline | with verification | ratio |
|---|---|---|---|
| plan of everything (every lake file's size checked against its record) | ${ms(m('before'))} (plan as before) | ${ms(m('now'))} | ${(m('now') / m('before')).toFixed(2)} |
| \`shopflow doctor\`'s deep look (every file's SHA-256) | ${ms(m('scan'))} (DuckDB reading every row once) | ${ms(m('deep'))} | ${(m('deep') / m('scan')).toFixed(2)} |
| hashing every lake byte twice (at write and first read: the most verification adds to a run) | ${ms(materializeMs)} (the materialization that wrote them) | ${ms(m('hash'))} | ${(m('hash') / materializeMs).toFixed(3)} |
`;
      console.log(markdown);
      if (write) writeBenchmarkSection('Lake integrity', markdown);
    } finally {
      await runtime.close();
    }
  } finally {
    t.cleanup();
  }
}

await main();
