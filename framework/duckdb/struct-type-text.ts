/**
 * The fields of a DuckDB STRUCT type as DuckDB writes it (`typeof(row)`):
 * `STRUCT(id BIGINT, "first name" VARCHAR, price DECIMAL(12,2), tags VARCHAR[])`, each field's type
 * in DuckDB's own text (the text `DESCRIBE` shows). Names are unquoted (`"a""b"` → `a"b`). Returns
 * `undefined` for text that is not a STRUCT type.
 *
 * @example
 * structFields('STRUCT(id BIGINT, "order" VARCHAR)') // [{ name: 'id', type: 'BIGINT' }, { name: 'order', type: 'VARCHAR' }]
 */
export function structFields(text: string): Array<{ name: string; type: string }> | undefined {
  if (!text.startsWith('STRUCT(') || !text.endsWith(')')) return undefined;
  const body = text.slice('STRUCT('.length, -1);
  const fields: Array<{ name: string; type: string }> = [];
  let i = 0;
  while (i < body.length) {
    let name: string;
    if (body[i] === '"') {
      name = '';
      i++;
      for (;;) {
        if (i >= body.length) return undefined;
        if (body[i] === '"') {
          if (body[i + 1] === '"') {
            name += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += body[i++];
      }
    } else {
      const space = body.indexOf(' ', i);
      if (space < 0) return undefined;
      name = body.slice(i, space);
      i = space;
    }
    if (body[i] !== ' ') return undefined;
    i++;
    // NOTE: the type runs to the next comma outside parentheses, brackets and quoted text
    // (ENUM('a, b'), nested STRUCT field names in double quotes).
    const start = i;
    let depth = 0;
    let quote: string | null = null;
    for (; i < body.length; i++) {
      const c = body[i];
      if (quote) {
        if (c === quote) {
          if (body[i + 1] === quote) i++;
          else quote = null;
        }
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '(' || c === '[') depth++;
      else if (c === ')' || c === ']') depth--;
      else if (c === ',' && depth === 0) break;
    }
    if (quote || depth !== 0) return undefined;
    fields.push({ name, type: body.slice(start, i) });
    if (i < body.length) {
      if (body[i + 1] !== ' ') return undefined;
      i += 2;
    }
  }
  return fields;
}
