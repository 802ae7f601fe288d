// Transpiles every TypeScript source file to dist/ (no bundling, one output per input), and bundles
// the packages in VENDORED into dist/vendor/ for the compiled files to import (see below).
// Type checking is separate (`npm run typecheck`); this only strips types, so it takes well under a second.
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const roots = [
  'framework',
  'resources',
  'assets',
  'checks',
  'schedules',
  'server',
  'bench',
  'tests/fixtures',
  'tests/support',
];

function collect(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const entryPoints = roots.flatMap((root) => collect(root, []));
// NOTE: build beside dist/ and swap it in, so processes running from dist/ (tests spawning the CLI)
// never see a half-written or missing tree.
const next = `dist.${process.pid}`;
rmSync(next, { recursive: true, force: true });
await build({
  entryPoints,
  outdir: next,
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
// NOTE: Kysely ships as about 280 ES modules, and loading them took 137-157 ms of every command that
// opens the instance store; bundled into one file it loads in 13-20 ms. The compiled files import
// that copy instead (the sources, run by tests and benches through tsx, import the package).
const VENDORED = ['kysely'];
for (const name of VENDORED) {
  await build({
    entryPoints: [fileURLToPath(import.meta.resolve(name))],
    bundle: true,
    outfile: join(next, 'vendor', `${name}.js`),
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
}
// NOTE: the compiled files are the entry points' outputs (one per input, `outbase` '.').
for (const source of entryPoints) {
  const path = join(next, source.replace(/\.ts$/, '.js'));
  const text = readFileSync(path, 'utf8');
  let changed = text;
  for (const name of VENDORED) {
    let target = relative(dirname(path), join(next, 'vendor', `${name}.js`));
    if (!target.startsWith('.')) target = `./${target}`;
    changed = changed
      .replaceAll(`from "${name}"`, `from "${target}"`)
      .replaceAll(`import("${name}")`, `import("${target}")`);
  }
  if (changed !== text) writeFileSync(path, changed);
}
// Static assets the server and the warehouse need at run time.
for (const dir of ['server/public']) {
  if (existsSync(dir)) cpSync(dir, join(next, dir), { recursive: true });
}
const old = `dist.old.${process.pid}`;
if (existsSync('dist')) renameSync('dist', old);
renameSync(next, 'dist');
rmSync(old, { recursive: true, force: true });
