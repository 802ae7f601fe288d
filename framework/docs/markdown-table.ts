/**
 * Text made safe for one cell of a markdown table: pipes escaped, line breaks turned into `<br>`.
 *
 * @example
 * markdownCell('a | b\nc'); // 'a \\| b<br>c'
 */
export function markdownCell(text: string): string {
  return text.trim().replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
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
