/**
 * What a plan costs the landing zone: observing the landed objects that bronze days read, on the S3
 * API (s3rver on loopback, behind a counting proxy; a bucket without versioning, so the store keeps
 * version manifests), side by side in one process:
 *
 *   npx tsx bench/landing-observe-bench.ts [days] [--runs N] [--write]
 *
 * (a) inputs recorded without the objects' fingerprints (as bronze recorded them before): each is
 *     checked by key, a HEAD and its version manifest; (b) inputs recorded with them: one listing
 *     per month of landing keys serves every object that is still the one read. Both observe all
 *     four bronze assets over `days` days (four objects a day) with nothing changed; requests are
 *     counted at the proxy, times are medians of `runs` rounds alternating which goes first.
 */
import { bronzeAssets } from '../assets/bronze/bronze-from-landing.js';
import type { ExternalInput } from '../framework/index.js';
import { createObjectStore } from '../resources/object-store/create-object-store.js';
import { landingKey } from '../resources/object-store/landing-keys.js';
import type { ObjectStore } from '../resources/object-store/object-store.js';
import { startFaultyProxy } from '../tests/support/faulty-proxy.js';
import { startTestS3 } from '../tests/support/test-s3.js';
import { benchArgs, machine, median, writeBenchmarkSection } from './benchmark-report.js';

const args = benchArgs(process.argv.slice(2));
const days = args.positional(90);
const runs = args.option('--runs', 5);
const write = args.flag('--write');

const FILES = {
  customers: 'customers.csv',
  products: 'products.csv',
  transactions: 'transactions.csv',
  clickstream: 'clickstream.jsonl',
} as const;

function dayAt(n: number): string {
  return new Date(Date.UTC(2024, 0, 1 + n)).toISOString().slice(0, 10);
}

/** Lands `days` days of four small objects; returns what bronze records of each, by dataset and day. */
async function land(store: ObjectStore): Promise<Map<string, Map<string, ExternalInput>>> {
  const recorded = new Map<string, Map<string, ExternalInput>>();
  for (const dataset of Object.keys(FILES) as Array<keyof typeof FILES>) recorded.set(dataset, new Map());
  for (let d = 0; d < days; d++) {
    const date = dayAt(d);
    for (const [dataset, file] of Object.entries(FILES) as Array<[keyof typeof FILES, string]>) {
      const key = landingKey({ date, dataset, file });
      const put = await store.put(key, `id\n${d}\n${dataset}\n`);
      const info = await store.head(key);
      recorded.get(dataset)!.set(date, {
        name: key,
        fingerprint: put.sha256,
        probe: { versionId: put.versionId, ...(info?.fingerprint ? { fingerprint: info.fingerprint } : {}) },
      });
    }
  }
  return recorded;
}

/** One observation of every bronze day, as a plan makes it; returns whether any input changed. */
async function observe(
  store: ObjectStore,
  recorded: Map<string, Map<string, ExternalInput>>,
  withFingerprints: boolean,
): Promise<number> {
  const shared = new Map<string, Promise<unknown>>();
  const context = {
    resource: async <T>() => store as T,
    shared: <T>(name: string, create: () => Promise<T>) => {
      if (!shared.has(name)) shared.set(name, create());
      return shared.get(name) as Promise<T>;
    },
  };
  let changed = 0;
  await Promise.all(
    bronzeAssets.map(async (asset) => {
      const dataset = asset.key.replace('bronze_', '');
      for (const [date, input] of recorded.get(dataset)!) {
        const probe = withFingerprints ? input.probe : { versionId: input.probe!.versionId };
        const [seen] = await asset.observeInputs!({
          partitionKey: date,
          recorded: [{ ...input, probe }],
          ...context,
        });
        if (seen.fingerprint !== input.fingerprint) changed++;
      }
    }),
  );
  return changed;
}

const s3 = await startTestS3();
const proxy = await startFaultyProxy(s3.endpoint);
const store = createObjectStore({ ...s3.config, endpoint: proxy.endpoint });
try {
  const recorded = await land(store);
  const times = { perKey: [] as number[], listed: [] as number[] };
  const requests = { perKey: 0, listed: 0 };
  for (let round = 0; round < runs; round++) {
    const order: Array<keyof typeof times> = round % 2 === 0 ? ['perKey', 'listed'] : ['listed', 'perKey'];
    for (const mode of order) {
      proxy.reset();
      const started = performance.now();
      const changed = await observe(store, recorded, mode === 'listed');
      times[mode].push(performance.now() - started);
      requests[mode] = proxy.count();
      if (changed !== 0) throw new Error(`${mode}: ${changed} inputs seen as changed, none was`);
    }
  }
  const objects = days * 4;
  const perKey = median(times.perKey);
  const listed = median(times.listed);
  const report = `## Observing the landing zone (\`bench/landing-observe-bench.ts\`)

\`npx tsx bench/landing-observe-bench.ts ${days} --runs ${runs}\` — ${machine()}; s3rver on loopback behind a counting proxy, a bucket without versioning; medians of ${runs} rounds alternating which goes first. Observing the four bronze assets over ${days} days (${objects} landed objects, none changed; the four assets at once, the days of each one after another):

| | requests | time (s3rver on loopback) |
|---|---:|---:|
| (a) each object by key (inputs recorded without the objects' fingerprints) | ${requests.perKey} | ${perKey.toFixed(0)} ms |
| (b) one listing per month, objects still the ones read need nothing else | ${requests.listed} | ${listed.toFixed(0)} ms |
| (a) ÷ (b) | ${(requests.perKey / requests.listed).toFixed(0)}× | ${(perKey / listed).toFixed(1)}× |

A loopback request costs about a millisecond; a request to a real S3 endpoint tens of them, so the
count of requests is the figure that carries over.
`;
  console.log(report);
  if (write) writeBenchmarkSection('landing-observe', report);
} finally {
  await store.close();
  await proxy.stop();
  await s3.stop();
}
