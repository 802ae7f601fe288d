import type { Logger } from 'pino';
import type { ShopflowConfig } from '../config/config-schema.js';
import { validateSection } from '../config/validate-section.js';
import type { ResourceDefinition } from '../definitions/define-resource.js';

/**
 * The config section of a resource (`resources.<name>`), validated by its schema: a bad value is a
 * `SF_CONFIG_INVALID` naming the file, the field, the value and the fix. An absent section is the
 * schema's defaults when an empty one is valid, otherwise undefined: the resource's own default
 * (e.g. the embedded PostgreSQL), never an error.
 */
export function resourceConfig(settings: ShopflowConfig, definition: ResourceDefinition<unknown>): unknown {
  const raw = settings.resources[definition.name];
  if (!definition.configSchema) return raw;
  if (raw === undefined) {
    const empty = definition.configSchema.safeParse({});
    return empty.success ? empty.data : undefined;
  }
  const loaded = settings as ShopflowConfig & { source?: string; secrets?: string[] };
  return validateSection(loaded, definition.name, definition.configSchema);
}

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
    const config = resourceConfig(this.options.settings, definition as ResourceDefinition<unknown>);
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
