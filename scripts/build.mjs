// Transpiles every TypeScript source file to dist/ (no bundling, one output per input).
// Type checking is separate (`npm run typecheck`); this only strips types, so it takes well under a second.
import { cpSync, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
// Static assets the server and the warehouse need at run time.
for (const dir of ['server/public']) {
  if (existsSync(dir)) cpSync(dir, join(next, dir), { recursive: true });
}
const old = `dist.old.${process.pid}`;
if (existsSync('dist')) renameSync('dist', old);
renameSync(next, 'dist');
rmSync(old, { recursive: true, force: true });
