// Preload for `node --import`: when SHOPFLOW_RECORD_IMPORTS names a file, appends to it the URL of
// every module the process resolves through `import` and, at exit, the path of every CommonJS module
// it loaded (`require`), one per line. Tests use it to prove which packages a command loads.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.SHOPFLOW_RECORD_IMPORTS;
if (file) {
  register('./record-imports-hooks.mjs', import.meta.url);
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    appendFileSync(
      file,
      Object.keys(cache)
        .map((path) => `${path}\n`)
        .join(''),
    );
  });
}
