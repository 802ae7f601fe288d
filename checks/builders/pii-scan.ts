import {
  type AssetCheck,
  type CheckSeverity,
  type ColumnFinding,
  classifySample,
  defineCheck,
  type NameVocabulary,
  quoteIdentifier,
} from '../../framework/index.js';

const KIND_TEXT: Record<ColumnFinding['kind'], string> = {
  email: 'e-mail addresses',
  phone: 'phone numbers',
  card_number: 'payment card numbers (Luhn-valid)',
  iban: 'IBANs (mod-97-valid)',
  person_name: 'person names',
};

/**
 * A sample of the written rows (`sampleRows`, repeatable) holds no personal data in a text column
 * that is not declared PII: e-mail addresses, phone numbers, card numbers, IBANs, or person names
 * from `names`. A column is flagged when at least a fifth of its sampled values (and 3 or more)
 * are of one kind; the failure names the column, the kind and how many values, never the values.
 * Declared PII columns (`.meta({ pii: true })`) are not scanned: they are masked wherever data
 * reaches people.
 *
 * @example
 * checks: [piiScan({ names: simulatorNameVocabulary })]
 */
export function piiScan(
  options: {
    /** The person names to recognise, or a function giving them when the check first runs. */
    names?: NameVocabulary | (() => NameVocabulary);
    sampleRows?: number;
    name?: string;
    severity?: CheckSeverity;
  } = {},
): AssetCheck {
  const sampleRows = options.sampleRows ?? 500;
  return defineCheck({
    name: options.name ?? 'no_undeclared_pii',
    severity: options.severity ?? 'error',
    description:
      'no text column holds e-mail addresses, phone numbers, card numbers, IBANs or person names unless declared PII',
    async evaluate({ duckdb, data, columns }) {
      const text = columns.filter((c) => !c.pii && c.type === 'VARCHAR');
      if (text.length === 0)
        return { passed: true, message: 'no undeclared text column to scan', metadata: {} };
      const rows = await duckdb.query(
        `select ${text.map((c) => quoteIdentifier(c.name)).join(', ')} from ${data.toSql()}
         using sample reservoir(${sampleRows} rows) repeatable (7)`,
      );
      const names = typeof options.names === 'function' ? options.names() : options.names;
      const findings = text
        .map((c) =>
          classifySample(
            c.name,
            rows.map((r) => r[c.name]),
            names,
          ),
        )
        .filter((f): f is ColumnFinding => f !== undefined);
      return {
        passed: findings.length === 0,
        message:
          findings.length === 0
            ? `${text.length} undeclared text column${text.length === 1 ? '' : 's'}, ${rows.length} sampled rows: no personal data`
            : `${findings
                .map(
                  (f) =>
                    `\`${f.column}\` holds ${KIND_TEXT[f.kind]} (${f.matches} of ${f.sampled} sampled values)`,
                )
                .join(
                  '; ',
                )} but is not declared PII: declare it with .meta({ pii: true }) or stop writing it`,
        metadata: { findings, sampled: rows.length },
      };
    },
  });
}
