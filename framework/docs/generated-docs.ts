import type { Definitions } from '../definitions/define-definitions.js';
import type { GraphClassification } from '../governance/graph-classification.js';
import { dataDictionaryMarkdown } from './data-dictionary-markdown.js';
import { lineageMarkdown } from './lineage-mermaid.js';

/** One generated documentation file: its name inside the docs folder and its full content. */
export interface GeneratedDoc {
  name: string;
  content: string;
}

/**
 * Every file `shopflow docs` writes, in a fixed order: `data-dictionary.md` and `lineage.md`.
 *
 * @example
 * for (const doc of generatedDocs(definitions)) writeFileSync(join('docs', doc.name), doc.content);
 */
export function generatedDocs(
  definitions: Definitions,
  options: { notes?: Readonly<Record<string, string>>; classification?: GraphClassification } = {},
): GeneratedDoc[] {
  return [
    {
      name: 'data-dictionary.md',
      content: dataDictionaryMarkdown(definitions, {
        notes: options.notes,
        classification: options.classification,
      }),
    },
    { name: 'lineage.md', content: lineageMarkdown(definitions) },
  ];
}
