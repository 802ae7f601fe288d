import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import shopflow from '../../../assets/definitions.js';
import { dataDictionaryMarkdown } from '../../../framework/docs/data-dictionary-markdown.js';
import { generatedDocs } from '../../../framework/docs/generated-docs.js';
import { lineageMarkdown, lineageMermaid } from '../../../framework/docs/lineage-mermaid.js';
import { markdownText } from '../../../framework/docs/markdown-table.js';
import { readDictionaryNotes } from '../../../framework/docs/read-dictionary-notes.js';
import { DuckDbEngine } from '../../../framework/duckdb/duckdb-session.js';
import { graphClassification } from '../../../framework/governance/graph-classification.js';
import { defineAsset, defineDefinitions, isShopflowError, schemaColumns } from '../../../framework/index.js';
import { exampleDefinitions } from '../../fixtures/example-graph.js';
import { tempHome } from '../../support/example-runtime.js';

/** The lines of one asset's section (from its heading to the next asset heading). */
function section(markdown: string, key: string): string {
  const start = markdown.indexOf(`\n## \`${key}\`\n`);
  expect(start).toBeGreaterThan(-1);
  const next = markdown.indexOf('\n## `', start + 1);
  return markdown.slice(start, next === -1 ? undefined : next);
}

describe('dataDictionaryMarkdown', () => {
  test('every ShopFlow asset has a section listing every column with its type, nullability and class', async () => {
    const engine = new DuckDbEngine();
    const classification = await graphClassification(shopflow.graph, () => engine.session()).finally(() =>
      engine.close(),
    );
    expect(classification.problems).toEqual([]);
    const markdown = dataDictionaryMarkdown(shopflow, { classification });
    for (const asset of shopflow.assets) {
      const text = section(markdown, asset.key);
      expect(text).toContain(markdownText(asset.description.trim()));
      expect(text).toContain(`| Group | \`${asset.group}\` |`);
      expect(text).toContain(`| IO | \`${asset.io.kind}\` |`);
      for (const check of asset.checks) expect(text).toContain(`| \`${check.name}\` |`);
      for (const column of schemaColumns(asset.schema)) {
        const row = text
          .split('\n')
          .find((line) => line.startsWith(`| \`${column.name}\` | \`${column.type}\` |`));
        expect(row, `${asset.key}.${column.name}`).toBeDefined();
        expect(row).toContain(column.nullable ? '| yes |' : '| no |');
        expect(row).not.toContain('**unclassified**');
        // NOTE: declared personal data shows its kind; so may inherited personal data.
        if (column.pii) expect(row).toMatch(/\| (confidential|restricted) \(\w+\), declared \|/);
      }
    }
    const customers = section(markdown, 'silver_customers');
    expect(customers).toContain(
      '| `email` | `VARCHAR` | no | Email address, lower case | confidential (email), declared | [`raw_customers`.email](#raw_customers) (transformation) |',
    );
    expect(customers).toContain(
      '| `customer_id` | `BIGINT` | no | Natural key of the customer | internal, inherited | [`raw_customers`.customer_id](#raw_customers) (transformation) |',
    );
    expect(customers).toContain('| Owners | data-platform |');
  });

  test('partitions, owners, tags, dependencies both ways, checks and the contents list', () => {
    const markdown = dataDictionaryMarkdown(exampleDefinitions());
    expect(markdown).toContain('- **raw**: [`readings`](#readings)');
    const readings = section(markdown, 'readings');
    expect(readings).toContain('| Partitions | daily from 2024-01-01 (UTC) |');
    expect(readings).toContain('| Downstream | [`daily_stats`](#daily_stats) |');
    expect(readings).toContain(
      '| `temperature_plausible` | error (blocking) |   | every row satisfies `temperature > -90` |',
    );
    const summary = section(markdown, 'station_summary');
    expect(summary).toContain('| Partitions | none |');
    expect(summary).toContain('| Tags | `report` |');
    expect(summary).toContain(
      '| Upstream | [`stations`](#stations), [`daily_stats`](#daily_stats) (all-partitions mapping) |',
    );
    expect(summary).toContain('| `three_stations` | warn |   | one row per station |');
    expect(section(markdown, 'notes')).toContain('| IO | `none` |');
  });

  test('deterministic: the same definitions give the same text, with no timestamps', () => {
    const first = generatedDocs(shopflow);
    expect(generatedDocs(shopflow)).toEqual(first);
    for (const doc of first) expect(doc.content).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
  });

  test('notes are appended to their asset section; prose and table cells are escaped', () => {
    const odd = defineAsset({
      key: 'odd',
      description: 'Files in data/raw/<day>/, where `a < b`.',
      schema: z.object({
        a: z.string().describe('left | right').nullable(),
        b: z.string().describe('one <tag> and\nnew lines'),
      }),
      materialize: () => [],
    });
    const markdown = dataDictionaryMarkdown(
      defineDefinitions({ assets: [...exampleDefinitions().assets, odd] }),
      {
        notes: { readings: '### Formula\n\nCLV = AOV × frequency × lifespan\n' },
      },
    );
    const readings = section(markdown, 'readings');
    expect(readings.trimEnd().endsWith('### Formula\n\nCLV = AOV × frequency × lifespan')).toBe(true);
    const oddSection = section(markdown, 'odd');
    expect(oddSection).toContain('\nFiles in data/raw/&lt;day>/, where `a < b`.\n');
    expect(oddSection).toContain('| `a` | `VARCHAR` | yes | left \\| right |   |');
    expect(oddSection).toContain('| `b` | `VARCHAR` | no | one &lt;tag> and<br>new lines |   |');
  });
});

describe('readDictionaryNotes', () => {
  test('reads <asset>.md files and rejects a note named after no asset, with a suggestion', () => {
    const { home, cleanup } = tempHome('shopflow-notes-');
    try {
      const dir = join(home, 'dictionary-notes');
      mkdirSync(dir);
      writeFileSync(join(dir, 'readings.md'), 'about readings');
      writeFileSync(join(dir, 'README.txt'), 'ignored');
      const definitions = exampleDefinitions();
      expect(readDictionaryNotes(dir, definitions)).toEqual({ readings: 'about readings' });
      expect(readDictionaryNotes(join(home, 'absent'), definitions)).toEqual({});
      writeFileSync(join(dir, 'reading.md'), 'typo');
      let error: unknown;
      try {
        readDictionaryNotes(dir, definitions, { cwd: home });
      } catch (e) {
        error = e;
      }
      expect(isShopflowError(error, 'SF_INPUT_INVALID')).toBe(true);
      expect((error as Error).message).toContain('dictionary-notes/reading.md');
      expect((error as Error).message).toContain('did you mean `readings`?');
    } finally {
      cleanup();
    }
  });
});

describe('lineageMermaid', () => {
  test('a flowchart with one subgraph per group, check counts on nodes and one edge per dependency', () => {
    const chart = lineageMermaid(exampleDefinitions());
    const lines = chart.trimEnd().split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(lines).toContain('  subgraph g_raw["raw"]');
    expect(lines).toContain('  subgraph g_derived["derived"]');
    expect(lines).toContain('  subgraph g_reference["reference"]');
    expect(lines).toContain('    a_readings["readings<br/><small>1 check · daily</small>"]:::checked');
    expect(lines).toContain('    a_stations["stations<br/><small>no checks</small>"]:::unchecked');
    const edges = lines.filter((l) => l.includes('-->')).map((l) => l.trim());
    expect(edges.sort()).toEqual(
      [
        'a_daily_stats --> a_station_summary',
        'a_daily_stats --> a_weekly_stats',
        'a_readings --> a_daily_stats',
        'a_stations --> a_station_summary',
      ].sort(),
    );
  });

  test('every ShopFlow asset is a node on one path from the source through the landing zone', () => {
    const chart = lineageMermaid(shopflow);
    for (const asset of shopflow.assets) expect(chart).toContain(`a_${asset.key}["${asset.key}<br/>`);
    const edges = chart.split('\n').map((l) => l.trim());
    // The local extract feeds the landing zone only; validation reads what landed.
    expect(edges.filter((l) => l.startsWith('a_source_files -->'))).toEqual([
      'a_source_files --> a_s3_raw_landing',
    ]);
    for (const dataset of ['customers', 'products', 'transactions', 'clickstream']) {
      expect(edges).toContain(`a_s3_raw_landing --> a_bronze_${dataset}`);
      expect(edges).toContain(`a_bronze_${dataset} --> a_raw_${dataset}`);
    }
    // The database's change log is consumed downstream.
    expect(edges).toContain('a_operational_customer_changes --> a_customer_profile_audit');
    // Transactions are checked against the ids that landed, as of their day.
    for (const edge of [
      'a_bronze_customers --> a_landed_ids',
      'a_bronze_products --> a_landed_ids',
      'a_landed_ids --> a_raw_transactions',
    ]) {
      expect(edges.filter((l) => l === edge)).toHaveLength(1);
    }
    expect(lineageMarkdown(shopflow)).toContain('```mermaid\nflowchart LR\n');
  });
});
