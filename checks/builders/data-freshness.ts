import { type AssetCheck, type CheckSeverity, defineCheck, quoteIdentifier } from '../../framework/index.js';

/**
 * The newest value of a timestamp column is no older than `maxLagHours` before the end of the
 * partition being checked (or before the time of the check for an unpartitioned asset): the data
 * is as recent as the window it claims to cover.
 *
 * @example
 * dataFreshness('transaction_ts', { maxLagHours: 6 })
 */
export function dataFreshness(
  column: string,
  options: {
    maxLagHours: number;
    name?: string;
    severity?: CheckSeverity;
    partitionEnd?: (partitionKey: string) => Date;
  },
): AssetCheck {
  return defineCheck({
    name: options.name ?? `${column}_fresh`,
    severity: options.severity ?? 'warn',
    description: `newest ${column} is at most ${options.maxLagHours} h older than the end of its window`,
    async evaluate({ duckdb, data, partitionKey }) {
      const [row] = await duckdb.query(
        `SELECT max(CAST(${quoteIdentifier(column)} AS TIMESTAMPTZ))::VARCHAR AS newest FROM ${data.toSql()}`,
      );
      const newest = row?.newest
        ? new Date(String(row.newest).replace(' ', 'T').replace(/\+00$/, 'Z'))
        : null;
      const reference =
        partitionKey && options.partitionEnd
          ? options.partitionEnd(partitionKey)
          : partitionKey
            ? new Date(`${partitionKey}T23:59:59Z`)
            : new Date();
      if (!newest || Number.isNaN(newest.getTime()))
        return { passed: false, message: `no ${column} values`, metadata: {} };
      const lagHours = (reference.getTime() - newest.getTime()) / 3_600_000;
      return {
        passed: lagHours <= options.maxLagHours,
        message: `newest ${column} ${newest.toISOString()} is ${lagHours.toFixed(1)} h before ${reference.toISOString()}`,
        metadata: {
          newest: newest.toISOString(),
          lagHours: Number(lagHours.toFixed(2)),
          maxLagHours: options.maxLagHours,
        },
      };
    },
  });
}
