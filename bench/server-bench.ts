/**
 * Web server benchmark: a synthetic 1,000-asset graph (seeded, up to 3 random upstreams each, one
 * asset in ten partitioned daily), half of it materialized in a temporary SQLite instance, served
 * on 127.0.0.1; autocannon drives each endpoint with 50 connections for 10 s, three times, and the
 * median of the three runs' p50, p99 and requests/s is reported. `/api/health` (no status work) is
 * the baseline in the same run; "uncached" recomputes the status summary whenever the previous
 * computation has finished (the cache's maximum age set to 0).
 *
 *   npx tsx bench/server-bench.ts [--duration 10] [--runs 3] [--connections 50]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { z } from 'zod';
import {
  type AnyAsset,
  daily,
  defineAsset,
  defineDefinitions,
  materialized,
  ShopflowConfigSchema,
  ShopflowRuntime,
  summarizeAssetStatus,
} from '../framework/index.js';
import { createServer } from '../server/create-server.js';
import { machine, median } from './benchmark-report.js';

interface AutocannonResult {
  latency: { p50: number; p99: number };
  requests: { average: number };
  errors: number;
  non2xx: number;
}
// NOTE: autocannon ships no type declarations; this is the part of its programmatic API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
}) => Promise<AutocannonResult>;

const ASSETS = 1_000;
const MAX_DEPS = 3;
const NOW = new Date('2024-01-15T06:00:00.000Z');

export interface EndpointResult {
  name: string;
  path: string;
  /** Medians over the runs. */
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
  /** Errors and non-2xx answers over all runs. */
  failures: number;
}

export interface ServerBenchResult {
  assets: number;
  edges: number;
  materializedSteps: number;
  /** One `summarizeAssetStatus` over the whole graph, median of 5. */
  statusSummaryMs: number;
  endpoints: EndpointResult[];
  machine: string;
}

/** A deterministic pseudo-random generator (LCG) so every run builds the same graph. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** 1,000 assets in 12 groups; each reads up to 3 of the 80 assets declared before it. */
export function syntheticAssets(count = ASSETS, seed = 42): AnyAsset[] {
  const random = seeded(seed);
  const schema = z.object({ id: z.int(), value: z.number() });
  const partitions = daily({ start: '2024-01-01', timezone: 'UTC' });
  const assets: AnyAsset[] = [];
  for (let i = 0; i < count; i++) {
    const deps: Record<string, AnyAsset> = {};
    const wanted = i === 0 ? 0 : Math.floor(random() * (MAX_DEPS + 1));
    for (let d = 0; d < wanted; d++) {
      const upstream = assets[Math.max(0, i - 1 - Math.floor(random() * Math.min(i, 80)))];
      deps[`in_${upstream.key}`] = upstream;
    }
    const failing = i % 97 === 13;
    assets.push(
      defineAsset({
        key: `asset_${String(i).padStart(4, '0')}`,
        group: `group_${String(Math.floor(random() * 12)).padStart(2, '0')}`,
        description: `Synthetic asset ${i} with ${Object.keys(deps).length} upstream assets.`,
        schema,
        deps,
        partitions: random() < 0.1 ? partitions : undefined,
        tags: i % 10 === 0 ? ['report'] : [],
        materialize: () => {
          if (failing) throw new Error('synthetic failure');
          return materialized({ rowCount: 100 + i, metadata: { synthetic: true } });
        },
      }),
    );
  }
  return assets;
}

async function measure(
  url: string,
  headers: Record<string, string>,
  runs: number,
  connections: number,
  duration: number,
) {
  const results: AutocannonResult[] = [];
  for (let run = 0; run < runs; run++)
    results.push(await autocannon({ url, connections, duration, headers }));
  return {
    p50Ms: median(results.map((r) => r.latency.p50)),
    p99Ms: median(results.map((r) => r.latency.p99)),
    requestsPerSecond: median(results.map((r) => r.requests.average)),
    failures: results.reduce((sum, r) => sum + r.errors + r.non2xx, 0),
  };
}

/** Builds the instance, starts the server and measures every endpoint. */
export async function runServerBench(
  options: { duration?: number; runs?: number; connections?: number } = {},
): Promise<ServerBenchResult> {
  const duration = options.duration ?? 10;
  const runs = options.runs ?? 3;
  const connections = options.connections ?? 50;
  const home = mkdtempSync(join(tmpdir(), 'shopflow-server-bench-'));
  const log = pino({ level: 'silent' });
  const definitions = defineDefinitions({ assets: syntheticAssets() });
  const config = ShopflowConfigSchema.parse({
    env: 'test',
    home,
    instance: { type: 'sqlite', path: join(home, 'instance.db') },
    lake: { type: 'local', path: join(home, 'lake') },
    executor: { concurrency: 2 },
  });
  const runtime = await ShopflowRuntime.open({
    config,
    definitions,
    log,
    now: () => NOW,
    sleep: async () => {},
  });
  const servers: FastifyInstance[] = [];
  try {
    const half = definitions.graph.toposorted().slice(0, ASSETS / 2);
    const plan = await runtime.plan({ selection: half.join(',') });
    await runtime.execute(plan, { concurrency: 4 });

    const timings: number[] = [];
    for (let i = 0; i < 5; i++) {
      const states = await runtime.store.listAssetPartitionStates();
      const started = performance.now();
      summarizeAssetStatus(runtime.graph, states, NOW);
      timings.push(performance.now() - started);
    }

    const start = async (statusMaxAgeMs?: number) => {
      const app = createServer({ runtime, host: '127.0.0.1', port: 0, log, statusMaxAgeMs });
      servers.push(app);
      await app.listen({ host: '127.0.0.1', port: 0 });
      return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    };
    const cached = await start();
    const uncached = await start(0);
    const focus = half[Math.floor(half.length / 2)];
    const gzip = { 'accept-encoding': 'gzip' };
    const targets = [
      { name: 'baseline: /api/health', url: cached, path: '/api/health', headers: {} },
      { name: 'graph (cached status)', url: cached, path: '/api/graph', headers: {} },
      { name: 'graph (cached status, gzip)', url: cached, path: '/api/graph', headers: gzip },
      { name: 'graph (uncached status)', url: uncached, path: '/api/graph', headers: {} },
      { name: 'graph focus, depth 2', url: cached, path: `/api/graph?focus=${focus}&depth=2`, headers: {} },
    ];
    const endpoints: EndpointResult[] = [];
    for (const target of targets) {
      endpoints.push({
        name: target.name,
        path: target.path,
        ...(await measure(target.url + target.path, target.headers, runs, connections, duration)),
      });
    }
    return {
      assets: ASSETS,
      edges: definitions.graph.assets.reduce((sum, a) => sum + definitions.graph.upstream(a.key).length, 0),
      materializedSteps: plan.steps.length,
      statusSummaryMs: median(timings),
      endpoints,
      machine: machine(),
    };
  } finally {
    for (const app of servers) await app.close();
    await runtime.close();
    rmSync(home, { recursive: true, force: true });
  }
}

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runServerBench({
    duration: flag('duration', 10),
    runs: flag('runs', 3),
    connections: flag('connections', 50),
  });
  const health = result.endpoints[0].requestsPerSecond;
  console.log(
    `Web server: ${result.assets} assets, ${result.edges} edges, ${result.materializedSteps} steps materialized; ${result.machine}`,
  );
  console.log(
    `summarizeAssetStatus over the whole graph: ${result.statusSummaryMs.toFixed(1)} ms (median of 5)`,
  );
  console.log('| endpoint | p50 ms | p99 ms | requests/s | vs baseline | failures |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const e of result.endpoints) {
    console.log(
      `| ${e.name} | ${e.p50Ms} | ${e.p99Ms} | ${Math.round(e.requestsPerSecond)} | ${(e.requestsPerSecond / health).toFixed(2)}× | ${e.failures} |`,
    );
  }
}
