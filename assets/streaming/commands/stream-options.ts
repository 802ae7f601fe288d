import { type CommandContext, ShopflowError, validateSection } from '../../../framework/index.js';
import { readGeneratorConfig } from '../../resources/generator-settings.js';
import { type ClickstreamSettings, ClickstreamSettingsSchema } from '../clickstream-settings.js';

/** `resources.stream` of the command's configuration, validated. */
export function streamSettings(context: CommandContext): ClickstreamSettings {
  return validateSection(context.config, 'stream', ClickstreamSettingsSchema.prefault({}));
}

/** The simulator's options from `resources.generator` (seed, scale, epoch, defect rate). */
export function generatorOptions(context: CommandContext) {
  const { seed, scale, start, defectRate } = readGeneratorConfig(context.config);
  return { seed, scale, start, defectRate };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration option: `90` (seconds), `90s`, `5m`, `1h`, `250ms`.
 *
 * @example
 * durationOption('--duration', '5m'); // 300000
 */
export function durationOption(flag: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(value).trim());
  const ms = match ? Number(match[1]) * UNITS[match[2] ?? 's'] : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new ShopflowError('SF_BAD_USAGE', `${flag} ${String(value)} is not a duration`, {
      hint: `write a number with a unit, e.g. ${flag} 90s, ${flag} 5m or ${flag} 1h`,
    });
  }
  return ms;
}

/** Parses `--rate`: events per second, `1000` or `1000/s`. */
export function rateOption(value: unknown): number {
  const match = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(String(value).trim());
  const rate = match ? Number(match[1]) : Number.NaN;
  if (!Number.isFinite(rate) || rate <= 0 || rate > 100_000) {
    throw new ShopflowError('SF_BAD_USAGE', `--rate ${String(value)} is not a rate of events per second`, {
      hint: 'e.g. --rate 1000 or --rate 1000/s (at most 100000)',
    });
  }
  return rate;
}

/** Parses a share option in [0, 1]. */
export function shareOption(flag: string, value: unknown): number {
  const share = Number(value);
  if (!Number.isFinite(share) || share < 0 || share > 1) {
    throw new ShopflowError('SF_BAD_USAGE', `${flag} ${String(value)} is not a share between 0 and 1`, {
      hint: `e.g. ${flag} 0.01 for 1 %`,
    });
  }
  return share;
}
