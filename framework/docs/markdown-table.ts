/**
 * Plain text made safe for markdown prose: a `<` outside code spans is escaped, so text such as
 * `data/raw/<day>/` is not swallowed as an HTML tag. Code spans are left as written.
 *
 * @example
 * markdownText('files in data/raw/<day>/, e.g. `a < b`'); // 'files in data/raw/&lt;day>/, e.g. `a < b`'
 */
export function markdownText(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part) =>
      part.startsWith('`') && part.endsWith('`') && part.length > 1 ? part : part.replace(/</g, '&lt;'),
    )
    .join('');
}

/**
 * Text made safe for one cell of a markdown table: pipes escaped, line breaks turned into `<br>`,
 * `<` escaped outside code spans (see {@link markdownText}).
 *
 * @example
 * markdownCell('a | b\nc'); // 'a \\| b<br>c'
 */
export function markdownCell(text: string): string {
  return markdownText(text.trim()).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/**
 * A GitHub-flavoured markdown table. Cells are used as given (escape them with {@link markdownCell}).
 *
 * @example
 * markdownTable(['Column', 'Type'], [['`id`', '`BIGINT`']]);
 * // '| Column | Type |\n|---|---|\n| `id` | `BIGINT` |'
 */
export function markdownTable(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c || ' ').join(' | ')} |`;
  return [line(headers), `|${headers.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}
