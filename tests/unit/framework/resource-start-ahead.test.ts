import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  type AnyAsset,
  declaredResources,
  defineAsset,
  defineDefinitions,
  defineResource,
  lakeTable,
  type ShopflowRuntime,
  sql,
} from '../../../framework/index.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

const NOW = new Date('2024-01-10T12:00:00Z');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A promise with its resolve function. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Rejects with `message` unless `promise` settles within `ms` (a bound against a hang, not a timing assertion). */
async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const schema = z.object({ x: z.int() });

/**
 * `source` → `loaded`, where `loaded` uses `warehouse` (declared as `declare` says). `source`
 * materializes only once `sourceMayFinish` resolves.
 */
function graph(options: {
  create: () => Promise<string>;
  declare: 'asset' | 'io' | 'both' | 'none';
  sourceMayFinish?: Promise<void>;
}) {
  const created: string[] = [];
  const warehouse = defineResource({
    name: 'warehouse',
    create: async () => {
      created.push('warehouse');
      return await options.create();
    },
  });
  const source = defineAsset({
    key: 'source',
    description: 'Upstream of the asset that needs the resource.',
    schema,
    materialize: async () => {
      await options.sourceMayFinish;
      return sql`select 1 as x`;
    },
  });
  const io = lakeTable();
  const loaded: AnyAsset = defineAsset({
    key: 'loaded',
    description: 'Uses the warehouse resource.',
    deps: { source },
    schema,
    ...(options.declare === 'asset' || options.declare === 'both' ? { resources: [warehouse] } : {}),
    ...(options.declare === 'io' || options.declare === 'both'
      ? { io: { ...io, resources: [warehouse] } }
      : {}),
    materialize: async ({ resource }) => {
      const value = await resource(warehouse);
      return sql`select ${value.length} as x`;
    },
  });
  return { definitions: defineDefinitions({ assets: [source, loaded], resources: [warehouse] }), created };
}

async function open(definitions: ReturnType<typeof graph>['definitions']): Promise<ShopflowRuntime> {
  const { home, cleanup } = tempHome();
  const runtime = await openTestRuntime(definitions, home, { now: () => NOW });
  cleanups.push(cleanup, () => runtime.close());
  return runtime;
}

describe('resources declared by assets start with the run', () => {
  test('a declared resource is created while the upstream step still runs', async () => {
    const started = deferred();
    const { definitions, created } = graph({
      declare: 'asset',
      create: async () => {
        started.resolve();
        return 'ready';
      },
      // NOTE: `source` finishes only once the resource was created; without the early start the
      // resource would be created after `source`, and the bound below fails the step.
      sourceMayFinish: within(started.promise, 10_000, 'the resource was not started ahead of its step'),
    });
    const runtime = await open(definitions);
    const result = await runtime.execute(await runtime.plan(), { concurrency: 1 });
    expect(result.status).toBe('success');
    expect(result.outcomes.get('loaded')).toMatchObject({ status: 'success', rowCount: 1 });
    expect(created).toEqual(['warehouse']);
  });

  test('the IO target can declare it: the asset and its target are merged, each resource once', async () => {
    for (const declare of ['io', 'both'] as const) {
      const { definitions, created } = graph({ declare, create: async () => 'ready' });
      expect(declaredResources(definitions.graph.get('loaded')).map((r) => r.name)).toEqual(['warehouse']);
      expect(declaredResources(definitions.graph.get('source'))).toEqual([]);
      const runtime = await open(definitions);
      expect((await runtime.execute(await runtime.plan())).status).toBe('success');
      expect(created).toEqual(['warehouse']);
    }
  });

  test('a resource declared only by assets outside the run is not started', async () => {
    const { definitions, created } = graph({ declare: 'asset', create: async () => 'ready' });
    const runtime = await open(definitions);
    const result = await runtime.execute(await runtime.plan({ selection: 'source' }));
    expect(result.status).toBe('success');
    expect(created).toEqual([]);
  });

  test('an undeclared resource is still created on first use', async () => {
    const { definitions, created } = graph({ declare: 'none', create: async () => 'ready' });
    const runtime = await open(definitions);
    expect((await runtime.execute(await runtime.plan())).status).toBe('success');
    expect(created).toEqual(['warehouse']);
  });

  test('a start that fails is tried again by the step that needs it, which reports the error', async () => {
    const { definitions, created } = graph({
      declare: 'asset',
      create: async () => {
        throw new Error('the warehouse refused the connection');
      },
    });
    const runtime = await open(definitions);
    const result = await runtime.execute(await runtime.plan());
    expect(result.status).toBe('failed');
    expect(result.outcomes.get('source')!.status).toBe('success');
    expect(result.outcomes.get('loaded')).toMatchObject({
      status: 'failed',
      message: expect.stringContaining('the warehouse refused the connection'),
    });
    // NOTE: once ahead of the run, once more by the step.
    expect(created).toEqual(['warehouse', 'warehouse']);
  });
});
