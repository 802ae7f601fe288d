import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import {
  type Definitions,
  type InstanceStore,
  type ShopflowConfig,
  ShopflowConfigSchema,
  ShopflowRuntime,
} from '../../framework/index.js';

/** A temporary home folder, removed by `cleanup()`. */
export function tempHome(prefix = 'shopflow-test-'): { home: string; cleanup(): void } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/** A validated config for tests, rooted at `home`. */
export function testConfig(home: string, overrides: Record<string, unknown> = {}): ShopflowConfig {
  return ShopflowConfigSchema.parse({
    env: 'test',
    home,
    instance: { type: 'sqlite', path: join(home, 'instance.db') },
    lake: { type: 'local', path: join(home, 'lake') },
    executor: { concurrency: 2, lockWaitSeconds: 2, heartbeatSeconds: 1, deadAfterSeconds: 30 },
    ...overrides,
  });
}

/** A logger that writes nowhere (tests assert on the store and outputs, not on log lines). */
export const silentLog = pino({ level: 'silent' }, new Writable({ write: (_c, _e, cb) => cb() }));

export async function openTestRuntime(
  definitions: Definitions,
  home: string,
  options: { store?: InstanceStore; now?: () => Date; config?: Record<string, unknown> } = {},
): Promise<ShopflowRuntime> {
  return await ShopflowRuntime.open({
    config: testConfig(home, options.config),
    definitions,
    log: silentLog,
    store: options.store,
    now: options.now,
    sleep: async () => {},
  });
}
