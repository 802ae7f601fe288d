import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import { didYouMean } from '../errors/did-you-mean.js';
import { ShopflowError } from '../errors/error-catalog.js';
import { type ShopflowConfig, ShopflowConfigSchema } from './config-schema.js';
import { configValidationError } from './config-validation-error.js';
import { dataFolders } from './data-folders.js';
import { displayPath } from './display-path.js';
import { interpolateEnv } from './interpolate-env.js';
import { readDotenv } from './read-dotenv.js';
import { parseYamlSource } from './yaml-source.js';

export interface LoadConfigOptions {
  /** An explicit configuration file (`--config`); relative to `cwd`. */
  file?: string;
  /** Environment name selecting `config/<env>.yaml`; defaults to `SHOPFLOW_ENV`, then `dev`. */
  env?: string;
  /** Home folder (`--home`); wins over `SHOPFLOW_HOME` and the file's `home`. */
  home?: string;
  /** Folder that relative paths are resolved against and that holds `config/` and `.env`; defaults to `process.cwd()`. */
  cwd?: string;
  /** Environment variables; defaults to `process.env`. A `.env` file in `cwd` fills in the unset ones. */
  environment?: NodeJS.ProcessEnv;
}

/**
 * A loaded configuration: every path is absolute, `instance.path` (SQLite) and `lake.path` (local)
 * are filled in from `home`, `source` is the absolute path of the file and `secrets` lists strings
 * that must be redacted wherever they could be shown (pass them to `createLogger`).
 */
export type LoadedConfig = ShopflowConfig & {
  source: string;
  secrets: string[];
  /** The environment variables each field came from (see `interpolateEnv`), for errors. */
  fromEnvironment: Record<string, string[]>;
};

const ENV_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

function availableConfigs(cwd: string): string[] {
  try {
    return readdirSync(join(cwd, 'config'))
      .filter((name) => /\.ya?ml$/.test(name))
      .sort();
  } catch {
    return [];
  }
}

function notFoundError(file: string, cwd: string, requested: string, reason: string): ShopflowError {
  const available = availableConfigs(cwd);
  const names = available.map((name) => name.replace(/\.ya?ml$/, ''));
  const suggestion = didYouMean(requested, names);
  const hint =
    available.length === 0
      ? `fix: there is no config/ folder with YAML files in ${cwd}; run shopflow from the project folder or pass --config FILE`
      : `fix: ${suggestion ? `${suggestion} ` : ''}available in config/: ${available.join(', ')}; set SHOPFLOW_ENV to one of ${names.join(', ')} or pass --config FILE`;
  return new ShopflowError('SF_CONFIG_NOT_FOUND', `configuration file ${file} ${reason}`, {
    hint,
    details: { file, available },
  });
}

function readConfigText(path: string, shown: string, cwd: string, requested: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a folder'
          : `cannot be read (${code ?? 'error'})`;
    throw notFoundError(shown, cwd, requested, reason);
  }
}

/** A module specifier that names a file (relative or absolute) rather than a package. */
function isFileSpecifier(specifier: string): boolean {
  return /^\.{1,2}[\\/]/.test(specifier) || isAbsolute(specifier) || /\.(m?js|ts)$/.test(specifier);
}

/**
 * Loads, interpolates and validates a ShopFlow configuration.
 *
 * The file is `options.file`, else `config/<env>.yaml` with env = `options.env` ?? `SHOPFLOW_ENV` ??
 * `dev`. A `.env` file in `cwd` supplies variables that are not already set. `${VAR}`,
 * `${VAR:-default}` and `$${` are interpolated in values; the home folder is `options.home` ??
 * `SHOPFLOW_HOME` ?? the file's `home`; relative paths are resolved against `cwd`.
 *
 * Errors (all exit code 2): `SF_CONFIG_NOT_FOUND` lists the files in `config/`; `SF_CONFIG_INVALID`
 * names `file:line:column`, the field path, the bad value, what was expected and the fix;
 * `SF_CONFIG_MISSING_ENV` names the variable and the fields that need it.
 *
 * @example
 * const config = loadConfig({ env: 'prod' });
 * config.executor.concurrency; // 4
 * const logger = createLogger({ ...config.logging, secrets: config.secrets });
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = resolve(options.cwd ?? process.cwd());
  const realEnvironment = options.environment ?? process.env;
  const environment: Record<string, string | undefined> = {
    ...readDotenv(join(cwd, '.env'), '.env'),
    ...realEnvironment,
  };

  const envName = options.env ?? (environment.SHOPFLOW_ENV || undefined) ?? 'dev';
  if (!options.file && !ENV_NAME.test(envName)) {
    const from = options.env !== undefined ? 'the `env` option' : 'SHOPFLOW_ENV';
    throw new ShopflowError(
      'SF_CONFIG_INVALID',
      `environment name ${JSON.stringify(envName)} from ${from} is not valid`,
      {
        hint: 'fix: use letters, digits, `-` and `_` only (e.g. `dev`, `prod`), or pass --config FILE',
      },
    );
  }
  const source = options.file ? resolve(cwd, options.file) : join(cwd, 'config', `${envName}.yaml`);
  const file = displayPath(source, cwd);
  const requested = options.file ? basename(source, extname(source)) : envName;

  const yaml = parseYamlSource(readConfigText(source, file, cwd, requested), file);
  const parsed = yaml.value ?? {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ShopflowError(
      'SF_CONFIG_INVALID',
      `${file} holds ${Array.isArray(parsed) ? 'a list' : `the value ${JSON.stringify(parsed)}`} at the top level`,
      {
        hint: `fix: write ${file} as \`key: value\` lines (e.g. \`home: .shopflow\`)`,
        details: { file },
      },
    );
  }

  const { value, secrets, fromEnvironment } = interpolateEnv(parsed, {
    environment,
    file,
    locate: yaml.locate,
  });
  const input = { env: basename(source, extname(source)), ...(value as Record<string, unknown>) };
  const result = ShopflowConfigSchema.safeParse(input);
  if (!result.success) {
    throw configValidationError({
      file,
      issues: result.error.issues,
      input,
      schema: ShopflowConfigSchema,
      locate: yaml.locate,
      secrets,
      fromEnvironment,
    });
  }

  const config = result.data;
  const at = (path: string) => resolve(cwd, path);
  const optionalAt = (path: string | undefined) => (path === undefined ? undefined : at(path));
  const home = at(options.home || environment.SHOPFLOW_HOME || config.home);
  const instance =
    config.instance.type === 'sqlite'
      ? {
          ...config.instance,
          path: config.instance.path ? at(config.instance.path) : join(home, 'instance.db'),
        }
      : config.instance;
  const lake =
    config.lake.type === 'local'
      ? { ...config.lake, path: config.lake.path ? at(config.lake.path) : join(home, 'lake') }
      : {
          ...config.lake,
          cacheDir: config.lake.cacheDir ? at(config.lake.cacheDir) : join(home, 'cache', 'lake'),
        };

  return {
    ...config,
    home,
    ...(config.definitions
      ? { definitions: isFileSpecifier(config.definitions) ? at(config.definitions) : config.definitions }
      : {}),
    instance,
    lake,
    logging: { ...config.logging, ...(config.logging.file ? { file: at(config.logging.file) } : {}) },
    data: dataFolders({
      home,
      data: { rawDir: optionalAt(config.data.rawDir), logsDir: optionalAt(config.data.logsDir) },
    }),
    source,
    secrets,
    fromEnvironment,
  };
}
