import { resolve } from 'node:path';
import { z } from 'zod';
import { defineResource } from '../../framework/index.js';
import { SIMULATION_DEFAULTS } from '../raw/simulator/index.js';

export const GeneratorConfigSchema = z.strictObject({
  seed: z.coerce.number().int().default(SIMULATION_DEFAULTS.seed),
  scale: z.coerce.number().positive().default(SIMULATION_DEFAULTS.scale),
  start: z.string().default(SIMULATION_DEFAULTS.start),
  days: z.coerce.number().int().positive().default(SIMULATION_DEFAULTS.days),
  defectRate: z.coerce.number().min(0).max(0.5).default(SIMULATION_DEFAULTS.defectRate),
});

export type GeneratorSettings = z.infer<typeof GeneratorConfigSchema> & {
  /** Folder of the generated source files (`data.rawDir`). */
  rawDir: string;
  /** Folder of `validation.log` (`data.logsDir`). */
  logsDir: string;
};

/**
 * The simulator's options (`resources.generator`) and the data folders, as one typed value.
 * `SHOPFLOW_SCALE` overrides the scale without editing the config file.
 */
export const generatorSettings = defineResource<GeneratorSettings, unknown>({
  name: 'generator',
  configSchema: GeneratorConfigSchema,
  create: ({ config, settings }) => {
    const parsed = config as z.infer<typeof GeneratorConfigSchema>;
    const scale = process.env.SHOPFLOW_SCALE ? Number(process.env.SHOPFLOW_SCALE) : parsed.scale;
    return {
      ...parsed,
      scale: Number.isFinite(scale) && scale > 0 ? scale : parsed.scale,
      rawDir: resolve(settings.data.rawDir),
      logsDir: resolve(settings.data.logsDir),
    };
  },
});
