import { resolve } from 'node:path';
import type { CommandDefinition } from '../../framework/index.js';
import { dataFolders, ShopflowError } from '../../framework/index.js';
import { SIMULATION_DEFAULTS } from '../raw/simulator/simulator-options.js';
import {
  type GeneratorConfig,
  GeneratorConfigSchema,
  readGeneratorConfig,
} from '../resources/generator-settings.js';

/** The command's flags for the fields of `resources.generator` they override. */
const FLAGS = {
  seed: 'seed',
  scale: 'scale',
  start: 'start',
  days: 'days',
  defectRate: 'defect-rate',
} as const;
type FlagField = keyof typeof FLAGS;

/**
 * The generator fields given as flags, checked by the same rules as `resources.generator`; a bad
 * value is a `SF_BAD_USAGE` naming the flag, the value and what it must be.
 */
function flagOverrides(options: Record<string, unknown>): Partial<Pick<GeneratorConfig, FlagField>> {
  const given = Object.fromEntries(
    (Object.keys(FLAGS) as FlagField[])
      .filter((field) => options[field] !== undefined)
      .map((field) => [field, options[field]]),
  );
  const parsed = GeneratorConfigSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path[0] as FlagField;
    const flag = FLAGS[field] ?? String(field);
    throw new ShopflowError('SF_BAD_USAGE', `--${flag} ${String(options[field])}: ${issue.message}`, {
      hint: `give --${flag} a valid value (e.g. ${flagExample(field)}), or leave it out to use \`resources.generator.${String(field)}\``,
    });
  }
  return Object.fromEntries(Object.keys(given).map((field) => [field, parsed.data[field as FlagField]]));
}

function flagExample(field: FlagField): string {
  return {
    seed: '--seed 42',
    scale: '--scale 2',
    start: '--start 2024-01-01',
    days: '--days 90',
    defectRate: '--defect-rate 0.02',
  }[field];
}

/** `shopflow generate`: writes the simulated source extract (defaults from `resources.generator`). */
export const generateCommand: CommandDefinition = {
  name: 'generate',
  description: 'write the simulated source files (customers, products, transactions, clickstream)',
  options: [
    {
      flags: '--scale <factor>',
      description: 'multiply the default sizes (1,000 customers, 500 products, 5,000 transactions)',
    },
    { flags: '--seed <n>', description: 'random seed; the same seed gives the same bytes' },
    { flags: '--start <date>', description: 'first simulated day, YYYY-MM-DD' },
    {
      flags: '--days <n>',
      description: 'number of days from the start (default: resources.generator.days, else 90)',
    },
    { flags: '--defect-rate <rate>', description: 'share of rows deliberately malformed (0 disables)' },
    { flags: '--out <dir>', description: 'output folder (default: data.rawDir, <home>/raw)' },
  ],
  async run(context, _args, options) {
    const defaults = readGeneratorConfig(context.config);
    const flags = flagOverrides(options);
    const out = resolve(
      context.cwd,
      (options.out as string | undefined) ?? dataFolders(context.config).rawDir,
    );
    const started = Date.now();
    // NOTE: the simulator (and Faker) load only when this command runs, not with the definitions.
    const { generateShopflowData } = await import('../raw/simulator/generate-shopflow-data.js');
    const summary = await generateShopflowData({
      out,
      seed: flags.seed ?? defaults.seed,
      scale: flags.scale ?? defaults.scale,
      start: flags.start ?? defaults.start,
      days: flags.days ?? defaults.days ?? SIMULATION_DEFAULTS.days,
      defectRate: flags.defectRate ?? defaults.defectRate,
      onProgress:
        context.stdout.isTTY && !context.json
          ? (p) => context.stdout.write(`\r${p.file}: ${p.rows.toLocaleString('en-US')} rows   `)
          : undefined,
    });
    if (context.stdout.isTTY && !context.json) context.stdout.write('\r\u001b[2K');
    if (context.json) {
      context.stdout.write(
        `${JSON.stringify({ out: summary.out, manifest: summary.manifest, defects: summary.defects, elapsedMs: summary.elapsedMs })}\n`,
      );
      return 0;
    }
    const lines = Object.entries(summary.manifest.files)
      .filter(([, f]) => f.rows !== undefined)
      .map(([file, f]) => `  ${file.padEnd(18)} ${String(f.rows).padStart(10)} rows`);
    context.stdout.write(
      `Wrote ${summary.out} in ${((Date.now() - started) / 1000).toFixed(1)} s:\n${lines.join('\n')}\n  ${summary.defects.total} injected defect${summary.defects.total === 1 ? '' : 's'}, listed in _defects.json\n`,
    );
    return 0;
  },
};
