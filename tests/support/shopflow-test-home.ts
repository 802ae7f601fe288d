import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import shopflow from '../../assets/definitions.js';
import { type Definitions, type LoadedConfig, loadConfig, ShopflowRuntime } from '../../framework/index.js';
import { silentLog, tempHome } from './example-runtime.js';

/**
 * A ShopFlow home for tests: small simulated data on the fixed 2024 quarter (or another calendar),
 * embedded PostgreSQL and landing zone inside it.
 */
export interface ShopflowTestHome {
  home: string;
  config: LoadedConfig;
  configFile: string;
  /** Opens a runtime on the home; `definitions` defaults to the ShopFlow pipeline, `now` to the real clock. */
  open(definitions?: Definitions, now?: () => Date): Promise<ShopflowRuntime>;
  /** Injected defects per file and kind, summed over every daily extract. */
  defects(): Record<string, Record<string, number>>;
  cleanup(): void;
}

export function shopflowTestHome(
  options: {
    scale?: number;
    defectRate?: number;
    seed?: number;
    objectStore?: Record<string, unknown>;
    /** The calendar (`start` with `days` or `historyDays`); default the fixed 2024 quarter. */
    calendar?: { start: string; days?: number; historyDays?: number };
    /** The `lake` section (default: a local lake in the home). */
    lake?: Record<string, unknown>;
  } = {},
): ShopflowTestHome {
  const { home, cleanup } = tempHome('shopflow-pipeline-');
  // NOTE: the embedded PostgreSQL runs as `postgres` when tests run as root; it must reach the home.
  chmodSync(home, 0o755);
  const configFile = join(home, 'shopflow.yaml');
  writeFileSync(
    configFile,
    stringify({
      env: 'test',
      home,
      executor: { concurrency: 2, lockWaitSeconds: 10 },
      logging: { level: 'warn' },
      ...(options.lake ? { lake: options.lake } : {}),
      data: { rawDir: join(home, 'raw'), logsDir: join(home, 'logs') },
      resources: {
        postgres: { mode: 'embedded' },
        objectStore: options.objectStore ?? { type: 'local' },
        generator: {
          seed: options.seed ?? 7,
          scale: options.scale ?? 0.2,
          ...(options.calendar ?? { start: '2024-01-01', days: 90 }),
          defectRate: options.defectRate ?? 0.01,
        },
      },
    }),
  );
  const config = loadConfig({ file: configFile, environment: {} });
  return {
    home,
    config,
    configFile,
    open: (definitions = shopflow, now) => ShopflowRuntime.open({ config, definitions, log: silentLog, now }),
    defects: () => {
      const total: Record<string, Record<string, number>> = {};
      const daily = join(home, 'raw', 'daily');
      for (const day of readdirSync(daily)) {
        const { counts } = JSON.parse(readFileSync(join(daily, day, '_defects.json'), 'utf8')) as {
          counts: Record<string, Record<string, number>>;
        };
        for (const [file, kinds] of Object.entries(counts)) {
          total[file] ??= {};
          for (const [kind, n] of Object.entries(kinds)) total[file][kind] = (total[file][kind] ?? 0) + n;
        }
      }
      return total;
    },
    cleanup,
  };
}
