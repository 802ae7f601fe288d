import { resolve } from 'node:path';
import type { CommandDefinition } from '../../framework/index.js';
import { dataFolders, ShopflowError, validateSection } from '../../framework/index.js';
import { SIMULATION_DEFAULTS } from '../raw/simulator/simulator-options.js';
import { GeneratorConfigSchema } from '../resources/generator-settings.js';

function numberOption(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) {
    throw new ShopflowError('SF_BAD_USAGE', `--${name} ${String(value)} is not a number`, {
      hint: `e.g. --${name} 2`,
    });
  }
  return n;
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
    const defaults = validateSection(context.config, 'generator', GeneratorConfigSchema.prefault({}));
    const out = resolve(
      context.cwd,
      (options.out as string | undefined) ?? dataFolders(context.config).rawDir,
    );
    const started = Date.now();
    // NOTE: the simulator (and Faker) load only when this command runs, not with the definitions.
    const { generateShopflowData } = await import('../raw/simulator/generate-shopflow-data.js');
    const summary = await generateShopflowData({
      out,
      seed: numberOption('seed', options.seed) ?? defaults.seed,
      scale: numberOption('scale', options.scale) ?? defaults.scale,
      start: (options.start as string | undefined) ?? defaults.start,
      days: numberOption('days', options.days) ?? defaults.days ?? SIMULATION_DEFAULTS.days,
      defectRate: numberOption('defect-rate', options.defectRate) ?? defaults.defectRate,
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
      `Wrote ${summary.out} in ${((Date.now() - started) / 1000).toFixed(1)} s:\n${lines.join('\n')}\n  ${summary.defects.total} injected defects, listed in _defects.json\n`,
    );
    return 0;
  },
};
