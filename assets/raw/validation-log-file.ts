import { join } from 'node:path';
import type { CheckContext } from '../../framework/index.js';
import { generatorSettings } from '../resources/generator-settings.js';

/** `<data.logsDir>/validation.log`, where every raw check evaluation is logged. */
export async function validationLogFile(context: CheckContext): Promise<string> {
  return join((await context.resource(generatorSettings)).logsDir, 'validation.log');
}
