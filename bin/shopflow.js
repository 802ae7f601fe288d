#!/usr/bin/env node
import { runCli } from '../dist/framework/cli/run-cli.js';

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// NOTE: some dependencies register exit hooks that call process.exit(0) on 'beforeExit'; the exit
// code of the command must survive them.
process.on('exit', () => {
  process.exitCode = code;
});
