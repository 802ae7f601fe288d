import { join } from 'node:path';
import type { ResourceDefinition } from '../../framework/index.js';
import { generatorSettings } from '../resources/generator-settings.js';

/** `<data.logsDir>/validation.log`, where every raw check evaluation is logged. */
export async function validationLogFile(context: {
  resource<T>(definition: ResourceDefinition<T>): Promise<T>;
}): Promise<string> {
  return join((await context.resource(generatorSettings)).logsDir, 'validation.log');
}
