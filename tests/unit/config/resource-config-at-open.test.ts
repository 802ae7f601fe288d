import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { readGeneratorConfig, scaleFromEnvironment } from '../../../assets/resources/generator-settings.js';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';
import {
  defineAsset,
  defineDefinitions,
  defineResource,
  materialized,
  ShopflowRuntime,
  storedByAsset,
} from '../../../framework/index.js';
import { silentLog, tempHome, testConfig } from '../../support/example-runtime.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const fn of cleanups.splice(0)) fn();
});

/** The error `fn` throws (or the promise it returns rejects with). */
async function errorOf(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

const warehouse = defineResource({
  name: 'warehouse',
  configSchema: z.strictObject({ mode: z.enum(['embedded', 'url']).default('embedded') }),
  create: async () => ({}),
});
const definitions = defineDefinitions({
  assets: [
    defineAsset({
      key: 'loaded',
      description: '',
      schema: z.object({ x: z.int() }),
      resources: [warehouse],
      io: storedByAsset(),
      materialize: () => materialized({ rowCount: 0 }),
    }),
  ],
  resources: [warehouse],
});

describe('resource config sections are checked when the runtime opens', () => {
  test('a bad value fails the open, naming the file, the field, the value and the fix; nothing is created', async () => {
    const { home: parent, cleanup } = tempHome();
    cleanups.push(cleanup);
    const home = join(parent, 'home');
    const config = {
      ...testConfig(home, { resources: { warehouse: { mode: 'embeded' } } }),
      source: join(parent, 'prod.yaml'),
    };
    const error = await errorOf(() => ShopflowRuntime.open({ config, definitions, log: silentLog }));
    expect(isShopflowError(error, 'SF_CONFIG_INVALID')).toBe(true);
    expect(error.message).toContain('prod.yaml');
    expect(error.message).toContain('`resources.warehouse.mode` is "embeded"');
    expect(error.message).toContain('did you mean `embedded`?');
    expect(existsSync(home)).toBe(false);
  });

  test('an absent section takes the schema defaults', async () => {
    const { home, cleanup } = tempHome();
    cleanups.push(cleanup);
    const runtime = await ShopflowRuntime.open({ config: testConfig(home), definitions, log: silentLog });
    await runtime.close();
  });
});

describe('resources.generator and SHOPFLOW_SCALE', () => {
  test('SHOPFLOW_SCALE overrides the scale when it is a positive number and is an error otherwise', async () => {
    expect(scaleFromEnvironment({})).toBeUndefined();
    expect(scaleFromEnvironment({ SHOPFLOW_SCALE: '' })).toBeUndefined();
    expect(scaleFromEnvironment({ SHOPFLOW_SCALE: ' 2.5 ' })).toBe(2.5);
    for (const value of ['abc', '0', '-1', '1e9x']) {
      const error = await errorOf(() => scaleFromEnvironment({ SHOPFLOW_SCALE: value }));
      expect(isShopflowError(error, 'SF_CONFIG_INVALID'), value).toBe(true);
      expect(error.message).toContain(`the environment variable SHOPFLOW_SCALE is ${JSON.stringify(value)}`);
      expect(error.message).toContain('set SHOPFLOW_SCALE to a positive number');
    }
  });

  test('an impossible start day is a config error, not a crash', async () => {
    const error = await errorOf(() =>
      readGeneratorConfig({ resources: { generator: { start: '2024-13-01' } }, source: 'dev.yaml' }),
    );
    expect(isShopflowError(error, 'SF_CONFIG_INVALID')).toBe(true);
    expect(error.message).toContain('`resources.generator.start` is "2024-13-01"');
  });
});
