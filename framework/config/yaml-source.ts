import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { ShopflowError } from '../errors/error-catalog.js';

/** A parsed YAML file that can point back at where a field was written. */
export interface YamlSource {
  /** The document as plain JavaScript values (`null` for an empty file). */
  value: unknown;
  /** `file:line:column` of the deepest existing node on `path`, or `file` when nothing matches. */
  locate(path: readonly PropertyKey[]): string;
}

/**
 * Parses one YAML document, keeping positions so that later errors can name `file:line:column`.
 * A syntax error is a `SF_CONFIG_INVALID` naming the position.
 *
 * @example
 * const source = parseYamlSource('executor:\n  concurrency: 0\n', 'config/dev.yaml');
 * source.locate(['executor', 'concurrency']); // 'config/dev.yaml:2:3'
 */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };

  const [error] = document.errors;
  if (error) {
    const where = position(error.pos[0]);
    const what =
      error.code === 'MULTIPLE_DOCS'
        ? 'the file holds more than one YAML document'
        : error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new ShopflowError('SF_CONFIG_INVALID', `YAML syntax error at ${where}: ${what}`, {
      hint:
        error.code === 'MULTIPLE_DOCS'
          ? `fix: keep one document in ${file} (remove the \`---\` separator)`
          : `fix: correct the YAML at ${where} (indent with spaces, quote values containing \`: \` or \`#\`)`,
      details: { file, yamlCode: error.code },
    });
  }

  return {
    value: document.toJS(),
    locate(path) {
      let node: unknown = document.contents;
      let offset: number | undefined = (node as { range?: [number] } | null)?.range?.[0];
      for (const segment of path) {
        if (isMap(node)) {
          const pair = node.items.find(
            (item) => isScalar(item.key) && String(item.key.value) === String(segment),
          );
          if (!pair) break;
          offset = isScalar(pair.key) ? pair.key.range?.[0] : offset;
          node = pair.value;
        } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
          node = node.items[segment];
          offset = (node as { range?: [number] }).range?.[0] ?? offset;
        } else {
          break;
        }
      }
      return offset === undefined ? file : position(offset);
    },
  };
}
