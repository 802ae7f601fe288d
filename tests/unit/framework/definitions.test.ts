import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  defineAsset,
  defineDefinitions,
  isShopflowError,
  rowCheck,
  selectAssets,
  sql,
} from '../../../framework/index.js';
import { exampleDefinitions } from '../../fixtures/example-graph.js';

const schema = z.object({ x: z.int() });
const leaf = (key: string, deps: Record<string, string> = {}) =>
  defineAsset({ key, description: key, schema, deps, materialize: () => sql`select 1 as x` });

function errorOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (isShopflowError(error)) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('asset definitions', () => {
  test('duplicate keys are rejected', () => {
    const error = errorOf(() => defineDefinitions({ assets: [leaf('a'), leaf('a')] }));
    expect(error.code).toBe('SF_DUPLICATE_ASSET');
    expect(error.message).toContain('`a`');
  });

  test('an unknown dependency is named with a did-you-mean suggestion', () => {
    const error = errorOf(() =>
      defineDefinitions({ assets: [leaf('silver_customers'), leaf('gold', { src: 'sliver_customers' })] }),
    );
    expect(error.code).toBe('SF_UNKNOWN_DEP');
    expect(error.message).toContain('`sliver_customers`');
    expect(error.message).toContain('did you mean `silver_customers`?');
  });

  test('a dependency object that is not part of the definitions is unknown', () => {
    const outside = leaf('outside');
    const inside = defineAsset({
      key: 'inside',
      description: '',
      schema,
      deps: { outside },
      materialize: () => sql`select 1 as x`,
    });
    expect(errorOf(() => defineDefinitions({ assets: [inside] })).code).toBe('SF_UNKNOWN_DEP');
  });

  test('a cycle names every asset on it', () => {
    const error = errorOf(() =>
      defineDefinitions({
        assets: [
          leaf('a', { up: 'c' }),
          leaf('b', { up: 'a' }),
          leaf('c', { up: 'b' }),
          leaf('d', { up: 'a' }),
        ],
      }),
    );
    expect(error.code).toBe('SF_CYCLE');
    expect(error.message).toContain('a → b → c → a');
    expect(error.message).not.toMatch(/\bd\b/);
  });

  test('asset keys must be snake_case and check names unique', () => {
    expect(errorOf(() => leaf('SilverCustomers')).message).toContain('silver_customers');
    const twice = () =>
      defineAsset({
        key: 'a',
        description: '',
        schema,
        checks: [rowCheck({ name: 'c', validWhen: 'x > 0' }), rowCheck({ name: 'c', validWhen: 'x > 1' })],
        materialize: () => sql`select 1 as x`,
      });
    expect(errorOf(twice).code).toBe('SF_INVALID_ASSET');
  });

  test('checks are nodes of the graph', () => {
    const { graph } = exampleDefinitions();
    expect(graph.graph.hasNode('readings:temperature_plausible')).toBe(true);
    expect(graph.graph.getNodeAttribute('readings:temperature_plausible', 'kind')).toBe('check');
  });
});

describe('selection', () => {
  const { graph } = exampleDefinitions();

  test('key, +key, key+, +key+', () => {
    expect(selectAssets(graph, 'daily_stats')).toEqual(['daily_stats']);
    expect(selectAssets(graph, '+daily_stats')).toEqual(['readings', 'daily_stats']);
    expect(selectAssets(graph, 'daily_stats+')).toEqual(['daily_stats', 'station_summary', 'weekly_stats']);
    expect(selectAssets(graph, '+station_summary+')).toEqual([
      'readings',
      'daily_stats',
      'stations',
      'station_summary',
    ]);
  });

  test('group:, tag:, * and unions, in topological order with alphabetical ties', () => {
    expect(selectAssets(graph, 'group:reference')).toEqual(['notes', 'stations']);
    expect(selectAssets(graph, 'tag:report,readings')).toEqual(['readings', 'station_summary']);
    expect(selectAssets(graph, '*')).toEqual([
      'notes',
      'readings',
      'daily_stats',
      'stations',
      'station_summary',
      'weekly_stats',
    ]);
    expect(selectAssets(graph, '')).toHaveLength(6);
  });

  test('errors name the bad term and suggest', () => {
    expect(errorOf(() => selectAssets(graph, 'daily_stat')).message).toContain('did you mean `daily_stats`?');
    expect(errorOf(() => selectAssets(graph, 'group:refrence')).message).toContain('`reference`');
    expect(errorOf(() => selectAssets(graph, 'a,,b')).code).toBe('SF_BAD_SELECTION');
    expect(errorOf(() => selectAssets(graph, '++x')).code).toBe('SF_BAD_SELECTION');
  });
});
