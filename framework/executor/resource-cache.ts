import type { Logger } from 'pino';
import type { ShopflowConfig } from '../config/config-schema.js';
import type { ResourceDefinition } from '../definitions/define-resource.js';
import { ShopflowError } from '../errors/error-catalog.js';

/**
 * Creates each resource once per process, on first use, with its validated config section, and
 * disposes of all of them at the end.
 */
export class ResourceCache {
  private readonly values = new Map<string, Promise<unknown>>();
  private readonly created: Array<{ definition: ResourceDefinition<unknown>; value: Promise<unknown> }> = [];

  constructor(private readonly options: { home: string; log: Logger; settings: ShopflowConfig }) {}

  get<T>(definition: ResourceDefinition<T>): Promise<T> {
    let value = this.values.get(definition.name) as Promise<T> | undefined;
    if (!value) {
      value = this.create(definition);
      this.values.set(definition.name, value);
      this.created.push({ definition: definition as ResourceDefinition<unknown>, value });
      // NOTE: a failed creation is forgotten so that the next step can try again.
      value.catch(() => this.values.delete(definition.name));
    }
    return value;
  }

  private async create<T>(definition: ResourceDefinition<T>): Promise<T> {
    const raw = this.options.settings.resources[definition.name];
    let config: unknown = raw;
    if (definition.configSchema) {
      const parsed = definition.configSchema.safeParse(raw ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const path = ['resources', definition.name, ...issue.path.map(String)].join('.');
        throw new ShopflowError('SF_CONFIG_INVALID', `config field \`${path}\`: ${issue.message}`, {
          hint: `fix \`${path}\` in the config file`,
        });
      }
      config = parsed.data;
    }
    return await definition.create({
      config,
      home: this.options.home,
      settings: this.options.settings,
      log: this.options.log,
    });
  }

  async disposeAll(): Promise<void> {
    for (const { definition, value } of this.created.reverse()) {
      const resolved = await value.catch(() => undefined);
      if (resolved !== undefined) await definition.dispose?.(resolved);
    }
    this.created.length = 0;
    this.values.clear();
  }
}
