import { type AssetCheck, type CheckSeverity, defineCheck, quoteIdentifier } from '../../framework/index.js';

/**
 * `column` equals `total / count` rounded half away from zero to `scale` decimals, compared exactly
 * in whole units (cents for scale 2) with no tolerance: with r = total and a = column in units,
 * |2r − 2a·count| < count, or = count with a the farther from zero. Rows with a zero count must
 * have a NULL `column`. Failing rows are reported with the expected value and the difference in
 * units, e.g. `average_order_value 9.99, expected 10.00 (−1 cent)`.
 *
 * @example
 * roundedAverage('average_order_value', { total: 'revenue', count: 'transactions' })
 */
export function roundedAverage(
  column: string,
  options: { total: string; count: string; scale?: number; name?: string; severity?: CheckSeverity },
): AssetCheck {
  const scale = options.scale ?? 2;
  const factor = `1${'0'.repeat(scale)}`;
  const [value, total, count] = [column, options.total, options.count].map(quoteIdentifier);
  const units = (expression: string) => `(${expression} * ${factor})`;
  // NOTE: the expected value uses DuckDB's integer division (//), not the portable SQL the assets
  // compute with, so the check does not share their arithmetic.
  const r = `cast(${units(total)} as HUGEINT)`;
  const a = `cast(${units(value)} as HUGEINT)`;
  const n = `cast(${count} as HUGEINT)`;
  const ok = `case
      when ${n} is null or ${n} <= 0 then ${value} is null
      when ${units(value)} <> ${a} then false
      else abs(2 * ${r} - 2 * ${a} * ${n}) < ${n}
        or (abs(2 * ${r} - 2 * ${a} * ${n}) = ${n} and abs(${a}) * ${n} > abs(${r}))
    end`;
  return defineCheck({
    name: options.name ?? `${column}_consistent`,
    severity: options.severity ?? 'error',
    description: `${column} is ${options.total} / ${options.count} rounded half away from zero to ${scale} decimals, compared in whole units with no tolerance`,
    // NOTE: a row rule, so the write's one scan counts the failing rows; the rows are read again
    // only to show some when there are any.
    rowRule: { validWhen: ok },
    async evaluate({ duckdb, data, failingRows: counted }) {
      const expected = `case when ${n} > 0 then sign(${r}) * ((2 * abs(${r}) + ${n}) // (2 * ${n})) end`;
      const failing = `select *, ${expected} / ${factor}.0 as expected, (${a} - ${expected})::BIGINT as difference_units
        from ${data.toSql()} where not coalesce((${ok}), false)`;
      const failingRows =
        counted ?? Number((await duckdb.query(`select count(*)::BIGINT as n from (${failing})`))[0]!.n);
      const sample = failingRows > 0 ? await duckdb.query(`${failing} limit 5`) : [];
      const examples = sample
        .slice(0, 3)
        .map(
          (r) =>
            `${r[column]}, expected ${Number(r.expected).toFixed(scale)} (${signed(Number(r.difference_units), scale)})`,
        )
        .join('; ');
      return {
        passed: failingRows === 0,
        message:
          failingRows === 0
            ? `every ${column} is ${options.total} / ${options.count} rounded to ${scale} decimals, exactly`
            : `${failingRows} rows have a ${column} that is not ${options.total} / ${options.count} rounded half away from zero: ${examples}`,
        metadata: { failingRows, sample },
      };
    },
  });
}

function signed(units: number, scale: number): string {
  const unit = scale === 2 ? 'cent' : `unit of 10^-${scale}`;
  return `${units > 0 ? '+' : '−'}${Math.abs(units)} ${unit}${Math.abs(units) === 1 ? '' : 's'}`;
}
