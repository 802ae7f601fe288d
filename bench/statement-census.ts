/**
 * Every DuckDB statement of the whole ShopFlow graph, counted by kind: a full run in this process
 * (90 days from 2024-01-01, concurrency 4, a fresh home) with the statements traced, then the
 * statements per step, the most frequent kinds (literals and names folded), the statements per
 * step of each asset, and a digest of every data version (those that vary from run to run left
 * out: `versionVariesByRun`) to compare two versions of the code.
 *
 *   npx tsx bench/statement-census.ts [scale] [versions-file]
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import shopflow from '../assets/definitions.js';
import {
  inProcessLauncher,
  ShopflowConfigSchema,
  ShopflowRuntime,
  type StepLauncher,
  setDuckDbTrace,
} from '../framework/index.js';
import { stopEmbeddedPostgres } from '../resources/postgres/embedded-postgres-server.js';
import { versionVariesByRun } from './benchmark-report.js';

const home = mkdtempSync(join(tmpdir(), 'shopflow-census-'));
// NOTE: the embedded PostgreSQL runs as its own user, which must be able to enter the home.
chmodSync(home, 0o755);
const config = ShopflowConfigSchema.parse({
  env: 'bench',
  home,
  executor: { concurrency: 4 },
  logging: { level: 'warn' },
  data: { rawDir: join(home, 'raw'), logsDir: join(home, 'logs') },
  resources: {
    postgres: { mode: 'embedded' },
    objectStore: { type: 'local', path: join(home, 'landing') },
    generator: { scale: Number(process.argv[2] ?? 1), start: '2024-01-01', days: 90 },
  },
});
const current = new AsyncLocalStorage<{ asset: string }>();
const kinds = new Map<string, { n: number; ms: number }>();
const perAsset = new Map<string, { steps: number; n: number }>();
let total = 0;
setDuckDbTrace((e) => {
  total++;
  const s = current.getStore();
  const k =
    (s ? '' : '[nostep] ') +
    e.sql
      .replace(/\s+/g, ' ')
      .replace(/'[^']*'/g, "'?'")
      .slice(0, 60);
  const v = kinds.get(k) ?? { n: 0, ms: 0 };
  v.n++;
  v.ms += e.ms;
  kinds.set(k, v);
  if (s) perAsset.get(s.asset)!.n++;
});
const runtime = await ShopflowRuntime.open({
  config,
  definitions: shopflow,
  log: pino({ level: 'silent' }),
  now: () => new Date('2024-04-02T00:00:00Z'),
});
const plan = await runtime.plan();
const inner = inProcessLauncher(runtime.services);
const launcher: StepLauncher = {
  launch: async (step) => {
    const p = perAsset.get(step.assetKey) ?? { steps: 0, n: 0 };
    p.steps++;
    perAsset.set(step.assetKey, p);
    return await current.run({ asset: step.assetKey }, () => inner.launch(step));
  },
};
const t = performance.now();
const result = await runtime.execute(plan, { launcher });
// NOTE: a failed step leaves its downstream unmaterialized, which the digest would hide.
if (result.status !== 'success') console.log('run', result.status, result.error);
console.log(
  'wall',
  ((performance.now() - t) / 1000).toFixed(1),
  's steps',
  plan.steps.length,
  'statements',
  total,
  (total / plan.steps.length).toFixed(2),
  '/step',
);
for (const [k, v] of [...kinds].sort((a, b) => b[1].n - a[1].n).slice(0, 40))
  console.log(String(v.n).padStart(6), (v.ms / 1000).toFixed(2).padStart(7), 's ', k);
for (const [k, v] of [...perAsset].sort((a, b) => b[1].n / b[1].steps - a[1].n / a[1].steps).slice(0, 30))
  console.log(k.padEnd(34), (v.n / v.steps).toFixed(1));
const states = (await runtime.store.listPlannerStates())
  .filter((s) => s.materializationId)
  .map((s) => `${s.assetKey}|${s.partitionKey ?? ''}|${s.dataVersion}`)
  .sort();
const { createHash } = await import('node:crypto');
const { writeFileSync } = await import('node:fs');
if (process.argv[3]) writeFileSync(process.argv[3], `${states.join('\n')}\n`);
const kept = states.filter((line) => !versionVariesByRun(line.slice(0, line.indexOf('|'))));
console.log(
  'data versions',
  states.length,
  'digest (run-dependent ones left out)',
  createHash('sha256')
    .update(`${kept.join('\n')}\n`)
    .digest('hex')
    .slice(0, 16),
);
await runtime.close();
await stopEmbeddedPostgres(join(home, 'postgres')).catch(() => {});
rmSync(home, { recursive: true, force: true });
