import type { AnyAsset } from '../definitions/define-asset.js';
import type { Definitions } from '../definitions/define-definitions.js';
import type { GraphClassification, ResolvedColumn } from '../governance/graph-classification.js';
import { schemaColumns } from '../io/schema-columns.js';
import { assetsByGroup } from './assets-by-group.js';
import { markdownCell, markdownTable, markdownText } from './markdown-table.js';

export interface DataDictionaryOptions {
  /** Extra markdown per asset key, appended at the end of the asset's section (formula notes …). */
  notes?: Readonly<Record<string, string>>;
  /** The classes and lineage of the columns (`classifyGraph`); without it only declared PII is shown. */
  classification?: GraphClassification;
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
const link = (key: string) => `[${code(key)}](#${key})`;
const list = (items: readonly string[]) => (items.length ? items.map(markdownCell).join(', ') : '—');

function properties(asset: AnyAsset, definitions: Definitions): string {
  const graph = definitions.graph;
  const deps = graph.upstream(asset.key);
  const upstream = deps.map((dep) => {
    const partitioned = asset.partitions !== undefined || graph.get(dep.assetKey).partitions !== undefined;
    // NOTE: the local name tells apart two dependencies on the same asset (with different mappings).
    const twice = deps.filter((d) => d.assetKey === dep.assetKey).length > 1;
    const notes = [twice ? `as ${code(dep.name)}` : '', partitioned ? `${dep.mapping.name} mapping` : '']
      .filter(Boolean)
      .join(', ');
    return `${link(dep.assetKey)}${notes ? ` (${notes})` : ''}`;
  });
  const downstream = [...new Set(graph.downstream(asset.key))].map(link);
  const rows: string[][] = [
    ['Group', code(asset.group)],
    ['Partitions', asset.partitions ? markdownCell(asset.partitions.description) : 'none'],
    ['IO', code(asset.io.kind)],
    ['Code version', code(asset.codeVersion)],
    ['Owners', list(asset.owners)],
    ['Tags', asset.tags.length ? asset.tags.map(code).join(', ') : '—'],
    ['Upstream', upstream.length ? upstream.join(', ') : '—'],
    ['Downstream', downstream.length ? downstream.join(', ') : '—'],
  ];
  if (asset.freshness) rows.push(['Freshness', `at most ${asset.freshness.maxLagMinutes} minutes behind`]);
  return markdownTable(['Property', 'Value'], rows);
}

function checks(asset: AnyAsset): string {
  if (asset.checks.length === 0) return '**Checks**: none.';
  const rows = asset.checks.map((c) => [
    code(c.name),
    c.severity === 'error' ? 'error (blocking)' : 'warn',
    c.quarantine ? 'yes' : '',
    markdownCell(c.description),
  ]);
  return `**Checks**\n\n${markdownTable(['Check', 'Severity', 'Quarantines rows', 'Description'], rows)}`;
}

/** How a column's class reads in the dictionary: `confidential (email)`, and where it came from. */
function classCell(c: ResolvedColumn): string {
  if (!c.classification) return '**unclassified**';
  const kind = c.piiKind ? ` (${c.piiKind})` : '';
  const how =
    c.source === 'declared'
      ? c.reason
        ? `declared (inherits ${c.inherited?.classification}: ${markdownCell(c.reason)})`
        : 'declared'
      : c.source === 'asset'
        ? "the asset's"
        : 'inherited';
  return `${c.classification}${kind}, ${how}`;
}

function lineageCell(c: ResolvedColumn): string {
  if (c.origins.length === 0) return c.source === 'inherited' ? 'no input column' : '—';
  return c.origins
    .map((o) => {
      const how = o.masked ? 'masked' : o.reduced ? 'aggregated' : o.transform.toLowerCase();
      return `${link(o.asset).replace('](', `.${o.column}](`)}${how === 'identity' ? '' : ` (${how})`}`;
    })
    .join(', ');
}

function columns(asset: AnyAsset, resolved: readonly ResolvedColumn[] | undefined): string {
  const byName = new Map((resolved ?? []).map((c) => [c.column, c]));
  const rows = schemaColumns(asset.schema).map((c) => {
    const r = byName.get(c.name);
    return [
      code(c.name),
      code(c.type),
      c.nullable ? 'yes' : 'no',
      markdownCell(c.description),
      r ? classCell(r) : c.pii ? '**PII**' : '',
      r ? lineageCell(r) : '',
    ];
  });
  if (rows.length === 0) return '**Columns**: none declared.';
  return `**Columns**\n\n${markdownTable(['Column', 'Type', 'Nullable', 'Description', 'Class', 'Computed from'], rows)}`;
}

/**
 * The data dictionary of a code location as markdown: a contents list by group, then one section per
 * asset with its description, group, partitions, IO kind, owners, tags, upstream and downstream
 * assets, checks, and a column table (name, DuckDB type, nullable, description, PII flag) built
 * from the asset's zod schema. Deterministic: no timestamps, stable order.
 *
 * @example
 * writeFileSync('docs/data-dictionary.md', dataDictionaryMarkdown(definitions, { notes }));
 */
export function dataDictionaryMarkdown(
  definitions: Definitions,
  options: DataDictionaryOptions = {},
): string {
  const groups = assetsByGroup(definitions.graph);
  const assetCount = groups.reduce((n, g) => n + g.assets.length, 0);
  const piiCount = options.classification
    ? [...options.classification.columns.values()].reduce(
        (n, cols) => n + cols.filter((c) => c.piiKind).length,
        0,
      )
    : definitions.assets.reduce((n, a) => n + schemaColumns(a.schema).filter((c) => c.pii).length, 0);
  const out: string[] = [
    '<!-- Generated by `shopflow docs` from the asset definitions: do not edit by hand. Add notes for an asset in dictionary-notes/<asset>.md. -->',
    '',
    '# Data dictionary',
    '',
    `${assetCount} assets in ${groups.length} groups; ${piiCount} columns hold personal data (PII). Every column has a class (public, internal, confidential, restricted): declared on the column, or inherited from the strictest of the columns it is computed from (read from the asset's SQL), unless a mask or an aggregate reduces it; *Computed from* shows that column-level lineage. Column types are the types the lake stores (DuckDB names); a table stored elsewhere holds the matching type, e.g. \`DECIMAL(12,2)\` is PostgreSQL's \`numeric(12,2)\` and \`BIGINT\` any integer type. The lineage graph is in [lineage.md](lineage.md).`,
    '',
    '## Contents',
    '',
    ...groups.map((g) => `- **${g.group}**: ${g.assets.map((a) => link(a.key)).join(', ')}`),
  ];
  for (const { assets } of groups) {
    for (const asset of assets) {
      out.push(
        '',
        `## ${code(asset.key)}`,
        '',
        markdownText(asset.description.trim()),
        '',
        properties(asset, definitions),
      );
      out.push('', checks(asset), '', columns(asset, options.classification?.columns.get(asset.key)));
      const note = options.notes?.[asset.key]?.trim();
      if (note) out.push('', note);
    }
  }
  return `${out.join('\n')}\n`;
}
