import { Command, CommanderError } from 'commander';
import type { CommandDefinition } from '../definitions/define-definitions.js';
import { isShopflowError } from '../errors/error-catalog.js';
import { storageFault } from '../errors/storage-fault.js';
import { type CliIo, CliSession, type GlobalOptions } from './cli-session.js';
import { ignoreClosedPipe } from './closed-pipe.js';
import type { CommandRunner } from './command-runner.js';
import { registerAssetsCommand } from './commands/assets-command.js';
import { registerCatalogCommand } from './commands/catalog-command.js';
import { registerChecksCommand } from './commands/checks-command.js';
import { registerCompactCommand } from './commands/compact-command.js';
import { registerDocsCommand } from './commands/docs-command.js';
import { registerDoctorCommand } from './commands/doctor-command.js';
import { registerExplainCommand } from './commands/explain-command.js';
import { registerLineageCommand } from './commands/lineage-command.js';
import { registerMaterializeCommand } from './commands/materialize-command.js';
import { registerPlanCommand } from './commands/plan-command.js';
import { registerRunsCommand } from './commands/runs-command.js';
import { registerShowCommand } from './commands/show-command.js';
import { registerSweepCommand } from './commands/sweep-command.js';
import { registerWorkerCommand } from './commands/worker-command.js';

function defaultIo(): CliIo {
  ignoreClosedPipe(process.stdout);
  ignoreClosedPipe(process.stderr);
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}

function reportError(io: CliIo, thrown: unknown, json: boolean): number {
  // NOTE: a full disk or a locked store is an expected fault wherever it surfaces: said as what it
  // is, without a stack trace.
  const error = storageFault(thrown) ?? thrown;
  if (isShopflowError(error)) {
    if (json) io.stderr.write(`${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`);
    else io.stderr.write(`error [${error.code}]: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`unexpected error: ${message}\n`);
  return 1;
}

/** Registers a command contributed by the definitions (e.g. `generate`, `db setup`). */
function registerContributed(
  program: Command,
  definition: CommandDefinition,
  run: CommandRunner,
  session: () => CliSession,
) {
  const names = definition.name.split(' ');
  let parent = program;
  for (const name of names.slice(0, -1)) {
    parent =
      parent.commands.find((c) => c.name() === name) ?? parent.command(name).description(`${name} commands`);
  }
  const command = parent.command(names[names.length - 1]).description(definition.description);
  for (const arg of definition.arguments ?? [])
    command.argument(arg.required ? `<${arg.name}>` : `[${arg.name}]`, arg.description);
  for (const option of definition.options ?? [])
    command.option(option.flags, option.description, option.defaultValue);
  command.option('--json', 'machine-readable output');
  command.action((...received: unknown[]) => {
    // NOTE: with the parents' options, so `schedules pause NAME --json` sees the `--json` that
    // commander hands to the parent `schedules` command.
    const options = {
      ...(received[received.length - 1] as Command).optsWithGlobals(),
      ...(received[received.length - 2] as Record<string, unknown>),
    };
    const args = received.slice(0, received.length - 2).map((a) => a as string);
    return run(options, async (s) =>
      definition.run(
        {
          config: s.config(),
          home: s.config().home,
          log: s.log(),
          stdout: s.io.stdout,
          stderr: s.io.stderr,
          json: s.json,
          cwd: s.io.cwd,
          runtime: () => s.runtime(),
          resource: async (r) => (await s.runtime()).resources.get(r),
        },
        args,
        options,
      ),
    );
  });
  void session;
}

/**
 * The `shopflow` command line. Returns the exit code: 0 success, 1 a step or blocking check failed,
 * 2 bad usage or configuration.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let exitCode = 0;
  let active: CliSession | undefined;
  const program = new Command('shopflow')
    .description('ShopFlow: a typed asset graph for e-commerce analytics')
    .option('--config <file>', 'configuration file (default: config/$SHOPFLOW_ENV.yaml, dev when unset)')
    .option(
      '--home <dir>',
      'home folder of the instance database and the lake (default: $SHOPFLOW_HOME or .shopflow)',
    )
    .option('--definitions <module>', 'module exporting the definitions (default: the ShopFlow pipeline)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showSuggestionAfterError(true);

  const session = () => {
    active ??= new CliSession(program.opts<GlobalOptions>(), io);
    return active;
  };
  const run: CommandRunner = async (commandOptions, body) => {
    const s = session();
    s.options.json = commandOptions.json === true;
    try {
      exitCode = await body(s);
    } catch (error) {
      exitCode = reportError(io, error, s.json);
    }
  };

  registerAssetsCommand(program, run);
  registerPlanCommand(program, run);
  registerMaterializeCommand(program, run);
  registerShowCommand(program, run);
  registerChecksCommand(program, run);
  registerLineageCommand(program, run);
  registerRunsCommand(program, run);
  registerCompactCommand(program, run);
  registerSweepCommand(program, run);
  registerDocsCommand(program, run);
  registerCatalogCommand(program, run);
  registerDoctorCommand(program, run);
  registerExplainCommand(program, run);
  registerWorkerCommand(program, run);

  // NOTE: contributed commands need the definitions, but `--help` and built-in commands must not
  // fail when the definitions cannot load; so they are registered only when the first argument
  // is not a built-in command.
  const builtIn = new Set(program.commands.map((c) => c.name()));
  const first = argv.find((a) => !a.startsWith('-'));
  if (!first || !builtIn.has(first)) {
    try {
      const preliminary = new Command()
        .helpOption(false)
        .allowUnknownOption()
        .allowExcessArguments()
        .exitOverride();
      preliminary.option('--config <file>').option('--home <dir>').option('--definitions <module>');
      preliminary.parse(argv, { from: 'user' });
      const definitions = await new CliSession(preliminary.opts<GlobalOptions>(), io).definitions();
      for (const command of definitions.commands) registerContributed(program, command, run, session);
    } catch (error) {
      if (first && !builtIn.has(first)) return reportError(io, error, false);
    }
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return 0;
      return 2;
    }
    exitCode = reportError(io, error, false);
  } finally {
    await active?.close();
  }
  return exitCode;
}
