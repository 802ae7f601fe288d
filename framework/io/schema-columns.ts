import { globalRegistry, type z } from 'zod';
import { decimalTypeOf } from '../definitions/decimal-column.js';

/** One column of an asset's schema, as the data dictionary, the web page and the IO targets see it. */
export interface ColumnInfo {
  name: string;
  /** DuckDB type the lake stores it as, e.g. `BIGINT`, `DECIMAL(18,2)` (see `decimal`), `VARCHAR[]`. */
  type: string;
  nullable: boolean;
  description: string;
  pii: boolean;
  /**
   * What kind of personal data (`meta({ pii: 'email' })`; `other` for `pii: true`), null when none:
   * it picks how the value is masked (see `framework/governance/mask-rows.ts`).
   */
  piiKind: PiiKind | null;
  /** A masking policy the column declares (`meta({ pii: 'name', mask: 'redact' })`), else null. */
  mask: MaskPolicy | null;
  /** The class the column declares (`meta({ classification: 'internal' })`), else null. */
  classification: Sensitivity | null;
  /** Why a declared class is less strict than the one the column inherits (`meta({ classificationReason })`). */
  classificationReason: string | null;
}

/** How sensitive a column's values are, least to most. */
export const SENSITIVITIES = ['public', 'internal', 'confidential', 'restricted'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

/** Kinds of personal data a column can declare. */
export const PII_KINDS = ['email', 'name', 'phone', 'address', 'payment', 'other'] as const;
export type PiiKind = (typeof PII_KINDS)[number];
/** How a personal value is shown to people: a keyed pseudonym that still joins, part of it, or nothing. */
export type MaskPolicy = 'pseudonym' | 'partial' | 'redact';

interface ColumnMeta {
  description?: string;
  pii?: boolean | PiiKind;
  mask?: MaskPolicy;
  classification?: Sensitivity;
  classificationReason?: string;
}

type AnyZod = any;

function unwrap(field: AnyZod): { inner: AnyZod; nullable: boolean } {
  let inner = field;
  let nullable = false;
  for (;;) {
    const type = inner._zod.def.type;
    if (type === 'optional' || type === 'nullable' || type === 'default' || type === 'prefault') {
      nullable ||= type !== 'default' && type !== 'prefault';
      inner = inner._zod.def.innerType;
    } else return { inner, nullable };
  }
}

function duckDbType(inner: AnyZod): string {
  const def = inner._zod.def;
  switch (def.type) {
    case 'number': {
      const decimal = decimalTypeOf(inner);
      if (decimal) return `DECIMAL(${decimal.precision},${decimal.scale})`;
      return inner.format === 'safeint' || inner.format === 'int32' || inner.format === 'int64'
        ? 'BIGINT'
        : 'DOUBLE';
    }
    case 'bigint':
      return 'BIGINT';
    case 'boolean':
      return 'BOOLEAN';
    case 'date':
      return 'TIMESTAMPTZ';
    case 'string':
      if (inner.format === 'date') return 'DATE';
      if (inner.format === 'datetime') return 'TIMESTAMPTZ';
      return 'VARCHAR';
    case 'enum':
    case 'literal':
      return 'VARCHAR';
    case 'array':
      return `${duckDbType(unwrap(def.element).inner)}[]`;
    default:
      return 'JSON';
  }
}

function metaOf(field: AnyZod): ColumnMeta {
  let current = field;
  for (;;) {
    const meta = globalRegistry.get(current) as ColumnMeta | undefined;
    if (meta?.description || meta?.pii || meta?.classification) return meta;
    const inner = current._zod.def.innerType;
    if (!inner) return meta ?? {};
    current = inner;
  }
}

/**
 * The columns of a zod object schema with their lake types, nullability, descriptions and PII flags
 * (`z.string().describe('…').meta({ pii: true })`, or the kind: `meta({ pii: 'email' })`).
 */
export function schemaColumns(schema: z.ZodObject): ColumnInfo[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const { inner, nullable } = unwrap(field);
    const meta = metaOf(field);
    return {
      name,
      type: duckDbType(inner),
      nullable,
      description: meta.description ?? '',
      pii: meta.pii === true || typeof meta.pii === 'string',
      piiKind: meta.pii === true ? 'other' : typeof meta.pii === 'string' ? meta.pii : null,
      mask: meta.mask ?? null,
      classification: meta.classification ?? null,
      classificationReason: meta.classificationReason ?? null,
    };
  });
}
