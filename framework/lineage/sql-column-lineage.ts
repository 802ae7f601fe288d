/**
 * Column-level lineage of one DuckDB `SELECT`, read from DuckDB's own parse tree
 * (`json_serialize_sql`): for every output column, the input columns its values are computed from
 * and how (copied, transformed, aggregated, masked). Only values count: columns that merely filter,
 * join, group or order rows (WHERE, ON, GROUP BY, window PARTITION BY) are not sources.
 */

/** How an output column is derived from one input column (OpenLineage's transformation subtypes). */
export type ColumnTransform = 'IDENTITY' | 'TRANSFORMATION' | 'AGGREGATION';

/** One input column an output column is computed from. */
export interface ColumnOrigin {
  /** The input relation's name as the statement's caller mapped it (an asset key). */
  asset: string;
  column: string;
  transform: ColumnTransform;
  /** A hash (md5, sha256, …) was applied: the value is a pseudonym of the input. */
  masked: boolean;
  /**
   * The output no longer carries the input's values: masked, or aggregated by a function that
   * reduces many values to a measure (count, sum, avg …; not min, max, first or list).
   */
  reduced: boolean;
}

/** The lineage of one output column. */
export interface OutputColumnLineage {
  column: string;
  origins: ColumnOrigin[];
  /** References the parser could not trace to an input (an unknown table or file, `COLUMNS(…)`). */
  unresolved: string[];
}

/** The inputs a statement may name: a relation name (as the statement spells it) → asset and columns. */
export type LineageInputs = ReadonlyMap<string, { asset: string; columns: readonly string[] }>;

type Node = Record<string, any>;

interface Lineage {
  origins: ColumnOrigin[];
  unresolved: string[];
}

interface Relation {
  /** Columns in order; null when unknown (a file, a table function over constants). */
  columns: Array<{ name: string; lineage: Lineage }> | null;
  /** For a relation with unknown columns: what any of its columns is computed from (null = untraceable). */
  any: Lineage | null;
  label: string;
}

interface Scope {
  entries: Array<{ alias: string; relation: Relation }>;
  parent: Scope | null;
  ctes: ReadonlyMap<string, Relation>;
  lambdas: ReadonlySet<string>;
  /** Output columns of the select list so far (DuckDB lets later items name earlier aliases). */
  aliases: Map<string, Lineage>;
  inputs: LineageInputs;
}

const RANK: Record<ColumnTransform, number> = { IDENTITY: 0, TRANSFORMATION: 1, AGGREGATION: 2 };

const MASKING = new Set([
  'md5',
  'md5_number',
  'md5_number_lower',
  'md5_number_upper',
  'sha1',
  'sha256',
  'hash',
]);

const REDUCING = new Set([
  'count',
  'count_star',
  'count_if',
  'countif',
  'sum',
  'sum_no_overflow',
  'fsum',
  'kahan_sum',
  'sumkahan',
  'avg',
  'mean',
  'favg',
  'median',
  'quantile',
  'quantile_cont',
  'quantile_disc',
  'approx_quantile',
  'stddev',
  'stddev_pop',
  'stddev_samp',
  'var_pop',
  'var_samp',
  'variance',
  'approx_count_distinct',
  'corr',
  'covar_pop',
  'covar_samp',
  'entropy',
  'kurtosis',
  'skewness',
  'mad',
  'product',
  'bool_and',
  'bool_or',
  'bit_and',
  'bit_or',
  'bit_xor',
  'regr_avgx',
  'regr_avgy',
  'regr_count',
  'regr_intercept',
  'regr_r2',
  'regr_slope',
  'regr_sxx',
  'regr_sxy',
  'regr_syy',
  'row_number',
  'rank',
  'dense_rank',
  'ntile',
  'percent_rank',
  'cume_dist',
]);

const PRESERVING_AGGREGATES = new Set([
  'min',
  'max',
  'first',
  'last',
  'any_value',
  'arbitrary',
  'arg_min',
  'arg_max',
  'argmin',
  'argmax',
  'min_by',
  'max_by',
  'arg_min_null',
  'arg_max_null',
  'list',
  'array_agg',
  'string_agg',
  'group_concat',
  'listagg',
  'mode',
  'histogram',
  'lag',
  'lead',
  'first_value',
  'last_value',
  'nth_value',
]);

const NONE: Lineage = { origins: [], unresolved: [] };

function merge(parts: readonly Lineage[]): Lineage {
  const byColumn = new Map<string, ColumnOrigin>();
  const unresolved = new Set<string>();
  for (const part of parts) {
    for (const u of part.unresolved) unresolved.add(u);
    for (const o of part.origins) {
      const key = `${o.asset}\u0000${o.column}`;
      const seen = byColumn.get(key);
      if (!seen) byColumn.set(key, { ...o });
      else {
        if (RANK[o.transform] > RANK[seen.transform]) seen.transform = o.transform;
        // NOTE: a column that reaches the output both masked and in clear is in clear.
        seen.masked &&= o.masked;
        seen.reduced &&= o.reduced;
      }
    }
  }
  return { origins: [...byColumn.values()], unresolved: [...unresolved] };
}

function apply(
  lineage: Lineage,
  change: { transform: ColumnTransform; masked?: boolean; reduced?: boolean },
) {
  return {
    unresolved: lineage.unresolved,
    origins: lineage.origins.map((o) => ({
      ...o,
      transform: RANK[change.transform] > RANK[o.transform] ? change.transform : o.transform,
      masked: o.masked || change.masked === true,
      reduced: o.reduced || change.reduced === true,
    })),
  };
}

function isExpression(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).class === 'string';
}

/** Every expression directly inside `node` (its properties, arrays of them), except the named keys. */
function childExpressions(node: Node, skip: ReadonlySet<string>): Node[] {
  const found: Node[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (isExpression(value)) found.push(value);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(visit);
  };
  for (const [key, value] of Object.entries(node)) if (!skip.has(key)) visit(value);
  return found;
}

const lower = (name: string) => name.toLowerCase();

function lookup(relation: Relation, name: string): Lineage | undefined {
  if (relation.columns === null)
    return relation.any ?? { origins: [], unresolved: [`${relation.label}.${name}`] };
  return relation.columns.find((c) => lower(c.name) === name)?.lineage;
}

function resolveColumn(parts: string[], scope: Scope): Lineage {
  const names = parts.map(lower);
  const [first] = names;
  if (names.length === 1 && scope.lambdas.has(first!)) return NONE;
  for (let s: Scope | null = scope; s; s = s.parent) {
    if (names.length >= 2) {
      // NOTE: `t.col`, `t.col.field` or `col.field` (a struct field).
      const qualified = s.entries.find((e) => lower(e.alias) === first);
      if (qualified) {
        const found = lookup(qualified.relation, names[1]!);
        if (found) return found;
      }
    }
    const matches = s.entries
      .map((e) => (e.relation.columns === null ? undefined : lookup(e.relation, first!)))
      .filter((l): l is Lineage => l !== undefined);
    if (matches.length) return merge(matches);
    const alias = s.aliases.get(first!);
    if (alias) return alias;
    const opaque = s.entries.filter((e) => e.relation.columns === null);
    if (opaque.length) return merge(opaque.map((e) => lookup(e.relation, first!)!));
  }
  return { origins: [], unresolved: [parts.join('.')] };
}

function functionLineage(node: Node, scope: Scope): Lineage {
  const name = lower(String(node.function_name ?? ''));
  // NOTE: window PARTITION BY / ORDER BY and FILTER pick rows, they do not carry values.
  const args = merge(
    childExpressions(node, new Set(['partitions', 'orders', 'filter', 'filter_expr', 'order_bys'])).map((c) =>
      expressionLineage(c, scope),
    ),
  );
  if (MASKING.has(name)) return apply(args, { transform: 'TRANSFORMATION', masked: true, reduced: true });
  if (REDUCING.has(name)) return apply(args, { transform: 'AGGREGATION', reduced: true });
  if (PRESERVING_AGGREGATES.has(name)) return apply(args, { transform: 'AGGREGATION' });
  return apply(args, { transform: 'TRANSFORMATION' });
}

function expressionLineage(node: Node, scope: Scope): Lineage {
  switch (node.class) {
    case 'CONSTANT':
    case 'PARAMETER':
    case 'DEFAULT':
      return NONE;
    case 'COLUMN_REF':
      return resolveColumn(node.column_names as string[], scope);
    case 'STAR':
      return { origins: [], unresolved: ['*'] };
    case 'FUNCTION':
    case 'AGGREGATE':
    case 'WINDOW':
      return functionLineage(node, scope);
    case 'LAMBDA': {
      const params = childExpressions({ lhs: node.lhs }, new Set())
        .flatMap((p) => (p.class === 'COLUMN_REF' ? [p] : childExpressions(p, new Set())))
        .filter((p) => p.class === 'COLUMN_REF')
        .map((p) => lower((p.column_names as string[]).at(-1)!));
      return expressionLineage(node.expr, { ...scope, lambdas: new Set([...scope.lambdas, ...params]) });
    }
    case 'SUBQUERY': {
      const relation = nodeRelation(node.subquery.node, { ...scope, entries: [] }, scope);
      const outputs = relation.columns?.map((c) => c.lineage) ?? [
        relation.any ?? { origins: [], unresolved: ['subquery'] },
      ];
      const child = node.child ? [expressionLineage(node.child, scope)] : [];
      return apply(merge([...outputs, ...child]), { transform: 'TRANSFORMATION' });
    }
    default:
      return apply(merge(childExpressions(node, new Set()).map((c) => expressionLineage(c, scope))), {
        transform: 'TRANSFORMATION',
      });
  }
}

function renamed(relation: Relation, aliases: readonly string[] | undefined): Relation {
  if (!aliases?.length || relation.columns === null) return relation;
  return {
    ...relation,
    columns: relation.columns.map((c, i) => ({ name: aliases[i] ?? c.name, lineage: c.lineage })),
  };
}

function tableRelation(ref: Node, scope: Scope, left: Scope['entries']): Scope['entries'] {
  switch (ref.type) {
    case 'EMPTY':
    case 'EMPTY_FROM':
      return [];
    case 'BASE_TABLE': {
      const name = String(ref.table_name);
      const alias = ref.alias || name;
      const cte = scope.ctes.get(lower(name));
      if (cte) return [{ alias, relation: renamed(cte, ref.column_name_alias) }];
      const input = scope.inputs.get(name);
      if (input) {
        const relation: Relation = {
          label: name,
          any: null,
          columns: input.columns.map((column) => ({
            name: column,
            lineage: {
              origins: [{ asset: input.asset, column, transform: 'IDENTITY', masked: false, reduced: false }],
              unresolved: [],
            },
          })),
        };
        return [{ alias, relation: renamed(relation, ref.column_name_alias) }];
      }
      return [{ alias, relation: { label: name, columns: null, any: null } }];
    }
    case 'SUBQUERY': {
      const relation = nodeRelation(ref.subquery.node, { ...scope, entries: [] }, null);
      return [{ alias: ref.alias || 'unnamed_subquery', relation: renamed(relation, ref.column_name_alias) }];
    }
    case 'JOIN': {
      const leftEntries = tableRelation(ref.left, scope, left);
      return [...leftEntries, ...tableRelation(ref.right, scope, [...left, ...leftEntries])];
    }
    case 'TABLE_FUNCTION': {
      // NOTE: a table function over columns (unnest(list)) carries them; over constants (a file) it is untraceable.
      const args = expressionLineage(ref.function, { ...scope, entries: left });
      const label = String(ref.function?.function_name ?? 'table_function');
      const any = args.origins.length || args.unresolved.length ? args : null;
      const names: string[] = ref.column_name_alias ?? [];
      const relation: Relation = names.length
        ? {
            label,
            any,
            columns: names.map((name) => ({
              name,
              lineage: any ?? { origins: [], unresolved: [`${label}.${name}`] },
            })),
          }
        : { label, any, columns: null };
      return [{ alias: ref.alias || label, relation }];
    }
    case 'EXPRESSION_LIST': {
      const rows = ref.values as Node[][];
      const width = rows[0]?.length ?? 0;
      const columns = Array.from({ length: width }, (_, i) => ({
        name: ref.expected_names?.[i] ?? `col${i}`,
        lineage: merge(rows.map((row) => expressionLineage(row[i]!, { ...scope, entries: left }))),
      }));
      return [{ alias: ref.alias || 'valueslist', relation: { label: 'values', any: null, columns } }];
    }
    default:
      return [
        {
          alias: ref.alias || String(ref.type),
          relation: { label: String(ref.type), columns: null, any: null },
        },
      ];
  }
}

function withCtes(node: Node, scope: Scope): Scope {
  const entries = (node.cte_map?.map ?? []) as Array<{ key: string; value: Node }>;
  if (!entries.length) return scope;
  const ctes = new Map(scope.ctes);
  for (const { key, value } of entries) {
    const relation = nodeRelation(value.query.node, { ...scope, ctes, entries: [] }, null);
    ctes.set(lower(key), renamed(relation, value.aliases));
  }
  return { ...scope, ctes };
}

function starColumns(star: Node, scope: Scope): Array<{ name: string; lineage: Lineage }> {
  const exclude = new Set(
    [
      ...(star.exclude_list ?? []),
      ...(star.qualified_exclude_list ?? []).map((q: Node) => q.column ?? q),
    ].map((n: unknown) => lower(String(n))),
  );
  const replace = new Map<string, Node>(
    (star.replace_list ?? []).map((r: { key: string; value: Node }) => [lower(r.key), r.value]),
  );
  const rename = new Map<string, string>(
    (star.rename_list ?? []).map((r: { key: { column: string }; value: string }) => [
      lower(r.key.column),
      r.value,
    ]),
  );
  const relationName = star.relation_name ? lower(String(star.relation_name)) : '';
  const out: Array<{ name: string; lineage: Lineage }> = [];
  const seen = new Set<string>();
  for (const entry of scope.entries) {
    if (relationName && lower(entry.alias) !== relationName) continue;
    if (entry.relation.columns === null) {
      out.push({
        name: '*',
        lineage: entry.relation.any ?? { origins: [], unresolved: [`${entry.relation.label}.*`] },
      });
      continue;
    }
    for (const column of entry.relation.columns) {
      const name = lower(column.name);
      // NOTE: an unqualified star lists a USING/NATURAL join column once.
      if (exclude.has(name) || (!relationName && seen.has(name))) continue;
      seen.add(name);
      const replacement = replace.get(name);
      out.push({
        name: rename.get(name) ?? column.name,
        lineage: replacement ? expressionLineage(replacement, scope) : column.lineage,
      });
    }
  }
  return out;
}

function outputName(expr: Node, index: number): string {
  if (expr.alias) return String(expr.alias);
  if (expr.class === 'COLUMN_REF') return String((expr.column_names as string[]).at(-1));
  return `#${index + 1}`;
}

function selectRelation(node: Node, outer: Scope, parent: Scope | null): Relation {
  const withCte = withCtes(node, outer);
  const scope: Scope = {
    ...withCte,
    entries: [],
    parent,
    aliases: new Map(),
  };
  scope.entries = node.from_table ? tableRelation(node.from_table, scope, []) : [];
  const columns: Array<{ name: string; lineage: Lineage }> = [];
  (node.select_list as Node[]).forEach((expr, index) => {
    if (expr.class === 'STAR' && !expr.columns && !expr.expr) {
      columns.push(...starColumns(expr, scope));
      return;
    }
    const lineage = expressionLineage(expr, scope);
    const name = outputName(expr, index);
    scope.aliases.set(lower(name), lineage);
    columns.push({ name, lineage });
  });
  return { label: 'select', any: null, columns };
}

function nodeRelation(node: Node, outer: Scope, parent: Scope | null): Relation {
  switch (node.type) {
    case 'SELECT_NODE':
      return selectRelation(node, outer, parent);
    case 'SET_OPERATION_NODE':
    case 'RECURSIVE_CTE_NODE': {
      const scope = withCtes(node, outer);
      const left = nodeRelation(node.left, scope, parent);
      const ctes =
        node.type === 'RECURSIVE_CTE_NODE' && node.ctename
          ? new Map([...scope.ctes, [lower(String(node.ctename)), left]])
          : scope.ctes;
      const right = nodeRelation(node.right, { ...scope, ctes }, parent);
      if (left.columns === null || right.columns === null) {
        return { label: 'set operation', columns: null, any: merge([left.any ?? NONE, right.any ?? NONE]) };
      }
      const byName = String(node.setop_type ?? '').includes('BY_NAME');
      const names = [...left.columns.map((c) => c.name)];
      if (byName)
        for (const c of right.columns) if (!names.some((n) => lower(n) === lower(c.name))) names.push(c.name);
      return {
        label: 'set operation',
        any: null,
        columns: names.map((name, i) => {
          const pick = (r: Relation) =>
            byName ? r.columns!.find((c) => lower(c.name) === lower(name))?.lineage : r.columns![i]?.lineage;
          return { name, lineage: merge([pick(left) ?? NONE, pick(right) ?? NONE]) };
        }),
      };
    }
    default:
      return { label: String(node.type), columns: null, any: null };
  }
}

/**
 * The lineage of every output column of a parsed statement (the JSON of DuckDB's
 * `json_serialize_sql`), in output order.
 *
 * @example
 * const ast = await parseDuckDbSql(duckdb, 'select upper(email) as e from "in:customers"');
 * columnLineageOf(ast, new Map([['in:customers', { asset: 'silver_customers', columns: ['email'] }]]));
 * // [{ column: 'e', origins: [{ asset: 'silver_customers', column: 'email', transform: 'TRANSFORMATION', … }], unresolved: [] }]
 */
export function columnLineageOf(parsed: Node, inputs: LineageInputs): OutputColumnLineage[] {
  if (parsed.error) throw new Error(String(parsed.error_message ?? 'the statement does not parse'));
  const statement = parsed.statements?.[0]?.node;
  if (!statement) throw new Error('the parse tree holds no statement');
  const root: Scope = {
    entries: [],
    parent: null,
    ctes: new Map(),
    lambdas: new Set(),
    aliases: new Map(),
    inputs,
  };
  const relation = nodeRelation(statement, root, null);
  if (relation.columns === null) return [];
  return relation.columns.map((c) => ({
    column: c.name,
    origins: c.lineage.origins,
    unresolved: c.lineage.unresolved,
  }));
}
