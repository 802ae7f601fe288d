import { z } from 'zod';
import { dataFolders, defineResource, ShopflowError, validateSection } from '../../framework/index.js';
import { SIMULATION_DEFAULTS } from '../raw/simulator/simulator-options.js';

const isoDay = () =>
  z.string().refine(
    (text) => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
      const day = new Date(`${text}T00:00:00Z`);
      return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(text);
    },
    { message: 'expected a real calendar day as YYYY-MM-DD, e.g. 2024-01-01' },
  );

export const GeneratorConfigSchema = z
  .strictObject({
    seed: z.coerce.number().int().default(SIMULATION_DEFAULTS.seed),
    scale: z.coerce.number().positive().default(SIMULATION_DEFAULTS.scale),
    /** The simulation's epoch: its first day, and the earliest partition. */
    start: isoDay().default(SIMULATION_DEFAULTS.start),
    /** A fixed range of days from `start` (e.g. the 2024 quarter: 90); absent: the live calendar. */
    days: z.coerce.number().int().positive().max(36_600).optional(),
    /** Live calendar: how many days before today at least are kept as partitions. */
    historyDays: z.coerce.number().int().positive().max(36_600).optional(),
    defectRate: z.coerce.number().min(0).max(0.5).default(SIMULATION_DEFAULTS.defectRate),
  })
  .check((ctx) => {
    if (ctx.value.days !== undefined && ctx.value.historyDays !== undefined) {
      ctx.issues.push({
        code: 'custom',
        path: ['historyDays'],
        input: ctx.value.historyDays,
        message:
          'expected either `days` (a fixed range from `start`) or `historyDays` (the live calendar), not both; remove one',
      });
    }
  });

export type GeneratorConfig = z.infer<typeof GeneratorConfigSchema>;

export type GeneratorSettings = GeneratorConfig & {
  /** Folder of the generated source files (`data.rawDir`, `<home>/raw` by default). */
  rawDir: string;
  /** Folder of `validation.log` (`data.logsDir`, `<home>/logs` by default). */
  logsDir: string;
};

/**
 * `resources.generator` of a configuration, validated (a `SF_CONFIG_INVALID` naming the field
 * otherwise), with `SHOPFLOW_SCALE` overriding the scale without editing the file.
 */
export function readGeneratorConfig(settings: Parameters<typeof validateSection>[0]): GeneratorConfig {
  const parsed = validateSection(settings, 'generator', GeneratorConfigSchema.prefault({}));
  const scale = scaleFromEnvironment();
  return scale === undefined ? parsed : { ...parsed, scale };
}

/**
 * `SHOPFLOW_SCALE` as a number; undefined when it is unset or empty. Anything but a positive number
 * is a `SF_CONFIG_INVALID` naming the variable and its value (it would otherwise be ignored, and the
 * run made at another scale than asked).
 */
export function scaleFromEnvironment(environment: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = environment.SHOPFLOW_SCALE?.trim();
  if (!text) return undefined;
  const scale = Number(text);
  if (Number.isFinite(scale) && scale > 0) return scale;
  throw new ShopflowError(
    'SF_CONFIG_INVALID',
    `the environment variable SHOPFLOW_SCALE is ${JSON.stringify(environment.SHOPFLOW_SCALE)}: expected a positive number (the simulator's size, 1 = 5,000 transactions per quarter)`,
    {
      hint: 'set SHOPFLOW_SCALE to a positive number such as 1 or 20, or unset it to use `resources.generator.scale` of the config',
    },
  );
}

/**
 * The simulator's options (`resources.generator`) and the data folders, as one typed value.
 * `SHOPFLOW_SCALE` overrides the scale without editing the config file.
 */
export const generatorSettings = defineResource<GeneratorSettings, unknown>({
  name: 'generator',
  configSchema: GeneratorConfigSchema,
  create: ({ settings }) => ({ ...readGeneratorConfig(settings), ...dataFolders(settings) }),
});
