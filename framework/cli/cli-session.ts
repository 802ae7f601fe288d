import type { Logger } from 'pino';
import { displayPath } from '../config/display-path.js';
import { type LoadedConfig, loadConfig } from '../config/load-config.js';
import type { Definitions } from '../definitions/define-definitions.js';
import { createLogger } from '../logging/create-logger.js';
import { ShopflowRuntime } from '../runtime/shopflow-runtime.js';
import { loadDefinitions } from './load-definitions.js';

/** Options every command accepts. */
export interface GlobalOptions {
  config?: string;
  home?: string;
  definitions?: string;
  json?: boolean;
}

/** Where a command's output goes; tests pass their own streams. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Loads what a command needs, lazily and once: config, logger, definitions, runtime. Commands that
 * only print help never open the instance store.
 */
export class CliSession {
  private loadedConfig?: LoadedConfig;
  private logger?: Logger;
  private loadedDefinitions?: Promise<Definitions>;
  private openedRuntime?: Promise<ShopflowRuntime>;

  constructor(
    readonly options: GlobalOptions,
    readonly io: CliIo,
  ) {}

  get json(): boolean {
    return this.options.json === true;
  }

  /** Whether to draw live progress (a terminal, and no --json). */
  get interactive(): boolean {
    return !this.json && this.io.stdout.isTTY === true;
  }

  config(): LoadedConfig {
    this.loadedConfig ??= loadConfig({
      file: this.options.config,
      home: this.options.home,
      cwd: this.io.cwd,
      environment: this.io.env,
    });
    return this.loadedConfig;
  }

  log(): Logger {
    if (!this.logger) {
      const config = this.config();
      this.logger = createLogger({
        level: config.logging.level,
        pretty: config.logging.pretty,
        file: config.logging.file,
        secrets: config.secrets,
        destination: this.io.stderr === process.stderr ? undefined : this.io.stderr,
      });
    }
    return this.logger;
  }

  definitions(): Promise<Definitions> {
    const [modulePath, origin] =
      this.options.definitions !== undefined
        ? [this.options.definitions, '--definitions']
        : this.io.env.SHOPFLOW_DEFINITIONS !== undefined
          ? [this.io.env.SHOPFLOW_DEFINITIONS, 'the environment variable SHOPFLOW_DEFINITIONS']
          : this.config().definitions !== undefined
            ? [
                this.config().definitions,
                `\`definitions\` in ${displayPath(this.config().source, this.io.cwd)}`,
              ]
            : [undefined, undefined];
    this.loadedDefinitions ??= loadDefinitions(modulePath, this.io.cwd, origin);
    return this.loadedDefinitions;
  }

  /** Runs of dead processes that opening the instance marked failed (see {@link runtime}). */
  reapedRuns: string[] = [];

  /** Opens the instance and marks runs of dead processes failed, as every command should see them. */
  runtime(): Promise<ShopflowRuntime> {
    this.openedRuntime ??= (async () => {
      const runtime = await ShopflowRuntime.open({
        config: this.config(),
        definitions: await this.definitions(),
        log: this.log(),
      });
      this.reapedRuns = await runtime.reapDeadRuns();
      return runtime;
    })();
    return this.openedRuntime;
  }

  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Writes one JSON value as one line. */
  jsonLine(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value)}\n`);
  }

  async close(): Promise<void> {
    if (this.openedRuntime) await (await this.openedRuntime.catch(() => undefined))?.close();
  }
}
