// Installs DuckDB extensions into the current user's extension folder (~/.duckdb/extensions) and
// loads each once to prove it works; the container image runs it at build time so that nothing is
// downloaded at run time:
//
//   node scripts/install-duckdb-extensions.mjs httpfs
//
// Exit codes: 0 installed, 1 an extension could not be downloaded or loaded, 2 bad usage.
import { DuckDBInstance } from '@duckdb/node-api';

const names = process.argv.slice(2);
const bad = names.find((name) => !/^[a-z][a-z0-9_]*$/.test(name));
if (names.length === 0 || bad !== undefined) {
  process.stderr.write(
    `${bad === undefined ? 'no extension named' : `extension name ${JSON.stringify(bad)} is not valid`}: ` +
      'fix: pass DuckDB extension names in lower case, e.g. `node scripts/install-duckdb-extensions.mjs httpfs`\n',
  );
  process.exit(2);
}

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
let failed = false;
for (const name of names) {
  try {
    await connection.run(`INSTALL ${name}`);
    await connection.run(`LOAD ${name}`);
    process.stdout.write(`installed DuckDB extension ${name}\n`);
  } catch (error) {
    failed = true;
    process.stderr.write(
      `cannot install DuckDB extension ${name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n` +
        "  fix: the build needs to reach extensions.duckdb.org (or set DuckDB's custom_extension_repository to a mirror)\n",
    );
  }
}
connection.closeSync();
process.exit(failed ? 1 : 0);
