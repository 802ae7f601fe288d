// Builds dist/ with esbuild. Type checking is separate (`npm run typecheck`); this only strips types
// and links modules, so it takes well under two seconds.
//
// - The product (PRODUCT folders) is bundled with code splitting: each entry point keeps its path
//   (dist/framework/cli/run-cli.js, dist/framework/index.js, …) and the code they share lives in
//   dist/chunks/. A command used to load about 400 of our modules and 200 of light packages one
//   file at a time; it now loads a few dozen chunks (`shopflow --help` 0.50 -> 0.29 s, see
//   docs/benchmarks.md, CLI start-up). Packages stay in node_modules except the light, pure
//   JavaScript ones in INLINE, which are bundled into the chunks.
// - The entry points are the modules started or imported by path from outside the bundle (ENTRIES)
//   and every product module that the other compiled folder (OUTSIDE: the test fixtures, which
//   CLI tests load as definitions) imports. That folder is compiled one output per input, as
//   before, so it imports the bundle's entry points and shares its module instances (one registry,
//   one class per error). A product module that is neither is not in dist/ on its own: importing it
//   fails loudly instead of loading a second copy of the framework. Benches and test helpers run
//   from the TypeScript sources (tsx, vitest) and are not built.
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
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

// NOTE: the folders of the product, also read by the built-tree test and the benches' staleness check.
const PRODUCT = JSON.parse(readFileSync(new URL('./product-folders.json', import.meta.url), 'utf8'));
const OUTSIDE = ['tests/fixtures'];
// NOTE: bin/shopflow.js imports the CLI; the definitions are imported by path (loadDefinitions);
// the clickstream worker and the web page's files are found by path at run time.
const ENTRIES = [
  'framework/cli/run-cli.ts',
  'framework/index.ts',
  'schedules/index.ts',
  'assets/definitions.ts',
  'assets/raw/simulator/clickstream-worker.ts',
];
// Pure JavaScript packages every command loads (Kysely's 280 modules, Zod's 95, YAML's 70, …).
const INLINE = new Set(['kysely', 'zod', 'yaml', 'commander', 'cron-parser', 'luxon']);

function collect(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** The product modules the OUTSIDE files import by relative path, as source paths. */
function importedFromOutside(files) {
  const found = new Set();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = relative('.', resolve(dirname(file), match[1])).replace(/\.js$/, '.ts');
      if (PRODUCT.some((root) => target.startsWith(`${root}/`)) && existsSync(target)) found.add(target);
    }
  }
  return [...found];
}

/** The package a bare import names (`@scope/name` or `name`). */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const outside = OUTSIDE.flatMap((root) => collect(root, []));
const entryPoints = [...new Set([...ENTRIES, ...importedFromOutside(outside)])].filter((path) =>
  existsSync(path),
);
// NOTE: build beside dist/ and swap it in, so processes running from dist/ (tests spawning the CLI)
// never see a half-written or missing tree.
const next = `dist.${process.pid}`;
rmSync(next, { recursive: true, force: true });
const common = {
  outdir: next,
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
};
const product = await build({
  ...common,
  entryPoints,
  bundle: true,
  metafile: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // NOTE: the inlined CommonJS packages (commander, yaml, …) call `require` for Node's modules.
  banner: {
    js: "import { createRequire as __shopflowRequire } from 'node:module';\nconst require = __shopflowRequire(import.meta.url);",
  },
  plugins: [
    {
      name: 'external-packages',
      setup(builder) {
        builder.onResolve({ filter: /^[^./]/ }, (args) =>
          INLINE.has(packageOf(args.path)) ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
});
if (outside.length > 0) await build({ ...common, entryPoints: outside });
// NOTE: which inlined packages each output file holds, for tools that ask which packages a command
// loaded (tests/integration/cli/cli-startup.test.ts): a chunk's path no longer says it.
const inlined = {};
for (const [output, { inputs }] of Object.entries(product.metafile.outputs)) {
  const packages = new Set();
  for (const input of Object.keys(inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packages.add(match[1]);
  }
  if (packages.size > 0) inlined[relative(next, output)] = [...packages].sort();
}
writeFileSync(join(next, 'inlined-packages.json'), `${JSON.stringify(inlined, null, 1)}\n`);
// Static files the web server serves.
for (const dir of ['server/public']) {
  if (existsSync(dir)) cpSync(dir, join(next, dir), { recursive: true });
}
const old = `dist.old.${process.pid}`;
if (existsSync('dist')) renameSync('dist', old);
renameSync(next, 'dist');
rmSync(old, { recursive: true, force: true });
