import { didYouMean } from '../errors/did-you-mean.js';
import { ShopflowError } from '../errors/error-catalog.js';
import type { AssetGraph } from './asset-graph.js';

/**
 * Resolves a selection expression to asset keys, in topological order.
 *
 * Terms, joined by commas (union): `key`, `+key` (with all upstream), `key+` (with all downstream),
 * `+key+`, `group:NAME`, `tag:NAME`, `*` (everything). An empty expression selects everything.
 *
 * @example
 * selectAssets(graph, '+silver_customers,group:gold')
 */
export function selectAssets(graph: AssetGraph, expression: string | undefined): string[] {
  const text = (expression ?? '*').trim() || '*';
  const terms = text.split(',').map((raw) => raw.trim());
  if (terms.some((term) => !term)) {
    throw new ShopflowError('SF_BAD_SELECTION', `selection \`${text}\` has an empty term`, {
      hint: 'separate terms with single commas, e.g. `a,b`',
    });
  }
  const selected = new Set<string>();
  for (const term of terms) for (const key of resolveTerm(graph, term)) selected.add(key);
  return graph.toposorted().filter((key) => selected.has(key));
}

function resolveTerm(graph: AssetGraph, term: string): Iterable<string> {
  if (term === '*') return graph.keys;
  if (term.startsWith('group:') || term.startsWith('tag:')) {
    const [kind, name] = [term.slice(0, term.indexOf(':')), term.slice(term.indexOf(':') + 1)];
    const values = new Set(graph.assets.flatMap((a) => (kind === 'group' ? [a.group] : [...a.tags])));
    if (!values.has(name)) {
      throw new ShopflowError('SF_BAD_SELECTION', `no asset has ${kind} \`${name}\``, {
        hint: didYouMean(name, values) ?? `known ${kind}s: ${[...values].sort().join(', ') || 'none'}`,
      });
    }
    return graph.assets
      .filter((a) => (kind === 'group' ? a.group === name : a.tags.includes(name)))
      .map((a) => a.key);
  }
  const match = /^(\+?)([a-z][a-z0-9_]*)(\+?)$/.exec(term);
  if (!match) {
    throw new ShopflowError('SF_BAD_SELECTION', `cannot read selection term \`${term}\``, {
      hint: 'use key, +key, key+, +key+, group:NAME, tag:NAME or *',
    });
  }
  const [, up, key, down] = match;
  graph.get(key);
  const keys = new Set([key]);
  if (up) for (const k of graph.ancestors(key)) keys.add(k);
  if (down) for (const k of graph.descendants(key)) keys.add(k);
  return keys;
}
